import { PER_KEY_COUNT_SOURCES, type UsageAssumption, type UsageSource } from './usage.js';

/**
 * The named assumptions request volumes rest on: how usage/ interprets CloudTrail and CloudWatch,
 * and what the report states about it. Kept in model/ so that the report builder (report/) can
 * list them without importing the collectors; usage/ reads the same constants from here.
 */

/**
 * Who pays for a call an AWS service made with a caller's credentials (`userIdentity.invokedBy`
 * set, e.g. S3 with SSE-KMS, with `userIdentity.accountId` the caller's): the caller's account.
 * AWS's pricing page bills a request to the account that makes it, and calls services make for
 * you to you; the KMS developer guide counts such calls against the caller's request quota
 * (cross-account S3 SSE-KMS calls count for the account reading the bucket, not the key owner).
 */
export const SERVICE_CALLS_BILLED_TO = 'caller' as const;

/**
 * UNCONFIRMED: who pays for a call a service made as itself (`userIdentity.type` `AWSService`,
 * no caller's credentials, no `accountId`): the key owner's account. AWS does not say.
 */
export const SERVICE_OWN_CALLS_BILLED_TO = 'key-owner' as const;

/**
 * A request that names several keys (ReEncrypt: source and destination) is one request: it is
 * counted once, on the first `AWS::KMS::Key` in `resources[]`.
 */
export const MULTI_KEY_REQUEST_COUNTED_ON = 'first-resource' as const;

/** UNCONFIRMED: GenerateDataKeyPair* calls are not part of the `CryptographicOperations*` totals. */
export const PAIR_OPERATIONS_IN_CLASS_TOTALS = false;
/** UNCONFIRMED: CloudWatch `CallCount` counts calls that failed too, so per-key failed calls are compared. */
export const CLOUDWATCH_COUNTS_FAILED_CALLS = true;

/**
 * Days read on each side of the month: a trail files an event under the day its file was
 * delivered, so the first minutes of the month can sit in the previous day's folder and the
 * last ones in the next day's. Events outside the window are dropped by their `eventTime`.
 */
export const DELIVERY_MARGIN_DAYS = 1;

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
