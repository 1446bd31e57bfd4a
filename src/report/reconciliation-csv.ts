import type { BillReconciliation, BillReconciliationRow } from '../model/reconciliation.js';
import { type Column, render } from './csv.js';

/**
 * `reconciliation.csv`: the estimate beside the bill, one row per account, region and category
 * (ROW_LEVEL `usage-type`), then with a bill per key one per key and category (`key`). Written
 * by the same machinery as the other CSVs (RFC 4180, text cells made inert, numbers as numbers).
 */

interface Context {
  readonly month: string;
  readonly currency: string;
  readonly source: string;
  readonly status: string;
}

export interface ReconciliationCsvRow {
  readonly level: 'usage-type' | 'key';
  readonly row: BillReconciliationRow;
}

export const RECONCILIATION_COLUMNS: readonly Column<ReconciliationCsvRow, Context>[] = [
  { name: 'MONTH', value: (_, x) => x.month },
  { name: 'ROW_LEVEL', value: (r) => r.level },
  { name: 'ACCOUNT_ID', value: (r) => r.row.account },
  { name: 'REGION', value: (r) => r.row.region },
  { name: 'CATEGORY', value: (r) => r.row.category },
  { name: 'USAGE_TYPES', value: (r) => r.row.usageTypes.join(' ') },
  { name: 'KEY_ARN', value: (r) => r.row.keyArn },
  { name: 'LINE_ITEM_TYPE', value: (r) => r.row.lineItemType },
  { name: 'UNIT', value: (r) => r.row.unit },
  { name: 'CURRENCY', value: (_, x) => x.currency },
  { name: 'ESTIMATE_QUANTITY', value: (r) => r.row.estimate.quantity, numeric: true },
  { name: 'BILLED_QUANTITY', value: (r) => r.row.billed.quantity, numeric: true },
  { name: 'ESTIMATE_AMOUNT', value: (r) => r.row.estimate.amount, numeric: true },
  { name: 'BILLED_AMOUNT', value: (r) => r.row.billed.amount, numeric: true },
  { name: 'DIFFERENCE', value: (r) => r.row.difference, numeric: true },
  { name: 'DIFFERENCE_PERCENT', value: (r) => r.row.percent, numeric: true },
  { name: 'EXCEEDS_THRESHOLD', value: (r) => r.row.exceedsThreshold, numeric: true },
  { name: 'FLAGGED', value: (r) => r.row.flagged, numeric: true },
  { name: 'EXPLANATION_KIND', value: (r) => r.row.explanation?.kind ?? null },
  { name: 'EXPLANATION', value: (r) => r.row.explanation?.text ?? null },
  { name: 'ASSUMPTIONS', value: (r) => r.row.explanation?.assumptions.join(' ') ?? null },
  { name: 'IN_TOTAL', value: (r) => r.row.inTotal, numeric: true },
  { name: 'BILL_SOURCE', value: (_, x) => x.source },
  { name: 'BILL_STATUS', value: (_, x) => x.status },
];

function* rowsOf(rec: BillReconciliation): Generator<ReconciliationCsvRow> {
  for (const row of rec.rows) yield { level: 'usage-type', row };
  for (const row of rec.keyRows) yield { level: 'key', row };
}

/**
 * `reconciliation.csv` in pieces: every row of the estimate beside the bill.
 *
 * @example
 * ```ts
 * const text = [...reconciliationCsvChunks(report.bill)].join('');
 * ```
 */
export function reconciliationCsvChunks(rec: BillReconciliation): Iterable<string> {
  return render(RECONCILIATION_COLUMNS, rowsOf(rec), {
    month: rec.month,
    currency: rec.currency,
    source: rec.source,
    status: rec.status,
  });
}
