import type { IsoDate, KeyManager } from './inventory.js';

/**
 * What the pricing engine produces: the cost of one calendar month of KMS, per key and
 * line, with subtotals, the table used and every assumption it had to make.
 *
 * Amounts are {@link Money} strings (decimal, full precision, never binary floating
 * point). `null` means "unknown" and is never replaced by zero.
 */

/** A decimal amount in the table's currency, full precision, e.g. `"0.516129032258"`. Negative for credits. */
export type Money = string;

/**
 * The five request price tiers, named by their AWS Price List usage-type suffix (the usage
 * type itself carries the region as prefix: `us-east-1-KMS-Requests`).
 */
export const REQUEST_TIERS = [
  'KMS-Requests',
  'KMS-Requests-Asymmetric-RSA_2048',
  'KMS-Requests-Asymmetric',
  'KMS-Requests-GenerateDatakeyPair-ECC',
  'KMS-Requests-GenerateDatakeyPair-RSA',
] as const;

export type RequestTier = (typeof REQUEST_TIERS)[number];

export type CostLineKind =
  /** $/key-month, prorated by billable hours. */
  | 'key-fee'
  /** The surcharge of one rotation of the key material, prorated from the rotation. */
  | 'rotation-fee'
  /**
   * Requests attributed to a key, one line per operation and tier; or, with `keyArn` null,
   * requests that name no key (ListKeys, CreateKey, GenerateRandom, ...), per account and operation.
   */
  | 'requests'
  /** Account-level volume (CloudWatch) above what the per-key counts explain. */
  | 'unattributed-requests'
  /** The monthly free tier, a negative amount. */
  | 'free-tier-credit'
  /**
   * The keys of a region (or of a whole account, region `*`) that were never listed: ListKeys
   * failed or the deadline cut it, or the account could not be entered. Their fees and requests
   * are unknown: the line's amount is always null, so the total is "at least".
   */
  | 'unlisted-keys';

/** One line of the bill. `amount` is `quantity × unitPrice` (per `priceUnit`), or `null` when unknown. */
export interface CostLine {
  readonly kind: CostLineKind;
  /** The account billed for the line (for requests: the caller). */
  readonly account: string;
  /**
   * The region billed; `*` on an `unlisted-keys` line of an account that could not be entered
   * (every region of it).
   */
  readonly region: string;
  /** The key the line is about; null for requests that name no key, unattributed volume and credits. */
  readonly keyArn: string | null;
  /** A short human description, e.g. `Decrypt (symmetric)`, `Key fee, 384 of 744 hours`. */
  readonly description: string;
  /** Request lines: the tier (Price List usage-type suffix); null for fees. */
  readonly tier: RequestTier | null;
  /** Request lines: the API operation, when known. */
  readonly operation: string | null;
  /** GenerateDataKeyPair* lines: the requested pair spec. */
  readonly keyPairSpec: string | null;
  /**
   * How much was billed: for fees the fraction of a key-month (decimal string), for requests a
   * request count (negative on credits). Null when unknown.
   */
  readonly quantity: string | null;
  readonly unit: 'key-month' | 'requests';
  /** The price of one `priceUnit`, from the table. Null when the tier itself is unknown. */
  readonly unitPrice: Money | null;
  readonly priceUnit: 'key-month' | '10k-requests';
  /** Full precision; null means unknown (see `unknownReason`), never zero in its place. */
  readonly amount: Money | null;
  readonly unknownReason: string | null;
  /** Fees: billable hours and hours in the month. */
  readonly hours: { readonly billable: number; readonly inMonth: number } | null;
  /** Ids of the {@link PricingAssumption}s this line depends on. */
  readonly assumptions: readonly string[];
}

/** A sum of lines. `amount` is the exact sum of the priced lines; when `complete` is false it is a lower bound. */
export interface CostTotal {
  readonly amount: Money;
  /** False when at least one line in scope is unknown. */
  readonly complete: boolean;
  readonly unknownLines: number;
}

/** Where the engine learnt of a key. */
export type KeyCostSource =
  /** The inventory snapshot listed it. */
  | 'snapshot'
  /** Only the month's lifecycle events name it (for example deleted before the scan). */
  | 'lifecycle-events'
  /** Only request counts name it (for example a key of another account used by this one). */
  | 'request-counts';

/** Everything one key cost in the month. */
export interface KeyCost {
  readonly keyArn: string;
  /** The account and region that own the key (its fee is billed there). */
  readonly account: string;
  readonly region: string;
  readonly keyId: string;
  readonly source: KeyCostSource;
  /** Null when the key could not be described. */
  readonly keyManager: KeyManager | null;
  readonly keySpec: string | null;
  readonly multiRegionRole: 'PRIMARY' | 'REPLICA' | null;
  /** Hours the key was billable (existed and was not pending deletion); null when unknown. */
  readonly billableHours: number | null;
  /** Every line about the key, whoever is billed for it (see {@link CostLine.account}). */
  readonly lines: readonly CostLine[];
  /**
   * What the key cost the accounts the month is priced for: the sum of its lines billed to an
   * account whose subtotal is in {@link MonthCost.total}. Lines billed to another account (the
   * requests it made on this key) are in `lines` but not here.
   */
  readonly total: CostTotal;
  /** Facts about this key's pricing worth a reader's attention (capped rotations, custom key store, ...). */
  readonly notes: readonly string[];
}

/** The subtotal of one billed account in one region (all lines billed to it there). */
export interface RegionSubtotal {
  readonly account: string;
  readonly region: string;
  readonly total: CostTotal;
}

/** What one account is billed for the month: the sum of every line billed to it. */
export interface AccountSubtotal {
  readonly account: string;
  /**
   * True for an account the month is priced for (one the inventory covers): its subtotal is part
   * of {@link MonthCost.total}. False for another account that called these keys: its lines are
   * shown and billed to it, and are in no total but its own.
   */
  readonly inTotal: boolean;
  readonly total: CostTotal;
}

/** An assumption the engine made, with where it applied. */
export interface PricingAssumption {
  /** Stable id, the name of the constant that holds it (e.g. `HMAC_REQUEST_TIER`). */
  readonly id: string;
  readonly statement: string;
  /** Key ARNs, `account/region` pairs or region names the assumption was used for. */
  readonly appliesTo: readonly string[];
}

/** Which pricing table priced the month. */
export interface PricingTableRef {
  readonly version: string;
  /** The name of the file it was loaded from (no folder), when loaded from disk. */
  readonly file: string | null;
  readonly currency: string;
  readonly effective: { readonly from: string; readonly until: string | null };
  readonly source: string;
  readonly checked: string;
}

export type FreeTierScope = 'account' | 'organization';

/** The cost of one month. */
export interface MonthCost {
  readonly kind: 'kms-report/month-cost';
  readonly schemaVersion: 1;
  /** `YYYY-MM`. */
  readonly month: string;
  /**
   * `[start, end)` in UTC, with the month's hours (what a key-month is prorated over).
   * `pricedUntil` is `end`, or for a month to date the evidence time: fees and requests are
   * priced up to it, not for the rest of the month.
   */
  readonly period: {
    readonly start: IsoDate;
    readonly end: IsoDate;
    readonly hours: number;
    readonly pricedUntil: IsoDate;
  };
  readonly currency: string;
  readonly table: PricingTableRef;
  readonly settings: {
    readonly freeTierScope: FreeTierScope;
    readonly partialHours: 'bill-started-hour' | 'exact';
  };
  /** Sorted by account, region, key ARN. */
  readonly keys: readonly KeyCost[];
  /** Requests that name no key (ListKeys, CreateKey, GenerateRandom, ...): per account, region and operation. */
  readonly accountRequests: readonly CostLine[];
  /**
   * Lines about no one key: account-level volume (CloudWatch) above the per-key counts
   * (`unattributed-requests`), and the keys of regions or accounts that were never listed
   * (`unlisted-keys`, always unknown).
   */
  readonly unattributed: readonly CostLine[];
  readonly credits: readonly CostLine[];
  /** Per billed account and region, sorted; accounts outside the total included. */
  readonly subtotals: readonly RegionSubtotal[];
  /**
   * Per billed account, sorted by id: every account the inventory covers (`inTotal`, even at $0),
   * then any other account billed for lines here (`inTotal` false: requests it made on these keys).
   */
  readonly byBilledAccount: readonly AccountSubtotal[];
  /**
   * The month's figure: what the accounts the inventory covers are billed, the sum of the
   * `byBilledAccount` subtotals marked `inTotal`. Equally, the sum of every `keys[].total` and of
   * the account-level lines ({@link accountLevelLines}: requests that name no key, unattributed
   * volume, unlisted keys and credits) billed to those
   * accounts. Every surface (report.md's headline, `report.json`, the CSVs) shows this figure. Lines
   * billed to other accounts are kept (`lines`, `byBilledAccount`) but are not in it: see
   * `billedToOtherAccounts`.
   */
  readonly total: CostTotal;
  /** The lines billed to accounts outside the inventory (requests they made on these keys); not in `total`. */
  readonly billedToOtherAccounts: CostTotal;
  readonly assumptions: readonly PricingAssumption[];
  /** What is outside the estimate (custom key store charges, ...). */
  readonly notices: readonly string[];
}

/**
 * Every line of a month that belongs to no key: requests that name no key, unattributed volume,
 * keys of regions or accounts never listed, and the free-tier credits. With the keys' lines these
 * are all the lines of the month; every surface that lists "account-level" lines uses this.
 */
export function accountLevelLines(
  cost: Pick<MonthCost, 'accountRequests' | 'unattributed' | 'credits'>,
): CostLine[] {
  return [...cost.accountRequests, ...cost.unattributed, ...cost.credits];
}
