/**
 * `kms-report/bill`: the estimate beside the bill. Read a month's KMS charges (Cost Explorer; the
 * Cost and Usage Report), put a priced month beside them (`reconcileBill`, a pure function: each
 * difference explained or flagged), judge the drift, and write the comparison into an existing
 * report set. The monthly job does all of it with `runMonthlyReport({ bill: { source } })`.
 *
 * @example The month's bill beside a report's estimate
 * ```ts
 * import { monthOf } from 'kms-report';
 * import { driftBeyond, readBill, reconcileBill } from 'kms-report/bill';
 *
 * const bill = await readBill('cost-explorer', { month: monthOf('2026-10'), accounts: ['111122223333'], organization: false });
 * const reconciliation = reconcileBill(report.cost, bill, { driftThresholdPercent: 2 });
 * console.log(reconciliation.totals.percent, driftBeyond(reconciliation, 5));
 * ```
 *
 * @packageDocumentation
 */

export { type CurBillOptions, type CurLocation, readCurBill } from '../bill/cur.js';
export {
  BILL_READER_KINDS,
  type BillClients,
  type BillReader,
  type BillReaderKind,
  COST_EXPLORER_REGION,
  COST_EXPLORER_REQUEST_PRICE,
  type CostExplorerBillOptions,
  type CurAthenaLocation,
  type CurExportLocation,
  costExplorerReadCost,
  costExplorerRequest,
  DEFAULT_CUR_REGION,
  KMS_SERVICE_NAME,
  MAX_COST_EXPLORER_PAGES,
  type ReadBillOptions,
  readBill,
  readCostExplorerBill,
} from '../bill/index.js';
export type { AthenaPolling, AthenaTableName } from '../collect/athena.js';
export type { NetworkOptions } from '../collect/client-defaults.js';
export type { AwsClients } from '../collect/clients.js';
export { KmsReportError } from '../errors.js';
export { billCategoryOf, ROTATION_BILLED_AS_KEY_MONTHS } from '../model/bill.js';
export type { BillOptions } from '../pipeline/options.js';
export {
  BillNotReadError,
  type ReconcileReportSetOptions,
  type ReconcileReportSetResult,
  reconcileReportSet,
} from '../pipeline/reconcile.js';
export type { Manifest, ManifestEntry } from '../pipeline/writer.js';
export {
  BILL_ROUNDING_STATEMENT,
  DEFAULT_DRIFT_THRESHOLD_PERCENT,
  driftBeyond,
  type ReconcileOptions,
  ROUNDING_MAX_SHARE_OF_BILL,
  ROUNDING_NEVER_PERCENT,
  ROUNDING_TOLERANCE_PER_LINE,
  reconcileBill,
} from '../reconcile/index.js';
export { reconciliationCsvChunks } from '../report/reconciliation-csv.js';
export type { Clock } from '../util/clock.js';
// Types its signatures use: the root's model (the root exports them too).
export * from './model.js';
