import { PER_KEY_COUNT_SOURCES, type UsageAssumption, type UsageSource } from '../model/usage.js';
import {
  MULTI_KEY_REQUEST_COUNTED_ON,
  SERVICE_CALLS_BILLED_TO,
  SERVICE_OWN_CALLS_BILLED_TO,
} from './events.js';
import { CLOUDWATCH_COUNTS_FAILED_CALLS, PAIR_OPERATIONS_IN_CLASS_TOTALS } from './reconcile.js';
import { DELIVERY_MARGIN_DAYS } from './s3-logs.js';

const RECONCILED: readonly UsageSource[] = ['cloudwatch', 'sample'];

/**
 * The assumptions the request volumes rest on. The report lists those of the sources it used,
 * so a reader can tell a measured figure from an interpreted one.
 */
export const USAGE_ASSUMPTIONS: readonly UsageAssumption[] = [
  {
    id: 'SERVICE_CALLS_BILLED_TO',
    value: SERVICE_CALLS_BILLED_TO,
    confirmed: true,
    statement:
      "A call an AWS service made with a caller's credentials (CloudTrail invokedBy set, S3 with SSE-KMS for example) is counted for the caller's account (userIdentity.accountId), which KMS bills for it, also when the key is another account's.",
    sources: PER_KEY_COUNT_SOURCES,
  },
  {
    id: 'SERVICE_OWN_CALLS_BILLED_TO',
    value: SERVICE_OWN_CALLS_BILLED_TO,
    confirmed: false,
    statement:
      "A call an AWS service made as itself (userIdentity.type AWSService, no caller's account) is counted for the key owner's account.",
    sources: PER_KEY_COUNT_SOURCES,
  },
  {
    id: 'MULTI_KEY_REQUEST_COUNTED_ON',
    value: MULTI_KEY_REQUEST_COUNTED_ON,
    confirmed: true,
    statement:
      'A request that names two keys (ReEncrypt: source and destination) is one billed request, counted on the first key its CloudTrail event lists.',
    sources: PER_KEY_COUNT_SOURCES,
  },
  {
    id: 'DELIVERY_MARGIN_DAYS',
    value: DELIVERY_MARGIN_DAYS,
    confirmed: true,
    statement: `Trail log files ${DELIVERY_MARGIN_DAYS} day either side of the month are read too (a file is filed under the day it was delivered); events are counted by their own time, inside the month only.`,
    sources: ['cloudtrail-s3'],
  },
  {
    id: 'PAIR_OPERATIONS_IN_CLASS_TOTALS',
    value: PAIR_OPERATIONS_IN_CLASS_TOTALS,
    confirmed: false,
    statement:
      "CloudWatch's CryptographicOperations totals do not include GenerateDataKeyPair calls (reported under their own resources); the reconciliation compares them so.",
    sources: RECONCILED,
  },
  {
    id: 'CLOUDWATCH_COUNTS_FAILED_CALLS',
    value: CLOUDWATCH_COUNTS_FAILED_CALLS,
    confirmed: false,
    statement:
      "CloudWatch's CallCount includes calls that failed, so the reconciliation compares it with successful and failed per-key calls together.",
    sources: RECONCILED,
  },
];

/**
 * The assumptions behind the given sources' figures.
 *
 * @example
 * ```ts
 * usageAssumptionsFor(['cloudtrail-lookup']).map((a) => a.id);
 * // ['SERVICE_CALLS_BILLED_TO', 'MULTI_KEY_REQUEST_COUNTED_ON']
 * ```
 */
export function usageAssumptionsFor(sources: readonly string[]): UsageAssumption[] {
  return USAGE_ASSUMPTIONS.filter((a) => a.sources.some((s) => sources.includes(s)));
}
