import type { KeyRecord } from '../../model/inventory.js';
import {
  allowStatements,
  describePrincipal,
  grantees,
  listSome,
  narrowedAudience,
} from '../policy/analysis.js';
import { fail, isPolicy, pass, policyOf, unknown } from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/** Principals of other accounts are allowed only when those accounts (or the organization) are trusted. */
const meta = {
  id: 'KMS-POL-02',
  title: 'Key policy allows no untrusted account',
  severity: 'high',
  rationale:
    'A principal of another account named in the key policy can use the key without anyone in this account ' +
    'granting it in IAM. Only accounts listed as trusted (or proven members of the trusted organization) should appear.',
  awsManagedKeys: 'evaluated',
  remediation: {
    text:
      'Remove the other account from the key policy, or add it to trustedAccounts in the compliance ' +
      'configuration if the access is intended.',
    cli: 'aws kms put-key-policy --key-id <key-id> --policy-name default --policy file://policy.json --region <region>',
    terraform: {
      resource: 'aws_kms_key',
      attribute: 'policy',
      example: 'policy = data.aws_iam_policy_document.key.json # principals of trusted accounts only',
    },
  },
} satisfies RuleMeta;

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const policy = policyOf(context);
  if (!isPolicy(policy)) return policy;
  const trusted = new Set([context.account, ...context.config.trustedAccounts]);
  const org = context.config.organizationId;
  const problems: string[] = [];
  const unclear: string[] = [];
  for (const s of allowStatements(policy, key.arn)) {
    const audience = narrowedAudience(s);
    const orgs = audience.organizations;
    const inTrustedOrg = org !== null && orgs !== null && orgs.length > 0 && orgs.every((o) => o === org);
    for (const p of grantees(s)) {
      if (p.public) {
        if (audience.accounts) {
          const outside = audience.accounts.filter((a) => !trusted.has(a));
          if (outside.length > 0 && !inTrustedOrg)
            problems.push(`${s.label} allows ${describePrincipal(p)} from account ${outside.join(', ')}`);
        } else if (!inTrustedOrg) {
          problems.push(
            orgs
              ? `${s.label} allows any principal of organization ${orgs.join(', ')}${org ? `, not the trusted organization ${org}` : ' (no organization is configured as trusted)'}`
              : `${s.label} allows ${describePrincipal(p)} from any AWS account`,
          );
        }
      } else if (p.account !== null && !trusted.has(p.account) && !inTrustedOrg) {
        problems.push(`${s.label} allows ${p.raw} of account ${p.account}`);
      } else if (p.account === null && p.type === 'AWS' && !inTrustedOrg) {
        // A unique id (AROA..., AIDA...) or text that names no account: whose it is cannot be told.
        unclear.push(`${s.label} allows ${p.raw}, whose account cannot be told from the policy`);
      }
    }
  }
  if (problems.length > 0)
    return fail(`the key policy allows an untrusted account: ${listSome(problems)}`, {
      statements: problems.length,
    });
  if (unclear.length > 0) return unknown(`the key policy may allow another account: ${listSome(unclear)}`);
  const others = context.config.trustedAccounts.length;
  return pass(
    `every principal allowed belongs to this account${others > 0 || org ? ' or a trusted account or organization' : ''}`,
  );
}

export const KMS_POL_02: Rule = { meta, evaluate };
