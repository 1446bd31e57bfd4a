import type { Severity } from '../../model/findings.js';
import type { KeyRecord } from '../../model/inventory.js';
import {
  allowStatements,
  coversAction,
  describePrincipal,
  grantees,
  grantingActions,
  listSome,
  requiresGrantForAwsResource,
} from '../policy/analysis.js';
import type { PolicyStatement } from '../policy/parse.js';
import { AWS_WRITES_THE_POLICY, customerPolicyOf, fail, isPolicy, pass } from './common.js';
import type { Rule, RuleContext, RuleMeta, RuleResult } from './types.js';

/**
 * kms:CreateGrant is given to non-root principals only with kms:GrantIsForAWSResource = true.
 *
 * The console's default key policy gives key administrators `kms:Create*`, which covers
 * kms:CreateGrant. That is a real right (an administrator can grant themselves Decrypt), but the
 * same administrators may change the key policy (`kms:Put*`) and so give themselves anything:
 * the grant adds no power they lack. When the right comes only from such an administrators'
 * wildcard, the finding stays a FAIL (the policy does not limit grants) at
 * {@link ADMIN_WILDCARD_SEVERITY}, with its own reason; any other statement that gives the right
 * keeps the rule's severity.
 */
const meta = {
  id: 'KMS-POL-05',
  title: 'Grants are limited to AWS resources',
  severity: 'medium',
  rationale:
    'A principal that may create grants can hand the key to anyone, outside the key policy. The condition ' +
    'kms:GrantIsForAWSResource = true limits grants to AWS services acting for the principal (EBS, RDS, ...). ' +
    'When only key administrators get the right, through a wildcard such as kms:Create*, and may change the key ' +
    'policy anyway, the finding is low severity.',
  awsManagedKeys: { notApplicable: AWS_WRITES_THE_POLICY },
  remediation: {
    text:
      'Add the condition "Bool": {"kms:GrantIsForAWSResource": "true"} to every statement that allows ' +
      'kms:CreateGrant to a principal other than the account root; for key administrators, list their ' +
      'actions without kms:CreateGrant (kms:CreateAlias instead of kms:Create*).',
    cli: 'aws kms put-key-policy --key-id <key-id> --policy-name default --policy file://policy.json --region <region>',
    terraform: {
      resource: 'aws_kms_key',
      attribute: 'policy',
      example:
        'condition { test = "Bool" variable = "kms:GrantIsForAWSResource" values = ["true"] } # in the CreateGrant statement',
    },
  },
} satisfies RuleMeta;

/** The severity of a finding whose grant right comes only from a key administrators' wildcard. */
const ADMIN_WILDCARD_SEVERITY: Severity = 'low';

/**
 * The right comes from an administrators' wildcard: a wildcard pattern (not kms:CreateGrant
 * named, not NotAction) in a statement that also lets the same, non-public, principals change
 * the key policy.
 */
function fromAdministratorsWildcard(s: PolicyStatement, via: readonly string[]): boolean {
  return (
    s.actionMode === 'Action' &&
    via.every((a) => a.includes('*') || a.includes('?')) &&
    coversAction(s, 'kms:PutKeyPolicy') &&
    grantees(s).every((p) => !p.public)
  );
}

function evaluate(key: KeyRecord, context: RuleContext): RuleResult {
  const policy = customerPolicyOf(key, context);
  if (!isPolicy(policy)) return policy;
  const problems: string[] = [];
  const administrators: string[] = [];
  for (const s of allowStatements(policy, key.arn)) {
    if (!coversAction(s, 'kms:CreateGrant') || requiresGrantForAwsResource(s)) continue;
    const who = grantees(s).filter((p) => !p.root);
    if (who.length === 0) continue;
    const via = grantingActions(s, 'kms:CreateGrant');
    const through =
      via.length === 1 && via[0]?.toLowerCase() === 'kms:creategrant' ? '' : ` (through ${via.join(', ')})`;
    const names = who.map(describePrincipal).join(', ');
    if (fromAdministratorsWildcard(s, via))
      administrators.push(
        `${s.label} allows kms:CreateGrant only through ${via.join(', ')} to ${names}, who may also change the key policy (${grantingActions(s, 'kms:PutKeyPolicy').join(', ')})`,
      );
    else
      problems.push(
        `${s.label} allows kms:CreateGrant${through} to ${names} without kms:GrantIsForAWSResource = true`,
      );
  }
  if (problems.length > 0)
    return fail(`grants are not limited to AWS resources: ${listSome([...problems, ...administrators])}`, {
      statements: problems.length + administrators.length,
    });
  if (administrators.length > 0)
    return {
      ...fail(
        `grants are not limited to AWS resources, but only the key administrators' wildcard gives the right (low severity: they may change the key policy anyway): ${listSome(administrators)}`,
        { statements: administrators.length, administratorsWildcardOnly: true },
      ),
      severity: ADMIN_WILDCARD_SEVERITY,
    };
  return pass(
    'kms:CreateGrant is allowed beyond the account root only with kms:GrantIsForAWSResource = true',
  );
}

export const KMS_POL_05: Rule = { meta, evaluate };
