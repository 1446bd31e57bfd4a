import type { KeyRecord } from '../../model/inventory.js';
import {
  ADMIN_ACTIONS,
  allowStatements,
  CRYPTO_ACTIONS,
  describePrincipal,
  grantees,
  grantingActions,
  listSome,
} from '../policy/analysis.js';
import type { Principal } from '../policy/parse.js';
import { AWS_WRITES_THE_POLICY, customerPolicyOf, fail, isPolicy, pass } from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/** No principal other than a root both administers and uses the key. */
const meta = {
  id: 'KMS-POL-04',
  title: 'Key administrators and key users are separate principals',
  severity: 'medium',
  rationale:
    'A principal that can both change the key (policy, deletion, disabling) and decrypt with it can remove the ' +
    "controls on the data it reads. AWS's default key policy keeps administrators and users in separate statements.",
  awsManagedKeys: { notApplicable: AWS_WRITES_THE_POLICY },
  remediation: {
    text: 'Give administrative actions and cryptographic actions to different roles.',
    cli: 'aws kms put-key-policy --key-id <key-id> --policy-name default --policy file://policy.json --region <region>',
    terraform: {
      resource: 'aws_kms_key',
      attribute: 'policy',
      example:
        'policy = data.aws_iam_policy_document.key.json # administrators and users as separate principals',
    },
  },
} satisfies RuleMeta;

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const policy = customerPolicyOf(key, context);
  if (!isPolicy(policy)) return policy;
  const held = new Map<string, { principal: Principal; admin: Set<string>; use: Set<string> }>();
  for (const s of allowStatements(policy, key.arn)) {
    for (const p of grantees(s)) {
      if (p.root) continue;
      const entry = held.get(p.id) ?? { principal: p, admin: new Set<string>(), use: new Set<string>() };
      held.set(p.id, entry);
      // The patterns that give the rights (`kms:Put*`), as written, not every action they cover.
      for (const a of ADMIN_ACTIONS) for (const p of grantingActions(s, a)) entry.admin.add(p);
      for (const a of CRYPTO_ACTIONS) for (const p of grantingActions(s, a)) entry.use.add(p);
    }
  }
  const problems = [...held.values()]
    .filter((e) => e.admin.size > 0 && e.use.size > 0)
    .map(
      (e) =>
        `${describePrincipal(e.principal)} may both administer (${listSome([...e.admin])}) and use (${listSome([...e.use])}) the key`,
    );
  if (problems.length > 0)
    return fail(`administration and use are not separated: ${listSome(problems, 2)}`, {
      principals: problems.length,
    });
  return pass('no principal other than a root both administers and uses the key');
}

export const KMS_POL_04: Rule = { meta, evaluate };
