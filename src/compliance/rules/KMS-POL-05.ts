import type { KeyRecord } from '../../model/inventory.js';
import {
  allowStatements,
  coversAction,
  describePrincipal,
  grantees,
  listSome,
  requiresGrantForAwsResource,
} from '../policy/analysis.js';
import { AWS_WRITES_THE_POLICY, customerPolicyOf, fail, isPolicy, pass } from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/** kms:CreateGrant is given to non-root principals only with kms:GrantIsForAWSResource = true. */
const meta = {
  id: 'KMS-POL-05',
  title: 'Grants are limited to AWS resources',
  severity: 'medium',
  rationale:
    'A principal that may create grants can hand the key to anyone, outside the key policy. The condition ' +
    'kms:GrantIsForAWSResource = true limits grants to AWS services acting for the principal (EBS, RDS, ...).',
  awsManagedKeys: { notApplicable: AWS_WRITES_THE_POLICY },
  remediation: {
    text:
      'Add the condition "Bool": {"kms:GrantIsForAWSResource": "true"} to every statement that allows ' +
      'kms:CreateGrant to a principal other than the account root.',
    cli: 'aws kms put-key-policy --key-id <key-id> --policy-name default --policy file://policy.json --region <region>',
    terraform: {
      resource: 'aws_kms_key',
      attribute: 'policy',
      example:
        'condition { test = "Bool" variable = "kms:GrantIsForAWSResource" values = ["true"] } # in the CreateGrant statement',
    },
  },
} satisfies RuleMeta;

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const policy = customerPolicyOf(key, context);
  if (!isPolicy(policy)) return policy;
  const problems: string[] = [];
  for (const s of allowStatements(policy, key.arn)) {
    if (!coversAction(s, 'kms:CreateGrant') || requiresGrantForAwsResource(s)) continue;
    const who = grantees(s).filter((p) => !p.root);
    if (who.length === 0) continue;
    const via = s.actions.some((a) => a === 'kms:creategrant')
      ? ''
      : ` (through ${s.actionMode === 'NotAction' ? 'NotAction' : s.actions.join(', ')})`;
    problems.push(
      `${s.label} allows kms:CreateGrant${via} to ${who.map(describePrincipal).join(', ')} without kms:GrantIsForAWSResource = true`,
    );
  }
  if (problems.length > 0)
    return fail(`grants are not limited to AWS resources: ${listSome(problems)}`, {
      statements: problems.length,
    });
  return pass(
    'kms:CreateGrant is allowed beyond the account root only with kms:GrantIsForAWSResource = true',
  );
}

export const KMS_POL_05: Rule = { meta, evaluate };
