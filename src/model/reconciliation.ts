import type { BillCategory, BillSource, BillStatus } from './bill.js';
import type { IsoDate } from './inventory.js';
import type { CostTotal, Money } from './pricing.js';

/**
 * The estimate beside the bill: what kms-report priced for a month, line by line, against what
 * AWS billed (a {@link BillRead}), with every difference explained or flagged. Plain data, built
 * by `reconcileBill`; report.md's "Estimate vs bill" section, `reconciliation.csv` and
 * `report.json`'s `bill` show it.
 */

/** Why a row's estimate and bill differ, when kms-report can tell. */
export type DifferenceKind =
  /** Within what rounding each bill line item can account for ({@link BillReconciliation.rounding}). */
  | 'rounding'
  /**
   * The estimate credited the free tier here and the bill did not: AWS applied it to another
   * account or region (consolidated billing applies it once across the organisation).
   */
  | 'free-tier-elsewhere'
  /** The bill credited a free tier here that the estimate applied elsewhere, or not at all. */
  | 'free-tier-here'
  /** A credit, refund, tax or other non-usage line of the bill: the estimate does not model them. */
  | 'credit-refund'
  /** A key billed that the inventory does not hold (deleted before the evidence was taken), or known only from lifecycle events. */
  | 'key-deleted-before-evidence'
  /** The bill contradicts a named pricing assumption (see {@link RowDifference.assumptions}). */
  | 'assumption'
  /** A usage type kms-report does not map to an estimate line (shown by name, never dropped). */
  | 'unmapped-usage-type'
  /** A line of the estimate could not be priced: the difference is unknown. */
  | 'estimate-unknown'
  /** Part of the bill could not be read (see {@link BillReconciliation.gaps}): the billed side is unknown. */
  | 'bill-incomplete'
  /** An account outside the report's accounts: shown, in no total. */
  | 'outside-report'
  /** The bill is in another currency than the estimate: the row is not compared. */
  | 'currency-mismatch';

/** The explanation of a row's difference. */
export interface RowDifference {
  readonly kind: DifferenceKind;
  /** In words, for a reader: what differs and why. */
  readonly text: string;
  /** The ids of the pricing assumptions concerned (`src/pricing/assumptions.ts`, `ROTATION_BILLED_AS_KEY_MONTHS`); may be empty. */
  readonly assumptions: readonly string[];
}

/** One side of a row: a quantity (key-months or requests) and an amount. */
export interface ReconciledSide {
  /** Key-months or requests, decimal string; null when unknown. */
  readonly quantity: string | null;
  /** Full precision; null when unknown (never $0 in its place). */
  readonly amount: Money | null;
}

/**
 * One compared line: an account, region and category (the usage types that bill it), and with a
 * bill per key, one key. The estimate and the bill are compared like with like: gross request
 * quantities on both sides, amounts net of the free tier on both sides.
 */
export interface BillReconciliationRow {
  /** The usage account; null when the bill did not say and the row is the bill's alone. */
  readonly account: string | null;
  /** The region code; `*` for an account never entered; null when the bill's usage type names none. */
  readonly region: string | null;
  readonly category: BillCategory;
  /** Usage types of the bill in this row (an unmapped row has exactly one). */
  readonly usageTypes: readonly string[];
  /** Key rows: the key's ARN; null on the per-usage-type rows and lines that name no key. */
  readonly keyArn: string | null;
  /** `Usage`, or the bill's non-usage line item type (`Credit`, `Refund`, `Tax`, ...). */
  readonly lineItemType: string;
  /** `key-month` or `requests`; `unknown` for an unmapped usage type. */
  readonly unit: 'key-month' | 'requests' | 'unknown';
  readonly estimate: ReconciledSide;
  readonly billed: ReconciledSide;
  /** Estimate minus bill; null when either side is unknown. */
  readonly difference: Money | null;
  /**
   * The difference as a percentage of the bill, 2 decimal places; null when unknown or when the
   * bill is zero (any difference is then unbounded).
   */
  readonly percent: string | null;
  /** The difference is larger than rounding and than {@link BillReconciliation.thresholdPercent}. */
  readonly exceedsThreshold: boolean;
  /** Above the threshold, unexplained, and the bill is one whose drift is flagged (see {@link BillReconciliation.flagging}). */
  readonly flagged: boolean;
  /** Why the sides differ, when known; null when they agree or the reason is unknown. */
  readonly explanation: RowDifference | null;
  /** False for an account outside the report's accounts and for the bill's non-usage lines: in neither total. */
  readonly inTotal: boolean;
}

/** The two sides' totals over the rows in the total, and how far apart they are. */
export interface BillReconciliationTotals {
  /** The estimate of the rows compared: the report's total (its free-tier credit included). */
  readonly estimate: CostTotal;
  /** The bill's usage lines of the report's accounts; null when the bill could not be read. */
  readonly billed: Money | null;
  /** False when part of the bill could not be read: `billed` is then what was read. */
  readonly billedComplete: boolean;
  /** The bill's credits, refunds and other non-usage lines of those accounts (not in `billed`). */
  readonly billedOther: Money;
  /** Estimate minus bill; null when the bill is unknown. */
  readonly difference: Money | null;
  /** The drift: difference as a percentage of the bill, 2 decimal places; null when unknown or the bill is zero. */
  readonly percent: string | null;
  /** The drift is larger than rounding and than the threshold (a zero bill against a non-zero estimate is). */
  readonly exceedsThreshold: boolean;
  /** The part of `difference` no row's explanation accounts for (the sum of the unexplained rows' differences). */
  readonly unexplained: Money | null;
  /** The unexplained part exceeds rounding and the threshold, and the bill's drift is flagged. */
  readonly flagged: boolean;
}

/** The estimate against the month's bill. */
export interface BillReconciliation {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly source: BillSource;
  readonly status: BillStatus;
  readonly statusDetail: string;
  /** The bill's currency. */
  readonly currency: string;
  /** The estimate's currency; when it is not the bill's, nothing is compared (every row unknown). */
  readonly estimateCurrency: string;
  readonly granularity: 'usage-type' | 'key';
  readonly readAt: IsoDate;
  /** What reading the bill cost (Cost Explorer requests at $0.01 each, CUR files and rows). */
  readonly readCost: string;
  /** What of the bill could not be read (the billed side is then partial or unknown). */
  readonly gaps: readonly string[];
  /** How the bill rounds, and how kms-report compares like with like. */
  readonly rounding: string;
  /** A row whose difference exceeds this percentage of its bill (and rounding) exceeds the threshold. */
  readonly thresholdPercent: number;
  /**
   * Whether differences above the threshold are flagged: `on` for a final bill (or when asked for
   * an estimated one), `off-status-unknown` when the reader could not tell whether the bill is
   * final (treated as not final), `off-estimated-bill` when the bill is still estimated (the default: AWS
   * settles the month in the first days of the next one).
   */
  readonly flagging: 'on' | 'off-estimated-bill' | 'off-status-unknown';
  /** Per account, region and category (usage type): every row, the totals' and the others. */
  readonly rows: readonly BillReconciliationRow[];
  /** With a bill per key (CUR with resources): per key and category too; else empty. */
  readonly keyRows: readonly BillReconciliationRow[];
  readonly totals: BillReconciliationTotals;
  /** What a reader must know to read the comparison (assumptions the mapping makes, the free-tier scope, ...). */
  readonly notes: readonly string[];
}

/**
 * How many differences were flagged: rows per usage type and per key (report.md, report.html and
 * the command line's summary all say this number).
 *
 * @example
 * ```ts
 * flaggedDifferences(report.bill); // 2
 * ```
 */
export function flaggedDifferences(rec: Pick<BillReconciliation, 'rows' | 'keyRows'>): number {
  return rec.rows.filter((r) => r.flagged).length + rec.keyRows.filter((r) => r.flagged).length;
}
