import type { KeyRecord } from '../../model/inventory.js';
import { describeMissing } from '../../model/observed.js';
import { compileUserPattern } from '../config.js';
import { fail, isResult, metadataOf, pass, unknown } from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/** A customer managed key has an alias, and one matches the configured naming pattern. */
const meta = {
  id: 'KMS-ALIAS-01',
  title: 'Key has an alias that follows the naming pattern',
  severity: 'low',
  rationale:
    'A key without a readable alias is hard to attribute, so it tends to outlive its purpose and keep being billed.',
  awsManagedKeys: { notApplicable: 'AWS names AWS managed keys (aws/<service>)' },
  remediation: {
    text: 'Create an alias for the key that follows the naming pattern.',
    cli: 'aws kms create-alias --alias-name alias/<name> --target-key-id <key-id> --region <region>',
    terraform: {
      resource: 'aws_kms_alias',
      attribute: 'name',
      example: 'name = "alias/<name>" # with target_key_id = aws_kms_key.<key>.key_id',
    },
  },
} satisfies RuleMeta;

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const m = metadataOf(key);
  if (isResult(m)) return m;
  if (key.aliases.status !== 'collected')
    return unknown(`the aliases could not be read: ${describeMissing(key.aliases)}`);
  const aliases = key.aliases.value;
  if (aliases.length === 0) return fail('the key has no alias');
  const pattern = context.config.aliasPattern;
  if (pattern === null) return pass(`the key has an alias: ${aliases.join(', ')}`);
  // RE2: linear in the alias's length, whatever the pattern (a key owner chooses the alias).
  const re = compileUserPattern(pattern);
  const good = aliases.filter((a) => re.test(a));
  if (good.length === 0)
    return fail(`no alias matches the naming pattern ${pattern}: ${aliases.join(', ')}`, {
      aliases: aliases.join(', '),
    });
  return pass(`alias ${good.join(', ')} matches the naming pattern ${pattern}`);
}

export const KMS_ALIAS_01: Rule = { meta, evaluate };
