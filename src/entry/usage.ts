/**
 * `kms-report/usage`: the sources of a month's request volumes and key lifecycle, one by one.
 * CloudTrail Event history (LookupEvents) and a trail's log files in S3 for per-key counts,
 * CloudWatch `AWS/Usage` for account totals, how a CloudTrail record is read and billed, the
 * reconciliation of the two, and the merge of several accounts' months.
 *
 * The month's collection as a whole (`collectMonthUsage`, `collectOrganizationUsage`) and the
 * usage evidence file are in the root.
 *
 * @example Count one region's requests from Event history, and read a CloudTrail record
 * ```ts
 * import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
 * import { collectLookupEvents, interpretKmsRecord, parseMonth } from 'kms-report/usage';
 *
 * const month = parseMonth('2026-10');
 * const result = await collectLookupEvents(new CloudTrailClient({ region: 'us-east-1' }), {
 *   account: '111122223333', region: 'us-east-1', month,
 * });
 * const reading = interpretKmsRecord(record, '111122223333');
 * ```
 *
 * @packageDocumentation
 */

// Types the signatures above use (the root exports them too).
export type {
  AccountMonthUsage,
  ClientCredentials,
  Clock,
  NetworkOptions,
  UsageClients,
  UsageSourceOption,
} from '../index.js';
export type { AggregateStats } from '../usage/aggregator.js';
export type { RateLimiter } from '../util/rate-limiter.js';
export * from './model.js';
