import type { KeyRecord } from '../../model/inventory.js';
import { describeMissing } from '../../model/observed.js';
import {
  cannotRotate,
  fail,
  isResult,
  metadataOf,
  notApplicable,
  PENDING_DELETION_STATES,
  pass,
  unknown,
} from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/** The automatic rotation period is within the configured maximum (default 365 days). */
const meta = {
  id: 'KMS-ROT-02',
  title: 'Rotation period is within the configured maximum',
  severity: 'low',
  rationale:
    'CIS asks for yearly rotation. A period longer than the maximum lets one key version protect data for longer ' +
    'than the organization accepts.',
  awsManagedKeys: { notApplicable: 'AWS sets the rotation period of AWS managed keys' },
  remediation: {
    text: 'Set the rotation period to at most the configured maximum (AWS allows 90 to 2560 days).',
    cli: 'aws kms enable-key-rotation --key-id <key-id> --rotation-period-in-days 365 --region <region>',
    terraform: {
      resource: 'aws_kms_key',
      attribute: 'rotation_period_in_days',
      example: 'rotation_period_in_days = 365',
    },
  },
} satisfies RuleMeta;

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const m = metadataOf(key);
  if (isResult(m)) return m;
  const why = cannotRotate(m);
  if (why) return notApplicable(why);
  if (PENDING_DELETION_STATES.has(m.keyState))
    return notApplicable(`the key is ${m.keyState}; rotation no longer matters (see KMS-DEL-01)`);
  if (key.rotation.status !== 'collected')
    return unknown(`the rotation status could not be read: ${describeMissing(key.rotation)}`);
  const r = key.rotation.value;
  if (!r.enabled)
    return notApplicable('automatic rotation is off, so there is no period to judge (see KMS-ROT-01)');
  const max = context.config.thresholds.maxRotationPeriodDays;
  if (r.periodInDays === null)
    return unknown('rotation is on but GetKeyRotationStatus returned no rotation period');
  const details = { rotationPeriodInDays: r.periodInDays, maxRotationPeriodDays: max };
  if (r.periodInDays > max)
    return fail(`the key rotates every ${r.periodInDays} days, more than the maximum of ${max}`, details);
  return pass(`the key rotates every ${r.periodInDays} days (maximum ${max})`, details);
}

export const KMS_ROT_02: Rule = { meta, evaluate };
