/**
 * KMS facts several stages rely on (kms-facts.md §2 and §4). Plain data, one place.
 */

/** The pending-deletion window ScheduleKeyDeletion uses when the caller names none (days; AWS allows 7-30). */
export const DEFAULT_PENDING_WINDOW_DAYS = 30;

/** The operations that produce a data key pair: priced by the requested pair spec, not the key's spec. */
export const DATA_KEY_PAIR_OPERATIONS: ReadonlySet<string> = new Set([
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
]);

/** Cryptographic operations (and GetPublicKey, which the pricing page lists with them). Anything else is a management call. */
export const CRYPTOGRAPHIC_OPERATIONS: ReadonlySet<string> = new Set([
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateRandom',
  'Sign',
  'Verify',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
  'GetPublicKey',
]);
