import type { KeyMetadata, MultiRegionInfo } from './inventory.js';

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

/** The DescribeKey fields that decide whether a key's material can rotate. */
export type RotationFacts = Pick<KeyMetadata, 'keySpec' | 'origin' | 'customKeyStoreId'>;

/** Why a key cannot rotate, for each kind of rotation; null where it can. */
export interface RotationEligibility {
  /**
   * Automatic rotation (EnableKeyRotation; what GetKeyRotationStatus reports and KMS-ROT-01/02
   * judge): only symmetric encryption keys (SYMMETRIC_DEFAULT) with AWS_KMS origin.
   */
  readonly automatic: string | null;
  /**
   * Any rotation, on-demand included (RotateKeyOnDemand; what ListKeyRotations lists and the
   * rotation fee prices): symmetric keys with AWS_KMS origin and, since 2025, those with
   * imported material (EXTERNAL). Unknown origins are left eligible, so their rotations are
   * read rather than assumed absent.
   */
  readonly any: string | null;
}

const CUSTOM_KEY_STORE_ORIGINS: ReadonlySet<string> = new Set(['AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE']);

/**
 * Which rotations a key's material can have (kms-facts.md §4, AWS EnableKeyRotation and
 * RotateKeyOnDemand): asymmetric, HMAC and custom key store keys never rotate; keys with
 * imported material rotate only on demand; symmetric AWS_KMS keys both ways. The one home of
 * this rule: the collector asks it which rotation calls to make, the rotation rules which keys
 * they judge. A multi-Region replica shares its primary's spec, origin and material, so it gets
 * the primary's answer (its rotation is set on the primary).
 *
 * @example
 * ```ts
 * rotationEligibility({ keySpec: 'SYMMETRIC_DEFAULT', origin: 'EXTERNAL', customKeyStoreId: null });
 * // { automatic: 'keys with imported key material (EXTERNAL) cannot rotate automatically', any: null }
 * ```
 */
export function rotationEligibility(meta: RotationFacts): RotationEligibility {
  if (meta.keySpec !== 'SYMMETRIC_DEFAULT') {
    const why = `${meta.keySpec} keys cannot rotate automatically`;
    return { automatic: why, any: `${meta.keySpec} keys cannot rotate` };
  }
  if (meta.origin === 'EXTERNAL')
    return { automatic: 'keys with imported key material (EXTERNAL) cannot rotate automatically', any: null };
  if (CUSTOM_KEY_STORE_ORIGINS.has(meta.origin) || meta.customKeyStoreId) {
    const where = `keys in a custom key store (${meta.origin})`;
    return { automatic: `${where} cannot rotate automatically`, any: `${where} cannot rotate` };
  }
  if (meta.origin !== 'AWS_KMS')
    return { automatic: `keys of origin ${meta.origin} cannot rotate automatically`, any: null };
  return { automatic: null, any: null };
}

/**
 * Whether a key is multi-Region, from the evidence that says so: the MultiRegionConfiguration
 * DescribeKey gave (`multiRegion`), else the key id, which AWS makes tell (multi-Region key ids
 * begin `mrk-`; single-Region key ids are UUIDs). DescribeKey may leave the MultiRegion flag out
 * (moto does on single-Region keys): the key id still answers. `unknown` when neither does (a
 * snapshot with another kind of id): never read as single-Region.
 */
export type MultiRegionReading =
  | { readonly kind: 'single-Region' }
  | { readonly kind: 'multi-Region'; readonly info: MultiRegionInfo | null }
  | { readonly kind: 'unknown'; readonly reason: string };

/** A single-Region key id: a UUID (fixed-length, anchored: no backtracking on any input). */
const SINGLE_REGION_KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * See {@link MultiRegionReading}.
 *
 * @example
 * ```ts
 * multiRegionOf('mrk-1234abcd12ab34cd56ef1234567890ab', meta); // { kind: 'multi-Region', info: null } when DescribeKey gave no configuration
 * ```
 */
export function multiRegionOf(keyId: string, meta: Pick<KeyMetadata, 'multiRegion'>): MultiRegionReading {
  if (meta.multiRegion !== null) return { kind: 'multi-Region', info: meta.multiRegion };
  if (keyId.startsWith('mrk-')) return { kind: 'multi-Region', info: null };
  if (SINGLE_REGION_KEY_ID.test(keyId)) return { kind: 'single-Region' };
  return {
    kind: 'unknown',
    reason: `whether the key is multi-Region is unknown: DescribeKey gave no MultiRegionConfiguration, and its key id "${keyId.slice(0, 128)}" is neither a multi-Region id (mrk-...) nor a single-Region one (a UUID)`,
  };
}
