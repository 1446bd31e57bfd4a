import type { KeyRecord } from '../../model/inventory.js';
import {
  day,
  fail,
  isResult,
  metadataOf,
  notApplicable,
  PENDING_DELETION_STATES,
  pass,
  unknown,
} from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/** A scheduled deletion leaves at least the configured waiting period (default 30 days). */
const meta = {
  id: 'KMS-DEL-02',
  title: 'Deletion waiting period is at least the configured minimum',
  severity: 'medium',
  rationale:
    'The waiting period is the only time a mistaken or malicious deletion can be noticed and cancelled. AWS ' +
    'allows 7 to 30 days; the window is chosen at ScheduleKeyDeletion and is only visible in CloudTrail.',
  awsManagedKeys: { notApplicable: 'AWS managed keys cannot be scheduled for deletion' },
  remediation: {
    text:
      'Cancel the deletion and schedule it again with a longer waiting period, and enforce the minimum with ' +
      'the SCP condition kms:ScheduleKeyDeletionPendingWindowInDays.',
    cli:
      'aws kms cancel-key-deletion --key-id <key-id> --region <region> && ' +
      'aws kms schedule-key-deletion --key-id <key-id> --pending-window-in-days 30 --region <region>',
    terraform: {
      resource: 'aws_kms_key',
      attribute: 'deletion_window_in_days',
      example: 'deletion_window_in_days = 30',
    },
  },
} satisfies RuleMeta;

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const m = metadataOf(key);
  if (isResult(m)) return m;
  const min = context.config.thresholds.minDeletionWindowDays;
  const pending = PENDING_DELETION_STATES.has(m.keyState);
  const scheduled = (context.usage?.lifecycle ?? []).filter(
    (e) => e.event === 'ScheduleKeyDeletion' && typeof e.pendingWindowInDays === 'number',
  );
  const latest = scheduled.at(-1);
  let windowDays: number | null = null;
  let source = '';
  if (latest?.pendingWindowInDays !== undefined) {
    windowDays = latest.pendingWindowInDays;
    source = `ScheduleKeyDeletion on ${day(latest.time)} (CloudTrail)`;
  } else if (pending && m.pendingDeletionWindowInDays !== null) {
    windowDays = m.pendingDeletionWindowInDays;
    source = 'DescribeKey';
  }
  if (windowDays === null) {
    if (!pending)
      return notApplicable(
        `the key is ${m.keyState}: no deletion is scheduled, so there is no waiting period`,
      );
    const why = !context.usage
      ? 'CloudTrail lifecycle events were not collected'
      : context.usage.cloudTrail === 'none'
        ? `CloudTrail was not read for ${key.region}`
        : `no ScheduleKeyDeletion event for the key in ${context.usage.window.month} carries it`;
    return unknown(`the key is ${m.keyState} but the waiting period chosen is not in the evidence: ${why}`);
  }
  const still = pending ? '' : ' (the deletion has since been cancelled)';
  const details = { deletionWindowInDays: windowDays, minDeletionWindowDays: min };
  if (windowDays < min)
    return fail(
      `the deletion waiting period is ${windowDays} days, below the minimum of ${min} (${source})${still}`,
      details,
    );
  return pass(
    `the deletion waiting period is ${windowDays} days (minimum ${min}; ${source})${still}`,
    details,
  );
}

export const KMS_DEL_02: Rule = { meta, evaluate };
