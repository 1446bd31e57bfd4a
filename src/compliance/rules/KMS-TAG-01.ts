import type { KeyRecord } from '../../model/inventory.js';
import { describeMissing } from '../../model/observed.js';
import { fail, isResult, metadataOf, notApplicable, pass, unknown } from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/** Every customer managed key carries the configured tag keys, with a value. */
const meta = {
  id: 'KMS-TAG-01',
  title: 'Key carries the required tags',
  severity: 'low',
  rationale:
    'Tags such as Owner tell who to ask before a key is rotated, disabled or deleted, and who pays for it.',
  awsManagedKeys: { notApplicable: 'AWS managed keys cannot be tagged' },
  remediation: {
    text: 'Tag the key with every required tag key (tag keys are case-sensitive; an empty value counts as missing).',
    cli: 'aws kms tag-resource --key-id <key-id> --tags TagKey=Owner,TagValue=<owner> --region <region>',
    terraform: {
      resource: 'aws_kms_key',
      attribute: 'tags',
      example: 'tags = { Owner = "team@example.com" }',
    },
  },
} satisfies RuleMeta;

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const m = metadataOf(key);
  if (isResult(m)) return m;
  const required = context.config.requiredTags;
  if (required.length === 0) return notApplicable('no required tag keys are configured');
  if (key.tags.status !== 'collected')
    return unknown(`the tags could not be read: ${describeMissing(key.tags)}`);
  const tags = key.tags.value;
  const missing = required.filter((k) => !tags.some((t) => t.key === k && t.value.trim() !== ''));
  if (missing.length > 0) {
    const named = missing.map((k) => (tags.some((t) => t.key === k) ? `${k} (empty value)` : k));
    return fail(`missing required tag${missing.length === 1 ? '' : 's'}: ${named.join(', ')}`, {
      missingTags: missing.join(', '),
    });
  }
  return pass(`all required tags are present (${required.join(', ')})`);
}

export const KMS_TAG_01: Rule = { meta, evaluate };
