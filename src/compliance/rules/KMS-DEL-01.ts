import type { KeyRecord } from '../../model/inventory.js';
import { day, daysBetween, fail, isResult, metadataOf, PENDING_DELETION_STATES, pass } from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/** The key is not scheduled for deletion. */
const meta = {
  id: 'KMS-DEL-01',
  title: 'Key is not scheduled for deletion',
  severity: 'critical',
  rationale:
    'Once the waiting period ends the key material is gone and everything it encrypted is unrecoverable. ' +
    'A scheduled deletion must be intended; it can be cancelled until the deletion date.',
  awsManagedKeys: { notApplicable: 'AWS managed keys cannot be scheduled for deletion' },
  remediation: {
    text: 'If the deletion is not intended, cancel it and re-enable the key.',
    cli: 'aws kms cancel-key-deletion --key-id <key-id> --region <region> && aws kms enable-key --key-id <key-id> --region <region>',
    terraform: {
      resource: 'aws_kms_key',
      attribute: 'lifecycle.prevent_destroy',
      example: 'lifecycle { prevent_destroy = true }',
    },
  },
} satisfies RuleMeta;

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const m = metadataOf(key);
  if (isResult(m)) return m;
  if (!PENDING_DELETION_STATES.has(m.keyState))
    return pass(`the key is ${m.keyState}, not scheduled for deletion`);
  if (!m.deletionDate)
    return fail(`the key is ${m.keyState}`, { keyState: m.keyState, deletionDate: null, daysLeft: null });
  const daysLeft = daysBetween(context.asOf, m.deletionDate);
  const when =
    daysLeft >= 0
      ? `${daysLeft} day${daysLeft === 1 ? '' : 's'} after the evidence was collected`
      : 'a date already past when the evidence was collected';
  return fail(`the key is ${m.keyState}: it will be deleted on ${day(m.deletionDate)}, ${when}`, {
    keyState: m.keyState,
    deletionDate: m.deletionDate,
    daysLeft,
  });
}

export const KMS_DEL_01: Rule = { meta, evaluate };
