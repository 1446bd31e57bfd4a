import type { KeyRecord } from '../../model/inventory.js';
import { CRYPTOGRAPHIC_OPERATIONS } from '../../model/kms.js';
import { describeMissing } from '../../model/observed.js';
import {
  day,
  daysBetween,
  fail,
  isResult,
  metadataOf,
  notApplicable,
  PENDING_DELETION_STATES,
  pass,
  unknown,
} from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/** A customer managed key had a successful cryptographic use within the unused-key window. */
const meta = {
  id: 'KMS-LIFE-02',
  title: 'Key is used, not just billed',
  severity: 'low',
  rationale:
    'A key nobody encrypts, decrypts or signs with still costs $1 a month. Other tools judge only by state; ' +
    'this rule looks at the use itself (GetKeyLastUsage, or the CloudTrail events of the month).',
  awsManagedKeys: { notApplicable: 'AWS managed keys carry no monthly fee' },
  remediation: {
    text: 'Find the key owner; if the key protects nothing any more, disable it, then schedule its deletion.',
    cli: 'aws kms disable-key --key-id <key-id> --region <region>',
    terraform: {
      resource: 'aws_kms_key',
      attribute: 'is_enabled',
      example: 'is_enabled = false # then remove the resource once nothing depends on it',
    },
  },
} satisfies RuleMeta;

/** Operations that use the key material (CloudTrail event names): not GenerateRandom (no key) nor GetPublicKey (public half only). */
const CRYPTO_OPERATIONS: ReadonlySet<string> = new Set(
  [...CRYPTOGRAPHIC_OPERATIONS].filter((op) => op !== 'GenerateRandom' && op !== 'GetPublicKey'),
);

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const m = metadataOf(key);
  if (isResult(m)) return m;
  if (PENDING_DELETION_STATES.has(m.keyState))
    return notApplicable(`the key is ${m.keyState}; keys awaiting deletion are not billed (see KMS-DEL-01)`);
  const limit = context.config.thresholds.unusedKeyDays;
  const last = key.lastUsage.status === 'collected' ? key.lastUsage.value : null;
  const usage = context.usage;
  const calls = (usage?.requests ?? [])
    .filter((r) => CRYPTO_OPERATIONS.has(r.operation))
    .reduce((sum, r) => sum + r.count, 0);

  if (last?.timestamp) {
    const since = daysBetween(last.timestamp, context.asOf);
    const details = { lastUsed: last.timestamp, daysSinceLastUse: since, unusedKeyDays: limit };
    const what = `last used on ${day(last.timestamp)}${last.operation ? ` (${last.operation})` : ''}, ${since} days before collection`;
    if (since <= limit) return pass(what, details);
    if (calls === 0) return fail(`${what}: more than ${limit} days unused, still billed`, details);
  }
  if (usage && calls > 0)
    return pass(
      `${calls} successful cryptographic request${calls === 1 ? '' : 's'} in ${usage.window.month} (CloudTrail)`,
      {
        requests: calls,
      },
    );
  if (m.creationDate) {
    const age = daysBetween(m.creationDate, context.asOf);
    if (age < limit)
      return notApplicable(
        `the key was created ${age} days before collection, less than the unused-key window of ${limit} days`,
      );
  }
  if (
    last &&
    !last.timestamp &&
    last.trackingStartDate &&
    daysBetween(last.trackingStartDate, context.asOf) >= limit
  )
    return fail(
      `no successful cryptographic use since usage tracking began on ${day(last.trackingStartDate)} (GetKeyLastUsage), still billed`,
      { lastUsed: null, unusedKeyDays: limit },
    );
  if (usage && usage.cloudTrail === 'complete')
    return fail(
      `no successful cryptographic request in ${usage.window.month} (CloudTrail, whole month read), still billed`,
      {
        requests: 0,
      },
    );
  const lastWhy =
    key.lastUsage.status !== 'collected'
      ? `GetKeyLastUsage: ${describeMissing(key.lastUsage)}`
      : last?.trackingStartDate
        ? `GetKeyLastUsage: no use recorded since tracking began on ${day(last.trackingStartDate)}, fewer than ${limit} days before collection`
        : 'GetKeyLastUsage: no use and no tracking start recorded';
  const trailWhy = !usage
    ? 'CloudTrail usage was not collected'
    : `CloudTrail for ${usage.window.month} was ${usage.cloudTrail === 'partial' ? 'only partly read' : 'not read'} for ${key.region}`;
  return unknown(`no usage evidence: ${lastWhy}; ${trailWhy}`);
}

export const KMS_LIFE_02: Rule = { meta, evaluate };
