import type { BillRead } from '../model/bill.js';
import { ROTATION_BILLED_AS_KEY_MONTHS } from '../model/bill.js';
import type { MonthCost } from '../model/pricing.js';
import type {
  BillReconciliation,
  BillReconciliationRow,
  BillReconciliationTotals,
  RowDifference,
} from '../model/reconciliation.js';
import { ASSUMPTION_STATEMENTS } from '../pricing/assumptions.js';
import { Dec, dec, toMoney } from '../pricing/money.js';
import { compareBy, compositeKey } from '../util/compare.js';
import { type BillBucket, billBuckets, type EstimateBucket, estimateBuckets } from './buckets.js';
import { explainDifference } from './explain.js';

/**
 * A row (or the total) whose difference is more than this percentage of its bill, and more than
 * rounding, exceeds the threshold; unexplained, it is flagged. Configurable per run
 * (`driftThresholdPercent`, `--drift-threshold`).
 */
export const DEFAULT_DRIFT_THRESHOLD_PERCENT = 5;

/**
 * What rounding can account for, per line item of the bill compared: half a cent. The bill
 * states each line item's cost unrounded (Cost Explorer's `UnblendedCost` and the CUR's
 * `line_item_unblended_cost` carry up to 10 decimal places); the invoice rounds to the cent only
 * when it adds the month up. kms-report compares full-precision amounts on both sides; half a
 * cent per line item is the most rounding can add, and two caps keep it from growing with the
 * number of lines ({@link ROUNDING_MAX_SHARE_OF_BILL}, {@link ROUNDING_NEVER_PERCENT}).
 */
export const ROUNDING_TOLERANCE_PER_LINE = '0.005';

/**
 * However many line items a row (or the total) adds up, rounding is at most this share of its
 * bill (0.1%), and never less than one line item's half cent: 10,000 line items of a per-key
 * bill do not make $50 "rounding".
 */
export const ROUNDING_MAX_SHARE_OF_BILL = '0.001';

/**
 * A difference of this percentage of its bill or more is never read as rounding, whatever the
 * tolerance in dollars (a key billed $0.0018 that the estimate did not count is −100%, not
 * rounding); nor is any difference against a zero bill.
 */
export const ROUNDING_NEVER_PERCENT = 1;

/** How the bill rounds and how the sides are compared, as the report states it. */
export const BILL_ROUNDING_STATEMENT = `The bill states each line item's cost unrounded (Cost Explorer and the CUR give up to 10 decimal places) and rounds to the cent only on the invoice. Both sides are compared at full precision, like with like: request quantities gross (before the free tier) on both sides, amounts net of the free tier on both sides (per key, the estimate's free tier is the account's and region's, not a key's: a key's difference that adds up to it is explained so), rotation surcharges with the key-months. A difference is read as rounding when it is within $${ROUNDING_TOLERANCE_PER_LINE} per bill line item, at most ${dec(ROUNDING_MAX_SHARE_OF_BILL).times(100).toFixed()}% of the bill compared (never less than $${ROUNDING_TOLERANCE_PER_LINE}), and under ${ROUNDING_NEVER_PERCENT}% of it; a difference against a zero bill is never rounding.`;

/** The dollars rounding can account for in `lines` bill line items adding up to `billed`. */
export function roundingTolerance(lines: number, billed: Dec): Dec {
  const perLine = dec(ROUNDING_TOLERANCE_PER_LINE);
  return Dec.min(
    perLine.times(Math.max(1, lines)),
    Dec.max(perLine, billed.abs().times(ROUNDING_MAX_SHARE_OF_BILL)),
  );
}

/** Whether rounding accounts for `difference` against `billed` (see {@link BILL_ROUNDING_STATEMENT}). */
function withinRounding(difference: Dec, billed: Dec, lines: number): boolean {
  if (difference.isZero()) return true;
  if (billed.isZero()) return false;
  return (
    difference.abs().lessThanOrEqualTo(roundingTolerance(lines, billed)) &&
    difference.abs().lessThan(billed.abs().times(ROUNDING_NEVER_PERCENT).div(100))
  );
}

/** How the comparison is made. */
export interface ReconcileOptions {
  /** Default {@link DEFAULT_DRIFT_THRESHOLD_PERCENT}. */
  readonly driftThresholdPercent?: number;
  /**
   * Flag differences on a bill that is still estimated (Cost Explorer's `Estimated`, a CUR with no
   * invoice id). Default false: an estimated bill changes until AWS settles the month, so its
   * differences are shown but not flagged (and `--fail-on-drift` does not fail on them).
   */
  readonly flagEstimatedBill?: boolean;
}

/** What every row of one comparison shares. */
interface Context {
  readonly inScope: ReadonlySet<string>;
  /** False when the bill has gaps: a row absent from it is unknown, not zero. */
  readonly billComplete: boolean;
  readonly threshold: Dec;
  readonly flagging: boolean;
  readonly freeTierScope: MonthCost['settings']['freeTierScope'];
  readonly knownKeys: ReadonlyMap<string, string>;
  /** The bill's currency and the estimate's, when they differ: nothing is compared. */
  readonly currencies: { readonly bill: string; readonly estimate: string } | null;
}

const UNITS = { 'key-months': 'key-month', unmapped: 'unknown' } as const;

const percentOf = (difference: Dec, billed: Dec): string | null =>
  billed.isZero() ? null : difference.div(billed).times(100).toDecimalPlaces(2, Dec.ROUND_HALF_UP).toFixed(2);

/** Whether a difference is beyond rounding and the threshold (a zero bill against anything is). */
function exceeds(difference: Dec, billed: Dec, lines: number, threshold: Dec): boolean {
  if (withinRounding(difference, billed, lines)) return false;
  return billed.isZero() || difference.div(billed).times(100).abs().greaterThan(threshold);
}

/** The explanation of a row that cannot be compared, or is not the report's. */
function fixedExplanation(
  e: EstimateBucket | undefined,
  b: BillBucket | undefined,
  inTotal: boolean,
  billedKnown: boolean,
  currencies: Context['currencies'],
): RowDifference | null {
  if (currencies)
    return {
      kind: 'currency-mismatch',
      text: `The bill is in ${currencies.bill}, the estimate in ${currencies.estimate}: not compared.`,
      assumptions: [],
    };
  if (b && b.lineItemType !== 'Usage')
    return {
      kind: 'credit-refund',
      text: `A ${b.lineItemType} line of the bill: the estimate does not model credits, refunds or taxes; it is in neither total.`,
      assumptions: [],
    };
  if (b && b.category === 'unmapped')
    return {
      kind: 'unmapped-usage-type',
      text: `kms-report does not map the usage type ${b.unmappedUsageType} to an estimate line: billed, not estimated.`,
      assumptions: [],
    };
  if (e && e.unknownLines > 0)
    return {
      kind: 'estimate-unknown',
      text: `${e.unknownLines === 1 ? 'A line' : `${e.unknownLines} lines`} of the estimate could not be priced: the difference is unknown.`,
      assumptions: [],
    };
  if (!billedKnown)
    return {
      kind: 'bill-incomplete',
      text: 'Part of the bill could not be read: the billed side is unknown.',
      assumptions: [],
    };
  if (!inTotal)
    return {
      kind: 'outside-report',
      text: "An account outside the report's accounts: shown, in neither total.",
      assumptions: [],
    };
  return null;
}

/**
 * No known cause accounts for the row's difference. An unmapped usage type is named, not
 * explained away: it is money kms-report does not estimate.
 */
const isUnexplained = (r: Pick<BillReconciliationRow, 'explanation'>): boolean =>
  r.explanation === null || r.explanation.kind === 'unmapped-usage-type';

function compareRow(
  e: EstimateBucket | undefined,
  b: BillBucket | undefined,
  x: Context,
): BillReconciliationRow {
  const id = (b ?? e) as EstimateBucket | BillBucket;
  const usage = id.lineItemType === 'Usage';
  const inTotal = usage && (id.account === null || x.inScope.has(id.account));
  const estimateAmount = usage ? (e ? (e.unknownLines > 0 ? null : e.amount) : dec(0)) : null;
  const estimateQuantity = usage ? (e ? (e.quantityUnknown ? null : e.quantity) : dec(0)) : null;
  const billedAmount = b ? b.amount : x.billComplete ? dec(0) : null;
  const difference =
    estimateAmount && billedAmount && !x.currencies ? estimateAmount.minus(billedAmount) : null;
  const lines = b?.lines ?? 0;
  const tolerance = roundingTolerance(lines, billedAmount ?? dec(0));
  let explanation = fixedExplanation(e, b, inTotal, billedAmount !== null, x.currencies);
  const over =
    difference !== null && billedAmount !== null && exceeds(difference, billedAmount, lines, x.threshold);
  if (!explanation && difference !== null && billedAmount !== null && !difference.isZero())
    explanation = withinRounding(difference, billedAmount, lines)
      ? { kind: 'rounding', text: 'Within rounding.', assumptions: [] }
      : explainDifference({
          estimate: e,
          bill: b,
          difference,
          tolerance,
          freeTierScope: x.freeTierScope,
          knownKeys: x.knownKeys,
        });
  return {
    account: id.account,
    region: id.region,
    category: id.category,
    usageTypes: b ? [...b.usageTypes].sort() : [],
    keyArn: id.keyArn,
    lineItemType: id.lineItemType,
    unit: UNITS[id.category as keyof typeof UNITS] ?? 'requests',
    estimate: {
      quantity: estimateQuantity ? toMoney(estimateQuantity) : null,
      amount: estimateAmount ? toMoney(estimateAmount) : null,
    },
    billed: {
      quantity: b ? toMoney(b.quantity) : billedAmount ? '0' : null,
      amount: billedAmount ? toMoney(billedAmount) : null,
    },
    difference: difference ? toMoney(difference) : null,
    percent: difference && billedAmount ? percentOf(difference, billedAmount) : null,
    exceedsThreshold: over,
    flagged: over && isUnexplained({ explanation }) && inTotal && x.flagging,
    explanation,
    inTotal,
  };
}

/**
 * A per-usage-type row left unexplained whose difference is that of its keys billed but not in
 * the inventory (the per-key rows say which): explained by them.
 */
function explainByKeys(
  rows: BillReconciliationRow[],
  keyRows: readonly BillReconciliationRow[],
): BillReconciliationRow[] {
  if (keyRows.length === 0) return rows;
  const deleted = keyRows.filter((k) => k.explanation?.kind === 'key-deleted-before-evidence');
  return rows.map((r) => {
    if (!r.exceedsThreshold || !isUnexplained(r) || r.difference === null) return r;
    const mine = deleted.filter(
      (k) => k.account === r.account && k.region === r.region && k.category === r.category,
    );
    const sum = mine.reduce((s, k) => s.plus(k.difference ?? 0), dec(0));
    if (mine.length === 0 || !sum.minus(r.difference).abs().lessThanOrEqualTo(ROUNDING_TOLERANCE_PER_LINE))
      return r;
    const explanation: RowDifference = {
      kind: 'key-deleted-before-evidence',
      text: `Accounted for by ${mine.length === 1 ? '1 key' : `${mine.length} keys`} billed that the inventory does not hold (deleted before the evidence was taken; see the per-key rows).`,
      assumptions: [],
    };
    return { ...r, explanation, flagged: false };
  });
}

/**
 * Per key, the bill's amounts are net of the free tier (AWS credits it on the lines of the keys
 * it picks) and the estimate's gross: its free-tier credit is the account's and region's, not a
 * key's. Key rows whose differences add up to the credit the estimate took in their account,
 * region and tier are explained so, not flagged: the usage-type row compares the two nets.
 */
function explainKeyFreeTier(
  keyRows: BillReconciliationRow[],
  typeBuckets: ReadonlyMap<string, EstimateBucket>,
): BillReconciliationRow[] {
  const credits = new Map<string, Dec>();
  for (const b of typeBuckets.values())
    if (!b.credit.isZero()) credits.set(compositeKey(b.account ?? '', b.region ?? '', b.category), b.credit);
  const bucketOf = (r: BillReconciliationRow) => compositeKey(r.account ?? '', r.region ?? '', r.category);
  const candidate = (r: BillReconciliationRow) =>
    r.difference !== null &&
    dec(r.difference).greaterThan(0) &&
    (r.explanation === null || r.explanation.kind === 'free-tier-here') &&
    credits.has(bucketOf(r));
  const sums = new Map<string, { sum: Dec; n: number }>();
  for (const r of keyRows.filter(candidate)) {
    const s = sums.get(bucketOf(r)) ?? { sum: dec(0), n: 0 };
    sums.set(bucketOf(r), { sum: s.sum.plus(r.difference ?? 0), n: s.n + 1 });
  }
  return keyRows.map((r) => {
    const s = sums.get(bucketOf(r));
    const credit = credits.get(bucketOf(r));
    if (!candidate(r) || !s || !credit) return r;
    if (s.sum.plus(credit).abs().greaterThan(dec(ROUNDING_TOLERANCE_PER_LINE).times(s.n))) return r;
    const explanation: RowDifference = {
      kind: 'free-tier-here',
      text: `The bill applied the free tier to this key's requests (its amount is net); the estimate credits the free tier (${credit.neg().toFixed()}) to the account and region, not to a key: see the usage-type row, where both sides are net.`,
      assumptions: ['FREE_TIER_ALLOCATION_ORDER'],
    };
    return { ...r, explanation, flagged: false };
  });
}

/** Every bucket of either side, compared, sorted by account, region, category, usage type, key. */
function compareAll(
  estimate: Map<string, EstimateBucket>,
  bill: Map<string, BillBucket>,
  x: Context,
): BillReconciliationRow[] {
  const keys = new Set([...estimate.keys(), ...bill.keys()]);
  return [...keys]
    .map((k) => compareRow(estimate.get(k), bill.get(k), x))
    .sort(
      compareBy(
        (r) => r.account ?? '',
        (r) => r.region ?? '',
        (r) => r.category,
        (r) => r.usageTypes.join(' '),
        (r) => r.keyArn ?? '',
        (r) => r.lineItemType,
      ),
    );
}

function totalsOf(
  cost: MonthCost,
  rows: readonly BillReconciliationRow[],
  x: Context,
  billRead: boolean,
  bill: BillRead,
): BillReconciliationTotals {
  const mine = (r: BillReconciliationRow) => r.account === null || x.inScope.has(r.account);
  const usage = rows.filter((r) => r.inTotal);
  const billedUsage = !billRead ? null : usage.reduce((s, r) => s.plus(r.billed.amount ?? 0), dec(0));
  const other = rows
    .filter((r) => r.lineItemType !== 'Usage' && mine(r))
    .reduce((s, r) => s.plus(r.billed.amount ?? 0), dec(0));
  const difference = billedUsage && !x.currencies ? dec(cost.total.amount).minus(billedUsage) : null;
  const lines = bill.lines.filter((l) => l.lineItemType === 'Usage').length;
  const over =
    difference !== null && billedUsage !== null && exceeds(difference, billedUsage, lines, x.threshold);
  const unexplained = difference
    ? usage.filter(isUnexplained).reduce((s, r) => s.plus(r.difference ?? 0), dec(0))
    : null;
  const unexplainedOver =
    unexplained !== null && billedUsage !== null && exceeds(unexplained, billedUsage, lines, x.threshold);
  return {
    estimate: cost.total,
    billed: billedUsage ? toMoney(billedUsage) : null,
    billedComplete: billedUsage !== null && x.billComplete,
    billedOther: toMoney(other),
    difference: difference ? toMoney(difference) : null,
    percent: difference && billedUsage ? percentOf(difference, billedUsage) : null,
    exceedsThreshold: over,
    unexplained: unexplained ? toMoney(unexplained) : null,
    // A lower-bound estimate above the bill is drift; below it, the unknown lines may close the gap.
    flagged: unexplainedOver && x.flagging && (cost.total.complete || (unexplained?.greaterThan(0) ?? false)),
  };
}

/** What a reader must know to read the comparison. */
function notesOf(cost: MonthCost, bill: BillRead, flagging: boolean): string[] {
  const notes: string[] = [];
  if (ROTATION_BILLED_AS_KEY_MONTHS)
    notes.push(
      "UNCONFIRMED (ROTATION_BILLED_AS_KEY_MONTHS): the rotation surcharge is taken as billed in key-months under the <region>-KMS-Keys usage type; the estimate's key fees and rotation fees are compared together with it.",
    );
  notes.push(
    `The estimate applies the free tier per ${cost.settings.freeTierScope}. ${ASSUMPTION_STATEMENTS.FREE_TIER_ALLOCATION_ORDER}`,
  );
  if (bill.source === 'cost-explorer')
    notes.push(
      'Cost Explorer was read for usage records only (RECORD_TYPE Usage): credits, refunds and taxes are not in the billed figures.',
    );
  if (!flagging)
    notes.push(
      bill.status === 'estimated'
        ? `The bill is still estimated (${bill.statusDetail}): differences are shown but not flagged, and --fail-on-drift does not fail on them. Run again once AWS has settled the month.`
        : `Whether the bill is final is unknown (${bill.statusDetail}): it is treated as not final, so differences are shown but not flagged, and --fail-on-drift does not fail on them.`,
    );
  if (bill.currency !== cost.currency)
    notes.push(
      `The bill is in ${bill.currency}, the estimate in ${cost.currency}: nothing is compared (every difference is unknown), and --fail-on-drift fails.`,
    );
  return notes;
}

/**
 * Puts a month's estimate beside its bill: per account, region and category (usage type), and
 * per key when the bill is per key (CUR with resources). Each row holds both sides' quantity and
 * amount, the difference, its percentage of the bill and its explanation when one is known
 * (rounding, the free tier applied elsewhere in the organisation, a credit or refund, a key
 * deleted before the evidence was taken, an assumption the bill contradicts); a difference above
 * the threshold that nothing explains is flagged. Unknown estimate lines stay unknown. A pure
 * function of its inputs.
 *
 * @example
 * ```ts
 * const bill = await readBill('cost-explorer', { month, clients });
 * const rec = reconcileBill(report.cost, bill, { driftThresholdPercent: 2 });
 * console.log(rec.totals.percent, rec.rows.filter((r) => r.flagged).length);
 * ```
 */
export function reconcileBill(
  cost: MonthCost,
  bill: BillRead,
  options: ReconcileOptions = {},
): BillReconciliation {
  const thresholdPercent = options.driftThresholdPercent ?? DEFAULT_DRIFT_THRESHOLD_PERCENT;
  if (!(thresholdPercent >= 0) || !Number.isFinite(thresholdPercent))
    throw new RangeError(`driftThresholdPercent must be a number ≥ 0, got ${thresholdPercent}`);
  // Only a bill known to be final is flagged by default: an estimated one, or one whose status
  // the reader could not tell, may still change.
  const flagging = bill.status === 'final' || options.flagEstimatedBill === true;
  const inScope = new Set(cost.byBilledAccount.filter((a) => a.inTotal).map((a) => a.account));
  const sole = inScope.size === 1 ? ([...inScope][0] as string) : null;
  // Nothing read and a gap: the bill is unknown, not zero.
  const billRead = bill.lines.length > 0 || bill.gaps.length === 0;
  const comparable = bill.currency === cost.currency;
  const x: Context = {
    currencies: comparable ? null : { bill: bill.currency, estimate: cost.currency },
    inScope,
    billComplete: bill.gaps.length === 0,
    threshold: dec(thresholdPercent),
    flagging: flagging && comparable,
    freeTierScope: cost.settings.freeTierScope,
    knownKeys: new Map(cost.keys.map((k) => [k.keyArn, k.source])),
  };
  const typeBuckets = estimateBuckets(cost, false);
  const keyRows =
    bill.granularity === 'key'
      ? explainKeyFreeTier(
          compareAll(estimateBuckets(cost, true), billBuckets(bill, true, sole), x),
          typeBuckets,
        )
      : [];
  const rows = explainByKeys(compareAll(typeBuckets, billBuckets(bill, false, sole), x), keyRows);
  return {
    month: bill.month,
    source: bill.source,
    status: bill.status,
    statusDetail: bill.statusDetail,
    currency: bill.currency,
    estimateCurrency: cost.currency,
    granularity: bill.granularity,
    readAt: bill.readAt,
    readCost: bill.readCost,
    gaps: bill.gaps,
    rounding: BILL_ROUNDING_STATEMENT,
    thresholdPercent,
    flagging: flagging ? 'on' : bill.status === 'estimated' ? 'off-estimated-bill' : 'off-status-unknown',
    rows,
    keyRows,
    totals: totalsOf(cost, rows, x, billRead, bill),
    notes: notesOf(cost, bill, flagging),
  };
}

/**
 * Whether `--fail-on-drift percent` fails, and why (null: it passes). An unknown drift always
 * fails, never a silent pass: a bill in another currency than the estimate (not compared), a
 * bill not read or read only in part, an estimate that is a lower bound (lines it could not
 * price). Then, on a bill whose differences are flagged (final, or `flagEstimatedBill`), the
 * total failing when it differs from the bill by more than `percent`, or the bill is zero
 * against a non-zero estimate. A bill still estimated, or of unknown status, does not fail on
 * its differences.
 *
 * @example
 * ```ts
 * const why = driftBeyond(report.bill, 5);
 * if (why) process.exitCode = 6;
 * ```
 */
export function driftBeyond(rec: BillReconciliation, percent: number): string | null {
  const t = rec.totals;
  if (rec.currency !== rec.estimateCurrency)
    return `the bill is in ${rec.currency} and the estimate in ${rec.estimateCurrency}: they were not compared, the drift is unknown`;
  if (t.billed === null || t.difference === null) return 'the bill could not be read: the drift is unknown';
  if (!t.billedComplete)
    return `the bill is incomplete (${rec.gaps.length === 1 ? '1 part' : `${rec.gaps.length} parts`} not read: ${rec.gaps[0] ?? 'unknown'}): the drift is unknown`;
  if (!t.estimate.complete)
    return `the estimate is a lower bound (${t.estimate.unknownLines === 1 ? '1 line' : `${t.estimate.unknownLines} lines`} could not be priced): the drift is unknown`;
  if (rec.flagging !== 'on') return null;
  if (t.percent === null)
    return dec(t.difference).isZero() ? null : `the bill is zero and the estimate is ${t.estimate.amount}`;
  return dec(t.percent).abs().greaterThan(percent)
    ? `the estimate differs from the bill by ${t.percent}% (more than ${percent}%)`
    : null;
}
