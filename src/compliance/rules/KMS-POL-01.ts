import type { KeyRecord } from '../../model/inventory.js';
import {
  allowStatements,
  describePrincipal,
  grantees,
  listSome,
  RESTRICTING_KEYS,
  restrictingConditions,
  whyNotRestricting,
} from '../policy/analysis.js';
import { fail, isPolicy, pass, policyOf } from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/** No Allow statement opens the key to anyone without a restricting condition. */
const meta = {
  id: 'KMS-POL-01',
  title: 'Key policy does not allow public access',
  severity: 'critical',
  rationale:
    'A key policy that allows "*" without a condition naming an account, organization, service or ARN lets any ' +
    'AWS principal in any account use or manage the key.',
  awsManagedKeys: 'evaluated',
  remediation: {
    text:
      'Replace the public principal with the accounts or roles that need the key, or add a condition with a ' +
      'concrete value (kms:CallerAccount, aws:PrincipalOrgID, kms:ViaService, ...).',
    cli: 'aws kms put-key-policy --key-id <key-id> --policy-name default --policy file://policy.json --region <region>',
    terraform: {
      resource: 'aws_kms_key',
      attribute: 'policy',
      example: 'policy = data.aws_iam_policy_document.key.json # no "*" principal without a condition',
    },
  },
} satisfies RuleMeta;

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const policy = policyOf(context);
  if (!isPolicy(policy)) return policy;
  const problems: string[] = [];
  for (const s of allowStatements(policy, key.arn)) {
    const open = grantees(s).filter((p) => p.public);
    if (open.length === 0 || restrictingConditions(s).length > 0) continue;
    const loose = s.conditions
      .filter((c) => RESTRICTING_KEYS.has(c.key))
      .map((c) => whyNotRestricting(c))
      .filter((why): why is string => why !== null);
    const how =
      loose.length > 0
        ? ` with a condition that restricts nothing (${loose.join('; ')})`
        : ' without a restricting condition';
    problems.push(`${s.label} allows ${open.map(describePrincipal).join(', ')}${how}`);
  }
  if (problems.length > 0)
    return fail(`the key policy is public: ${listSome(problems)}`, { statements: problems.length });
  return pass(
    `no Allow statement opens the key to anyone without a restricting condition (${policy.statements.length} statement${policy.statements.length === 1 ? '' : 's'} read)`,
  );
}

export const KMS_POL_01: Rule = { meta, evaluate };
