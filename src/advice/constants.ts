import type { RecommendationKind } from '../model/advice.js';

/** The named constants behind the cost drivers and the recommendations (each stated in the report). */

/** Callers the overall cost-driver list keeps (report.json and drivers.csv). */
export const DRIVERS_OVERALL = 20;
/** Keys the per-key list covers: those with the costliest counted request bills. */
export const DRIVER_KEYS = 10;
/** Callers kept per key in the per-key list. */
export const DRIVERS_PER_KEY = 5;

/**
 * The share of an S3 bucket's per-object KMS requests an S3 Bucket Key removes. AWS: a Bucket
 * Key "can reduce the request costs of SSE-KMS by up to 99 percent"; the estimate takes that
 * upper bound, so it is the most a Bucket Key can save. Only objects written after the Bucket
 * Key is enabled (or copied over) use it.
 */
export const BUCKET_KEY_REQUEST_REDUCTION = '0.99';
/** A bucket is advised a Bucket Key from this many per-object (no Bucket Key) requests a month. */
export const BUCKET_KEY_MIN_OBJECT_REQUESTS = 10_000;

/** The operations S3 calls on a key for SSE-KMS (and a Bucket Key removes). */
export const S3_SSE_KMS_OPERATIONS: ReadonlySet<string> = new Set(['GenerateDataKey', 'Decrypt']);

/** The operations data key caching (or envelope reuse) saves calls to. */
export const DATA_KEY_OPERATIONS: ReadonlySet<string> = new Set([
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'Decrypt',
]);
/** A principal calling those operations itself this often a month (~0.4 a second) is advised data key caching. */
export const DATA_KEY_CACHING_MIN_REQUESTS = 1_000_000;
/**
 * kms-report's assumption, not an AWS figure: with data key caching (the AWS Encryption SDK's
 * caching materials manager or hierarchical keyring, or one data key per batch) each data key
 * serves ten messages on average, so 90% of those calls go.
 */
export const DATA_KEY_CACHING_REDUCTION = '0.9';

/** A key is advised ECC data key pairs from this many RSA GenerateDataKeyPair* requests a month. */
export const ECC_PAIR_MIN_REQUESTS = 1_000;
/** The ECC pair spec advised in place of RSA. */
export const ECC_PAIR_SPEC = 'ECC_NIST_P256';

/** Months in the yearly figures (`monthlySaving × 12`). */
export const MONTHS_A_YEAR = 12;

/**
 * The order the recommendations claim requests in: a request one of them counts on is not
 * counted again by a later one, so the savings add up. Requests billed to other accounts first
 * (no saving for you: they are in no other recommendation), then removing a key (all its
 * requests and fees go), then a Bucket Key (a setting, no code change), then ECC pairs (a
 * parameter), then caching (a code change).
 */
export const RECOMMENDATION_ORDER: readonly RecommendationKind[] = [
  'cross-account-caller',
  'remove-unused-key',
  's3-bucket-key',
  'ecc-data-key-pairs',
  'data-key-caching',
];
