import { compareBy } from '../util/compare.js';
import type { IsoDate } from './inventory.js';
import type { Money, RequestTier } from './pricing.js';
import { REQUEST_TIERS } from './pricing.js';

/**
 * What AWS billed for KMS in one month, as a bill reader (Cost Explorer, the Cost and Usage
 * Report 2.0 read from S3 or through Athena) returns it: plain data, the input of the
 * reconciliation that puts the estimate beside the bill.
 */

/** Where a bill was read. */
export type BillSource = 'cost-explorer' | 'cur' | 'cur-athena' | 'sample';

/**
 * Whether the month's bill is final. `estimated`: Cost Explorer's `Estimated` flag, or a CUR whose
 * `bill_invoice_id` is empty (AWS settles the month in the first days of the next one);
 * `unknown`: the reader could not tell.
 */
export type BillStatus = 'final' | 'estimated' | 'unknown';

/**
 * What a usage type bills, in the estimate's terms: key-months (the key fee and, UNCONFIRMED,
 * the rotation surcharge: see {@link ROTATION_BILLED_AS_KEY_MONTHS}), one of the five request
 * tiers, or a usage type kms-report does not map (shown as such, never dropped).
 */
export type BillCategory = 'key-months' | RequestTier | 'unmapped';

/**
 * UNCONFIRMED: AWS's public pages do not name a usage type for the rotation surcharge. kms-report
 * reads it as billed in key-months under the same `<region>-KMS-Keys` usage type (each paid
 * rotation adds a key-month), so the estimate's key-fee and rotation-fee lines are compared
 * together with that usage type. A bill that shows a separate rotation usage type maps it to
 * `key-months` too (see {@link billCategoryOf}); the report states this assumption.
 */
export const ROTATION_BILLED_AS_KEY_MONTHS = true;

/** One line of the bill: a usage type in an account and region, and with the CUR one key. */
export interface BillLine {
  /** The usage account (`LINKED_ACCOUNT`, `line_item_usage_account_id`); null when the bill was not grouped by account. */
  readonly account: string | null;
  /** The region code (`us-east-1`), from the usage type's prefix or `product_region_code`; null when neither says. */
  readonly region: string | null;
  /** The usage type as billed, e.g. `us-east-1-KMS-Requests`. */
  readonly usageType: string;
  readonly category: BillCategory;
  /** The API operation (CUR `line_item_operation`); null when the bill does not say. */
  readonly operation: string | null;
  /** The key's ARN (CUR with resources: `line_item_resource_id`); null for lines not per key. */
  readonly keyArn: string | null;
  /** CUR `line_item_line_item_type` (`Usage`, `Credit`, `Tax`, `Refund`, ...); `Usage` for Cost Explorer. */
  readonly lineItemType: string;
  /** The billed quantity (`UsageQuantity`, `line_item_usage_amount`): key-months or requests. Decimal string. */
  readonly quantity: string;
  /** The billed amount (`UnblendedCost`, `line_item_unblended_cost`), decimal string, full precision as read. */
  readonly amount: Money;
}

/** A currency code as bills write it (ISO 4217: `USD`); a reader leaves out what is not one, as a gap. */
export const CURRENCY_CODE_PATTERN = /^[A-Z]{3}$/;

/** A bill read for one month. */
export interface BillRead {
  readonly source: BillSource;
  /** `YYYY-MM`. */
  readonly month: string;
  readonly status: BillStatus;
  /** Why the status is what it is, e.g. "Cost Explorer marks the month Estimated". */
  readonly statusDetail: string;
  /** The bill's currency (`USD`). */
  readonly currency: string;
  /** `usage-type`: per account, region and usage type (Cost Explorer); `key`: per key too (CUR with resources). */
  readonly granularity: 'usage-type' | 'key';
  /** Lines aggregated by every field but quantity and amount. */
  readonly lines: readonly BillLine[];
  /** When the bill was read. */
  readonly readAt: IsoDate;
  /** What reading it cost or took, in words (Cost Explorer: requests made at $0.01; CUR: files and rows read). */
  readonly readCost: string;
  /** What could not be read; any entry makes the comparison partial. */
  readonly gaps: readonly string[];
}

/** Spellings of the request tiers in usage types that differ from the tier names ({@link REQUEST_TIERS}). */
const TIER_ALIASES: Readonly<Record<string, RequestTier>> = {
  'KMS-Requests-RSA-2048': 'KMS-Requests-Asymmetric-RSA_2048',
  'KMS-Requests-Asymmetric-RSA-2048': 'KMS-Requests-Asymmetric-RSA_2048',
};

/**
 * The region and category of a usage type. Usage types carry the full region name as prefix
 * (`us-east-1-KMS-Requests`); the category is read from the suffix after `KMS-`.
 *
 * @example
 * ```ts
 * billCategoryOf('us-east-1-KMS-Requests-GenerateDatakeyPair-RSA');
 * // { region: 'us-east-1', category: 'KMS-Requests-GenerateDatakeyPair-RSA' }
 * billCategoryOf('eu-west-1-KMS-Keys'); // { region: 'eu-west-1', category: 'key-months' }
 * ```
 */
export function billCategoryOf(usageType: string): { region: string | null; category: BillCategory } {
  const at = usageType.indexOf('KMS-');
  if (at < 0) return { region: null, category: 'unmapped' };
  const region = at > 1 && usageType[at - 1] === '-' ? usageType.slice(0, at - 1) : null;
  const suffix = usageType.slice(at);
  if (suffix === 'KMS-Keys' || suffix.startsWith('KMS-Key-Rotation') || suffix === 'KMS-Keys-Rotation') {
    return { region, category: 'key-months' };
  }
  const tier = (REQUEST_TIERS as readonly string[]).includes(suffix)
    ? (suffix as RequestTier)
    : TIER_ALIASES[suffix];
  return { region, category: tier ?? 'unmapped' };
}

/** The order of a bill's lines (every reader sorts by it): account, region, usage type, operation, key, line item type. */
export const BILL_LINE_ORDER = compareBy<BillLine>(
  (l) => l.account ?? '',
  (l) => l.region ?? '',
  (l) => l.usageType,
  (l) => l.operation ?? '',
  (l) => l.keyArn ?? '',
  (l) => l.lineItemType,
);
