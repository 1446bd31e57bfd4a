/** The estimate beside the bill: a pure function of the priced month and a bill read. */
export {
  BILL_ROUNDING_STATEMENT,
  DEFAULT_DRIFT_THRESHOLD_PERCENT,
  driftBeyond,
  type ReconcileOptions,
  ROUNDING_MAX_SHARE_OF_BILL,
  ROUNDING_NEVER_PERCENT,
  ROUNDING_TOLERANCE_PER_LINE,
  reconcileBill,
} from './reconcile.js';
