import type { KeyRecord } from '../../model/inventory.js';
import { multiRegionOf } from '../../model/kms.js';
import { describeMissing } from '../../model/observed.js';
import { wildcardMatch } from '../policy/analysis.js';
import { fail, isResult, metadataOf, pass, unknown } from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/** A multi-Region key is on the configured allow-list. */
const meta = {
  id: 'KMS-MR-01',
  title: 'Multi-Region keys are approved',
  severity: 'medium',
  rationale:
    'The material of a multi-Region key is shared by every replica: data encrypted in one Region can be ' +
    'decrypted in another, and each replica is billed as a key. Such keys should be a deliberate choice.',
  awsManagedKeys: { notApplicable: 'AWS managed keys are never multi-Region' },
  remediation: {
    text:
      'If intended, add the key (ARN, mrk- key id or alias) to multiRegionAllowList; otherwise move the data to ' +
      'a single-Region key and retire this one. A key cannot be converted to single-Region.',
    cli: 'aws kms create-key --no-multi-region --region <region>',
    terraform: { resource: 'aws_kms_key', attribute: 'multi_region', example: 'multi_region = false' },
  },
} satisfies RuleMeta;

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const m = metadataOf(key);
  if (isResult(m)) return m;
  // A flag DescribeKey left out is not "single-Region": the key id or the configuration says, else UNKNOWN.
  const reading = multiRegionOf(key.keyId, m);
  if (reading.kind === 'unknown') return unknown(reading.reason);
  if (reading.kind === 'single-Region') return pass('the key is single-Region');
  const mr = reading.info;
  const aliases = key.aliases.status === 'collected' ? key.aliases.value : [];
  const names = [key.arn, key.keyId, ...aliases];
  const entry = context.config.multiRegionAllowList.find((e) =>
    names.some((n) => wildcardMatch(e, n, false)),
  );
  const role = mr
    ? `a multi-Region ${mr.role} key${mr.role === 'PRIMARY' && mr.replicas.length > 0 ? ` (replicas in ${mr.replicas.map((r) => r.region).join(', ')})` : ''}${mr.role === 'REPLICA' && mr.primary ? ` (primary in ${mr.primary.region})` : ''}`
    : 'a multi-Region key (its id begins mrk-; DescribeKey gave no MultiRegionConfiguration, so its role is unknown)';
  const details = { multiRegionRole: mr?.role ?? null, replicas: mr ? mr.replicas.length : null };
  if (entry) return pass(`the key is ${role}, approved by allow-list entry ${entry}`, details);
  const aliasEntries = context.config.multiRegionAllowList.some((e) => e.startsWith('alias/'));
  if (aliasEntries && key.aliases.status !== 'collected')
    return unknown(
      `the key is ${role}; the allow-list names aliases but the key's aliases could not be read: ${describeMissing(key.aliases)}`,
    );
  return fail(`the key is ${role} and is not in the multi-Region allow-list`, details);
}

export const KMS_MR_01: Rule = { meta, evaluate };
