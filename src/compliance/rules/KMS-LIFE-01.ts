import type { KeyRecord } from '../../model/inventory.js';
import { day, fail, isResult, metadataOf, notApplicable, PENDING_DELETION_STATES, pass } from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/** A customer managed key is not left Disabled for a whole month while still billed. */
const meta = {
  id: 'KMS-LIFE-01',
  title: 'Key is not disabled for the whole month while billed',
  severity: 'low',
  rationale:
    'A disabled customer managed key still costs $1 a month (plus rotations). A key nobody re-enabled all month ' +
    'is probably retired: schedule its deletion, or record why it is kept.',
  awsManagedKeys: { notApplicable: 'AWS managed keys carry no monthly fee' },
  remediation: {
    text: 'If the key is retired, schedule its deletion (it then stops being billed); otherwise re-enable it.',
    cli: 'aws kms schedule-key-deletion --key-id <key-id> --pending-window-in-days 30 --region <region>',
    terraform: {
      resource: 'aws_kms_key',
      attribute: 'is_enabled',
      example:
        'is_enabled = true # or remove the resource to schedule deletion after deletion_window_in_days',
    },
  },
} satisfies RuleMeta;

const STATE_EVENTS = new Set(['CreateKey', 'ReplicateKey', 'EnableKey', 'DisableKey', 'CancelKeyDeletion']);

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const m = metadataOf(key);
  if (isResult(m)) return m;
  if (PENDING_DELETION_STATES.has(m.keyState))
    return notApplicable(`the key is ${m.keyState}; keys awaiting deletion are not billed (see KMS-DEL-01)`);
  if (m.keyState !== 'Disabled') return pass(`the key is ${m.keyState}`, { keyState: m.keyState });
  const window = context.window;
  if (window === null)
    return fail(
      'the key is Disabled and still costs $1 a month (judged by its state at collection; no month was given)',
      {
        keyState: m.keyState,
      },
    );
  if (m.creationDate && m.creationDate >= window.start)
    return pass(`the key is Disabled but was created on ${day(m.creationDate)}, during ${window.month}`, {
      keyState: m.keyState,
    });
  const change = (context.usage?.lifecycle ?? []).find(
    (e) => STATE_EVENTS.has(e.event) && e.time >= window.start && e.time < window.end,
  );
  if (change)
    return pass(
      `the key is Disabled, but not for all of ${window.month}: ${change.event} on ${day(change.time)}`,
      {
        keyState: m.keyState,
      },
    );
  const evidence =
    context.usage?.cloudTrail === 'complete'
      ? 'no EnableKey or DisableKey event in CloudTrail'
      : 'judged by its state at collection; CloudTrail lifecycle events for the month were not fully read';
  return fail(`the key was Disabled for all of ${window.month} and still costs $1 a month (${evidence})`, {
    keyState: m.keyState,
  });
}

export const KMS_LIFE_01: Rule = { meta, evaluate };
