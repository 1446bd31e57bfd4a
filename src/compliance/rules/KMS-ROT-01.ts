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
import type { Rule, RuleMeta, RuleResult } from './types.js';

/** Automatic rotation is on for every customer managed key that can rotate. */
const meta = {
  id: 'KMS-ROT-01',
  title: 'Automatic key rotation is enabled',
  severity: 'medium',
  rationale:
    'Rotating key material limits how much data one key version protects and how long a leaked version is useful. ' +
    'Only symmetric keys with AWS_KMS origin can rotate automatically; the others are not applicable.',
  awsManagedKeys: { notApplicable: 'AWS rotates AWS managed keys every year; rotation cannot be configured' },
  remediation: {
    text: 'Enable automatic rotation of the key.',
    cli: 'aws kms enable-key-rotation --key-id <key-id> --region <region>',
    terraform: {
      resource: 'aws_kms_key',
      attribute: 'enable_key_rotation',
      example: 'enable_key_rotation = true',
    },
  },
} satisfies RuleMeta;

function evaluate(key: KeyRecord): RuleResult {
  const m = metadataOf(key);
  if (isResult(m)) return m;
  const why = cannotRotate(m);
  if (why) return notApplicable(why);
  if (PENDING_DELETION_STATES.has(m.keyState))
    return notApplicable(`the key is ${m.keyState}; rotation no longer matters (see KMS-DEL-01)`);
  if (key.rotation.status !== 'collected')
    return unknown(`the rotation status could not be read: ${describeMissing(key.rotation)}`);
  const r = key.rotation.value;
  if (!r.enabled) return fail('automatic rotation is off', { rotationEnabled: false });
  const every = r.periodInDays !== null ? ` every ${r.periodInDays} days` : '';
  const next = r.nextRotationDate ? `, next on ${r.nextRotationDate.slice(0, 10)}` : '';
  return pass(`automatic rotation is on${every}${next}`, {
    rotationEnabled: true,
    rotationPeriodInDays: r.periodInDays,
  });
}

export const KMS_ROT_01: Rule = { meta, evaluate };
