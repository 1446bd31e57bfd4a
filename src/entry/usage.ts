/**
 * `kms-report/usage`: the sources of a month's request volumes and key lifecycle, one by one.
 * CloudTrail Event history (LookupEvents) and a trail's log files in S3 for per-key counts,
 * CloudWatch `AWS/Usage` for account totals, how a CloudTrail record is read and billed, the
 * reconciliation of the two, and the merge of several accounts' months.
 *
 * The month's collection as a whole (`collectMonthUsage`, one account or many) and the usage
 * evidence file are in the root.
 *
 * @example Count one region's requests from Event history, and read a CloudTrail record
 * ```ts
 * import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
 * import { collectLookupEvents, interpretKmsRecord, parseMonth } from 'kms-report/usage';
 *
 * const result = await collectLookupEvents(new CloudTrailClient({ region: 'us-east-1' }), {
 *   account: '111122223333',
 *   region: 'us-east-1',
 *   window: parseMonth('2026-10'),
 * });
 * const reading = interpretKmsRecord(JSON.parse(line)); // one record of a trail's log file
 * ```
 *
 * @packageDocumentation
 */

// Athena: the trail's table counted in one query per month, and the CUR 2.0 bill.
export { type CurAthenaOptions, curBillSql, readCurAthenaBill } from '../bill/cur-athena.js';
export {
  ATHENA_MIN_BILLED_BYTES,
  ATHENA_NAME,
  ATHENA_PRICE_PER_TB_USD,
  type AthenaPolling,
  type AthenaQueryOptions,
  type AthenaQueryOutcome,
  type AthenaTableName,
  athenaScanCost,
  DEFAULT_ATHENA_WAIT_MS,
  parseAthenaTable,
  runAthenaQuery,
} from '../collect/athena.js';
// Types its signatures use, the root's model among them (the root exports them too).
export type {
  AwsClients,
  ClientCredentials,
  Clock,
  NetworkOptions,
  UsageClients,
  UsageSourceOption,
} from '../index.js';
export type { BillCategory, BillLine, BillRead, BillSource, BillStatus } from '../model/bill.js';
export type { CallerRequestCount, CallerType } from '../model/usage.js';
export { type AccountMonthUsage, type MergedUsage, mergeAccountUsage } from '../org/index.js';
export type { AggregateStats } from '../usage/aggregator.js';
export {
  type AthenaCloudTrailMonth,
  type AthenaCount,
  type AthenaMonthQuery,
  AthenaSlice,
  type AthenaSliceResult,
  type AthenaUsageOptions,
  AthenaUsageRows,
  athenaSliceResult,
  queryCloudTrailMonth,
} from '../usage/athena.js';
export {
  CLOUDTRAIL_SQL_COLUMNS,
  CLOUDTRAIL_TABLE_LAYOUTS,
  type CloudTrailSqlOptions,
  type CloudTrailTableLayout,
  cloudTrailUsageSql,
} from '../usage/athena-sql.js';
export {
  ALWAYS_QUERIED_RESOURCES,
  ANONYMOUS_CALLER,
  assertInEventHistory,
  type CallerIdentity,
  CLASS_OPERATIONS,
  CLOUDWATCH_COUNTS_FAILED_CALLS,
  CLOUDWATCH_PERIOD_SECONDS,
  CLOUDWATCH_QUERIES_PER_CALL,
  CLOUDWATCH_RETENTION_DAYS,
  type CloudWatchUsageOptions,
  type CloudWatchUsageResult,
  callerOf,
  collectCloudWatchUsage,
  collectLookupEvents,
  collectS3TrailLogs,
  DATA_KEY_PAIR_OPERATIONS,
  DEFAULT_PENDING_WINDOW_DAYS,
  DEFAULT_S3_CONCURRENCY,
  DEFAULT_TRAIL_PREFIX,
  DELIVERY_MARGIN_DAYS,
  defaultCountingWorkers,
  EVENT_HISTORY_DAYS,
  type Interpretation,
  interpretKmsRecord,
  type KeyClass,
  KMS_EVENT_SOURCE,
  type KmsEventFacts,
  keyClassesFromSnapshot,
  keyClassOfSpec,
  LIFECYCLE_EVENTS,
  LOOKUP_EVENTS_PACE,
  LOOKUP_EVENTS_PAGE_SIZE,
  LOOKUP_EVENTS_PER_SECOND,
  type LookupEventsOptions,
  MAX_CALLER_ENTRIES,
  MAX_COUNTING_WORKERS,
  MULTI_KEY_REQUEST_COUNTED_ON,
  normalizeTrailPrefix,
  PAIR_OPERATIONS_IN_CLASS_TOTALS,
  type PerKeySourceResult,
  parseDeletionDate,
  parseKeyArn,
  parseMonth,
  parseSourceList,
  reconcileUsage,
  type S3CallContext,
  type S3TrailLogsOptions,
  SERVICE_CALLS_BILLED_TO,
  SERVICE_OWN_CALLS_BILLED_TO,
  s3ContextOf,
  trailDayPrefix,
  UNKNOWN_CALLER,
  USAGE_ASSUMPTIONS,
  USAGE_SOURCE_OF,
  type UsageProgress,
  usageAssumptionsFor,
  windowDays,
} from '../usage/index.js';
export type { UsageSourceOptions } from '../usage/source.js';
export type { RateLimiter } from '../util/rate-limiter.js';
export * from './model.js';
