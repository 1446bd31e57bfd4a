import type { RequestTier } from '../model/pricing.js';

/**
 * Everything the engine assumes where AWS's documentation is silent or a fact is
 * UNCONFIRMED. Each is a named constant; when the engine relies on one for a month, the
 * output's `assumptions` lists it by the constant's name with the keys or regions concerned.
 */

/**
 * How a partial hour is billed. AWS prorates the key fee hourly; it does not say what
 * happens to the hour in which a key is created or scheduled for deletion. We bill every
 * clock hour (UTC) in which the key was billable for any part of it ("bill-started-hour"),
 * the way hourly AWS charges usually round. `'exact'` prices the exact fraction instead.
 */
export const PARTIAL_HOUR_BILLING: 'bill-started-hour' | 'exact' = 'bill-started-hour';

import { DEFAULT_PENDING_WINDOW_DAYS } from '../model/kms.js';

/** The pending-deletion window assumed when none was recorded (AWS's default). */
export { DEFAULT_PENDING_WINDOW_DAYS };

/** UNCONFIRMED: requests on HMAC keys are priced as symmetric requests (AWS publishes no HMAC tier). */
export const HMAC_REQUEST_TIER: RequestTier = 'KMS-Requests';

/**
 * UNCONFIRMED: requests on key specs the pricing page does not name (ML-DSA, Ed25519, SM2)
 * are priced in the "all other asymmetric" tier.
 */
export const UNLISTED_ASYMMETRIC_SPEC_TIER: RequestTier = 'KMS-Requests-Asymmetric';

/**
 * UNCONFIRMED: management calls (DescribeKey, GetKeyPolicy, ListKeys, CreateKey, ...) are billed
 * like any request. AWS publishes no exempt list; billing them errs on the side of a higher
 * estimate. They are ordinary requests whatever the key: AWS's asymmetric tier and its
 * free-tier exclusion cover only the cryptographic operations on asymmetric keys (and
 * GenerateDataKeyPair*), so a DescribeKey on an ECC key is priced as a symmetric request.
 */
export const MANAGEMENT_CALLS_BILLED = true;

/** The tier of a management call, or of a request that names no key: an ordinary request. */
export const MANAGEMENT_CALL_TIER: RequestTier = 'KMS-Requests';

/**
 * UNCONFIRMED: requests that returned an error are not billed (the usage model counts them
 * apart as `failedCount`). AWS's pricing page counts "requests" without saying; CloudWatch's
 * CallCount counts failed calls too.
 */
export const FAILED_REQUESTS_BILLED = false;

/**
 * UNCONFIRMED: a region the pricing table does not list (a region opened after the table was
 * written, such as ap-east-2 or ap-southeast-6) is priced at this region's prices in the table.
 * Every region checked so far has the same KMS prices. A region of another partition (China,
 * GovCloud), whose prices and currency the table does not hold, stays unknown.
 */
export const UNLISTED_REGION_PRICES_FROM = 'us-east-1';

/**
 * UNCONFIRMED: a replica in `PendingReplicaDeletion` is billed. Only `PendingDeletion` is
 * documented as free; billing it errs on the side of a higher estimate.
 */
export const PENDING_REPLICA_DELETION_BILLED = true;

/** UNCONFIRMED: a multi-Region replica pays the rotation fee for the rotations of its (shared) key material. */
export const REPLICA_ROTATION_FEE_BILLED = true;

/** UNCONFIRMED: keys with imported key material (origin EXTERNAL) pay the rotation fee for on-demand rotations. */
export const IMPORTED_MATERIAL_ROTATION_FEE_BILLED = true;

/**
 * Account-level `CryptographicOperationsRsa` volume that no per-key count explains could be
 * on RSA_2048 keys ($0.03) or larger ones ($0.15): priced at the higher tier.
 */
export const UNATTRIBUTED_RSA_TIER: RequestTier = 'KMS-Requests-Asymmetric';

/**
 * Account-level API-name volume (`DescribeKey`, `ListKeys`, ...) that no per-key count
 * explains is priced as symmetric requests (most such calls name no key or a symmetric one).
 */
export const UNATTRIBUTED_API_TIER: RequestTier = 'KMS-Requests';

/**
 * The free tier is spread over an account's (or organization's) covered volume region by
 * region in alphabetical order of account then region. AWS applies it to the month's first
 * requests; the order only matters if covered prices differ between regions.
 */
export const FREE_TIER_ALLOCATION_ORDER = 'account, then region, alphabetical';

/** The statement printed for each assumption id. */
export const ASSUMPTION_STATEMENTS = {
  PARTIAL_HOUR_BILLING: `A key billable for part of a clock hour (UTC) is billed for that hour (${PARTIAL_HOUR_BILLING}).`,
  DEFAULT_PENDING_WINDOW_DAYS: `The pending-deletion window was not recorded; AWS's default of ${DEFAULT_PENDING_WINDOW_DAYS} days is assumed to date when the key stopped being billed. A shorter window (7 days at least) would mean the key was billed longer: up to 23 more days of its $1/month fee.`,
  PENDING_DELETION_START_DERIVED:
    'No ScheduleKeyDeletion event was available, and the CloudTrail evidence of the month (and after it) could not tell whether the deletion was scheduled before or after the month: pending deletion is taken to have begun at DeletionDate minus the pending window.',
  DELETION_WITHOUT_SCHEDULE_EVENT:
    'The key was deleted during the month but its ScheduleKeyDeletion was not seen: pending deletion is taken to have begun at the deletion time minus the pending window.',
  EXISTED_BEFORE_MONTH:
    'The key is known only from events of this month with no CreateKey among them: it is taken to have existed since the month began.',
  STATE_PERSISTS_AFTER_SNAPSHOT:
    'The inventory was taken before the month ended: each key is taken to keep its state until the end of the month.',
  UNVERIFIED_REGION_PRICES:
    "Prices for these regions were not verified for the region itself; the table assumes the verified regions' prices.",
  UNLISTED_REGION_PRICES_FROM: `UNCONFIRMED: these regions are not in the pricing table; they are priced at the table's ${UNLISTED_REGION_PRICES_FROM} prices.`,
  FAILED_REQUESTS_BILLED: `UNCONFIRMED: requests that returned an error are ${FAILED_REQUESTS_BILLED ? 'billed' : 'not billed'}.`,
  HMAC_REQUEST_TIER: `UNCONFIRMED: requests on HMAC keys are priced in the ${HMAC_REQUEST_TIER} tier.`,
  UNLISTED_ASYMMETRIC_SPEC_TIER: `UNCONFIRMED: requests on ML-DSA, Ed25519 and SM2 keys are priced in the ${UNLISTED_ASYMMETRIC_SPEC_TIER} tier.`,
  MANAGEMENT_CALLS_BILLED: `UNCONFIRMED: management calls (DescribeKey, GetKeyPolicy, ListKeys, CreateKey, ...) are ${MANAGEMENT_CALLS_BILLED ? `billed as ordinary requests (${MANAGEMENT_CALL_TIER}), also on asymmetric keys` : 'not billed'}.`,
  PENDING_REPLICA_DELETION_BILLED: `UNCONFIRMED: a replica in PendingReplicaDeletion is ${PENDING_REPLICA_DELETION_BILLED ? 'billed' : 'not billed'}.`,
  REPLICA_ROTATION_FEE_BILLED: `UNCONFIRMED: multi-Region replicas ${REPLICA_ROTATION_FEE_BILLED ? 'pay' : 'do not pay'} the rotation fee.`,
  IMPORTED_MATERIAL_ROTATION_FEE_BILLED: `UNCONFIRMED: keys with imported key material ${IMPORTED_MATERIAL_ROTATION_FEE_BILLED ? 'pay' : 'do not pay'} the rotation fee.`,
  UNATTRIBUTED_RSA_TIER: `Unattributed RSA volume is priced in the ${UNATTRIBUTED_RSA_TIER} tier (RSA_2048 would be cheaper).`,
  UNATTRIBUTED_API_TIER: `Unattributed API-name volume is priced in the ${UNATTRIBUTED_API_TIER} tier.`,
  FREE_TIER_ALLOCATION_ORDER: `The free tier is allocated ${FREE_TIER_ALLOCATION_ORDER}; it matters only where covered prices differ.`,
  FREE_TIER_ORGANIZATION:
    'The free tier is applied once across all accounts (consolidated billing in one organization).',
} as const;

export type AssumptionId = keyof typeof ASSUMPTION_STATEMENTS;
