/**
 * Request volumes and key lifecycle for one month: CloudTrail (Event history or a trail's log
 * files in S3) for per-key counts, CloudWatch `AWS/Usage` for account totals, and their
 * reconciliation.
 */

export { USAGE_ASSUMPTIONS, usageAssumptionsFor } from '../model/usage-assumptions.js';
export { type MonthWindow, parseMonth, windowDays } from '../util/month.js';
export { type AggregateStats, MAX_CALLER_ENTRIES, UsageAggregator } from './aggregator.js';
export {
  ANONYMOUS_CALLER,
  type CallerIdentity,
  callerOf,
  type S3CallContext,
  s3ContextOf,
  UNKNOWN_CALLER,
} from './callers.js';
export {
  ALWAYS_QUERIED_RESOURCES,
  CLOUDWATCH_PERIOD_SECONDS,
  CLOUDWATCH_QUERIES_PER_CALL,
  CLOUDWATCH_RETENTION_DAYS,
  type CloudWatchUsageOptions,
  type CloudWatchUsageResult,
  collectCloudWatchUsage,
} from './cloudwatch.js';
export {
  type AccountUsageResult,
  parseSourceList,
  USAGE_SOURCE_OF,
  type UsageReadOptions,
  type UsageSourceOption,
} from './collect.js';
export {
  DATA_KEY_PAIR_OPERATIONS,
  DEFAULT_PENDING_WINDOW_DAYS,
  type Interpretation,
  interpretKmsRecord,
  type KeyClass,
  KMS_EVENT_SOURCE,
  type KmsEventFacts,
  LIFECYCLE_EVENTS,
  MULTI_KEY_REQUEST_COUNTED_ON,
  parseDeletionDate,
  parseKeyArn,
  SERVICE_CALLS_BILLED_TO,
  SERVICE_OWN_CALLS_BILLED_TO,
} from './events.js';
export {
  parseUsageEvidence,
  readUsageEvidence,
  serializeUsageEvidence,
  USAGE_KIND,
  USAGE_SCHEMA_VERSION,
  type UsageEvidence,
  usageEvidenceSchema,
  usageJsonSchema,
  writeUsageEvidence,
} from './evidence.js';
export {
  assertInEventHistory,
  collectLookupEvents,
  EVENT_HISTORY_DAYS,
  LOOKUP_EVENTS_PACE,
  LOOKUP_EVENTS_PAGE_SIZE,
  LOOKUP_EVENTS_PER_SECOND,
  type LookupEventsOptions,
} from './lookup-events.js';
export {
  CLASS_OPERATIONS,
  CLOUDWATCH_COUNTS_FAILED_CALLS,
  keyClassesFromSnapshot,
  keyClassOfSpec,
  PAIR_OPERATIONS_IN_CLASS_TOTALS,
  type ReconciliationRow,
  reconcileUsage,
} from './reconcile.js';
export {
  collectS3TrailLogs,
  DEFAULT_S3_CONCURRENCY,
  DEFAULT_TRAIL_PREFIX,
  DELIVERY_MARGIN_DAYS,
  normalizeTrailPrefix,
  type S3TrailLogsOptions,
  trailDayPrefix,
} from './s3-logs.js';
export type { PerKeySourceResult, UsageProgress } from './source.js';
export { defaultCountingWorkers, MAX_COUNTING_WORKERS } from './trail-workers.js';
