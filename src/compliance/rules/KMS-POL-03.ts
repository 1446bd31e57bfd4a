import type { KeyRecord } from '../../model/inventory.js';
import {
  allowStatements,
  describePrincipal,
  grantees,
  grantsFullAccess,
  isOwnRoot,
  listSome,
} from '../policy/analysis.js';
import { AWS_WRITES_THE_POLICY, customerPolicyOf, fail, isPolicy, pass } from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/** Only the key's own account root holds every KMS permission (the default delegation to IAM). */
const meta = {
  id: 'KMS-POL-03',
  title: "Full access (kms:*) is given only to the account's root",
  severity: 'high',
  rationale:
    'kms:* lets a principal change the key policy, disable or delete the key and decrypt everything it protects. ' +
    'Beyond the account root (which delegates to IAM), grant only the actions a role needs.',
  awsManagedKeys: { notApplicable: AWS_WRITES_THE_POLICY },
  remediation: {
    text:
      'Replace kms:* for administrators with the administrative actions they need (kms:Create*, kms:Describe*, ' +
      'kms:Enable*, kms:List*, kms:Put*, kms:Update*, kms:Revoke*, kms:Disable*, kms:Get*, kms:Delete*, ' +
      'kms:TagResource, kms:UntagResource, kms:ScheduleKeyDeletion, kms:CancelKeyDeletion).',
    cli: 'aws kms put-key-policy --key-id <key-id> --policy-name default --policy file://policy.json --region <region>',
    terraform: {
      resource: 'aws_kms_key',
      attribute: 'policy',
      example: 'policy = data.aws_iam_policy_document.key.json # kms:* only for arn:aws:iam::<account>:root',
    },
  },
} satisfies RuleMeta;

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const policy = customerPolicyOf(key, context);
  if (!isPolicy(policy)) return policy;
  const problems: string[] = [];
  for (const s of allowStatements(policy, key.arn)) {
    if (!grantsFullAccess(s)) continue;
    const who = grantees(s).filter((p) => !isOwnRoot(p, context.account));
    if (who.length === 0) continue;
    // The pattern that grants it, as the policy writes it (`kms:*`, `"*"`), not the whole statement.
    const what =
      s.actionMode === 'NotAction'
        ? `every action except ${s.writtenActions.join(', ')}`
        : s.writtenActions
            .filter((a) => a === '*' || a.toLowerCase() === 'kms:*')
            .map((a) => (a === '*' ? '"*"' : a))
            .join(', ');
    problems.push(`${s.label} gives ${what} to ${who.map(describePrincipal).join(', ')}`);
  }
  if (problems.length > 0)
    return fail(`full access goes beyond the account root: ${listSome(problems)}`, {
      statements: problems.length,
    });
  return pass('only the account root is given full access (kms:*)');
}

export const KMS_POL_03: Rule = { meta, evaluate };
