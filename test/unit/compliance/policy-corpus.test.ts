import { describe, expect, it } from 'vitest';
import { evaluateRule } from '../../../src/compliance/engine.js';
import { KMS_POL_01 } from '../../../src/compliance/rules/KMS-POL-01.js';
import { KMS_POL_02 } from '../../../src/compliance/rules/KMS-POL-02.js';
import { KMS_POL_03 } from '../../../src/compliance/rules/KMS-POL-03.js';
import { KMS_POL_04 } from '../../../src/compliance/rules/KMS-POL-04.js';
import { KMS_POL_05 } from '../../../src/compliance/rules/KMS-POL-05.js';
import type { KeyRecord } from '../../../src/model/inventory.js';
import { failed } from '../../../src/model/observed.js';
import { ACCOUNT, awsManagedKey, contextFor, defaultPolicy, makeKey, OTHER_ACCOUNT } from './factory.js';

/**
 * A corpus of key policies with the verdict of each POL rule, written as five letters in
 * the order KMS-POL-01..05: P = PASS, F = FAIL, N = NOT_APPLICABLE, U = UNKNOWN.
 */
const POL_RULES = [KMS_POL_01, KMS_POL_02, KMS_POL_03, KMS_POL_04, KMS_POL_05];
const LETTER = { PASS: 'P', FAIL: 'F', NOT_APPLICABLE: 'N', UNKNOWN: 'U' } as const;

const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/key-admin`;
const OTHER_ROOT = `arn:aws:iam::${OTHER_ACCOUNT}:root`;
const ORG = 'o-a1b2c3d4e5';
const USE = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
const ADMIN_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];
const GRANT_ACTIONS = ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'];
const FOR_AWS = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };

const allow = (Principal: unknown, Action: unknown, extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Principal,
  Action,
  Resource: '*',
  ...extra,
});
const withRoot = (...statements: object[]) => ({
  Version: '2012-10-17',
  Statement: [...(defaultPolicy() as { Statement: object[] }).Statement, ...statements],
});

/** The seed article's four-statement policy (Terraform aws_iam_policy_document). */
const SEED_PRINCIPALS = [
  `arn:aws:iam::${ACCOUNT}:user/terraform`,
  `arn:aws:iam::${ACCOUNT}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport`,
  `arn:aws:iam::${ACCOUNT}:role/aws-service-role/trustedadvisor.amazonaws.com/AWSServiceRoleForTrustedAdvisor`,
];
const seedPolicy = withRoot(
  allow({ AWS: SEED_PRINCIPALS }, 'kms:*', { Sid: 'Allow access for Key Administrators' }),
  allow({ AWS: SEED_PRINCIPALS }, USE, { Sid: 'Allow use of the key' }),
  allow({ AWS: SEED_PRINCIPALS }, GRANT_ACTIONS, {
    Sid: 'Allow attachment of persistent resources',
    Condition: FOR_AWS,
  }),
);

/** The policy AWS writes for an AWS managed key (aws/ebs-style). */
const awsManagedPolicy = {
  Version: '2012-10-17',
  Id: 'auto-ebs-2',
  Statement: [
    {
      Sid: 'Allow access through EBS for all principals in the account that are authorized to use EBS',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncrypt*',
        'kms:GenerateDataKey*',
        'kms:CreateGrant',
        'kms:DescribeKey',
      ],
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' },
      },
    },
    {
      Sid: 'Allow direct access to key metadata to the account',
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
      Resource: '*',
    },
  ],
};

interface Case {
  readonly name: string;
  readonly policy: object | string;
  readonly expect: string;
  readonly config?: unknown;
  readonly key?: (policy: object | string) => KeyRecord;
}

const CORPUS: readonly Case[] = [
  { name: 'the AWS default policy (root, kms:*)', policy: defaultPolicy(), expect: 'PPPPP' },
  { name: "the seed article's four-statement policy", policy: seedPolicy, expect: 'PPFFF' },
  {
    name: 'the console default with administrators and users apart (admins keep kms:Create*, which covers CreateGrant)',
    policy: withRoot(
      allow({ AWS: ADMIN }, ADMIN_ACTIONS),
      allow({ AWS: ROLE }, USE),
      allow({ AWS: ROLE }, GRANT_ACTIONS, { Condition: FOR_AWS }),
    ),
    expect: 'PPPPF',
  },
  {
    name: 'administrators and users apart, administrators without CreateGrant',
    policy: withRoot(
      allow({ AWS: ADMIN }, [
        'kms:CreateAlias',
        'kms:PutKeyPolicy',
        'kms:ScheduleKeyDeletion',
        'kms:Describe*',
      ]),
      allow({ AWS: ROLE }, USE),
      allow({ AWS: ROLE }, GRANT_ACTIONS, { Condition: FOR_AWS }),
    ),
    expect: 'PPPPP',
  },
  {
    name: 'a unique role id as principal (its account cannot be told)',
    policy: withRoot(allow({ AWS: 'AROAEXAMPLEUNIQUEID123' }, 'kms:Decrypt')),
    expect: 'PUPPP',
  },
  {
    name: '"Principal": "*" without condition',
    policy: withRoot(allow('*', 'kms:Decrypt')),
    expect: 'FFPPP',
  },
  {
    name: '"Principal": "*" with kms:CallerAccount of this account',
    policy: withRoot(
      allow('*', 'kms:Decrypt', { Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT } } }),
    ),
    expect: 'PPPPP',
  },
  {
    name: '"Principal": "*" with kms:CallerAccount of another account',
    policy: withRoot(
      allow('*', 'kms:Decrypt', { Condition: { StringEquals: { 'kms:CallerAccount': OTHER_ACCOUNT } } }),
    ),
    expect: 'PFPPP',
  },
  {
    name: '{"AWS": "*"} with aws:PrincipalOrgID of the trusted organization',
    policy: withRoot(
      allow({ AWS: '*' }, 'kms:Decrypt', { Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } }),
    ),
    config: { organizationId: ORG },
    expect: 'PPPPP',
  },
  {
    name: '{"AWS": "*"} with aws:PrincipalOrgID, no organization trusted',
    policy: withRoot(
      allow({ AWS: '*' }, 'kms:Decrypt', { Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } }),
    ),
    expect: 'PFPPP',
  },
  {
    name: 'a condition whose value is "*"',
    policy: withRoot(
      allow({ AWS: '*' }, 'kms:Decrypt', { Condition: { StringLike: { 'kms:CallerAccount': '*' } } }),
    ),
    expect: 'FFPPP',
  },
  {
    name: 'aws:PrincipalArn with a wildcard account',
    policy: withRoot(
      allow({ AWS: '*' }, 'kms:Decrypt', {
        Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/app' } },
      }),
    ),
    expect: 'FFPPP',
  },
  {
    name: 'aws:PrincipalArn naming roles of this account',
    policy: withRoot(
      allow({ AWS: '*' }, 'kms:Decrypt', {
        Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/*` } },
      }),
    ),
    expect: 'PPPPP',
  },
  {
    name: 'StringEqualsIfExists kms:CallerAccount (passes when the key is absent)',
    policy: withRoot(
      allow('*', 'kms:Decrypt', { Condition: { StringEqualsIfExists: { 'kms:CallerAccount': ACCOUNT } } }),
    ),
    expect: 'FFPPP',
  },
  {
    name: 'ForAllValues:StringEquals aws:PrincipalOrgID (passes on an empty set)',
    policy: withRoot(
      allow('*', 'kms:Decrypt', {
        Condition: { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': ORG } },
      }),
    ),
    config: { organizationId: ORG },
    expect: 'FFPPP',
  },
  {
    name: 'ForAnyValue:StringEquals aws:PrincipalOrgID of the trusted organization',
    policy: withRoot(
      allow('*', 'kms:Decrypt', { Condition: { 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgID': ORG } } }),
    ),
    config: { organizationId: ORG },
    expect: 'PPPPP',
  },
  {
    name: 'StringNotEquals kms:CallerAccount (allows every other account)',
    policy: withRoot(
      allow('*', 'kms:Decrypt', { Condition: { StringNotEquals: { 'kms:CallerAccount': OTHER_ACCOUNT } } }),
    ),
    expect: 'FFPPP',
  },
  {
    name: 'an empty list of values',
    policy: withRoot(allow('*', 'kms:Decrypt', { Condition: { StringEquals: { 'kms:CallerAccount': [] } } })),
    expect: 'FFPPP',
  },
  {
    name: 'upper-case condition operator key and name',
    policy: withRoot(
      allow('*', 'kms:Decrypt', { Condition: { STRINGEQUALS: { 'KMS:CALLERACCOUNT': ACCOUNT } } }),
    ),
    expect: 'PPPPP',
  },
  {
    name: 'kms:ViaService alone (any account through the service)',
    policy: withRoot(
      allow('*', 'kms:Decrypt', {
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      }),
    ),
    expect: 'PFPPP',
  },
  {
    name: 'arn:aws:iam::*:root as principal',
    policy: withRoot(allow({ AWS: 'arn:aws:iam::*:root' }, 'kms:Decrypt')),
    expect: 'FFPPP',
  },
  {
    name: 'a bare account id of this account with kms:*',
    policy: { Statement: [allow({ AWS: ACCOUNT }, 'kms:*')] },
    expect: 'PPPPP',
  },
  {
    name: 'a bare account id of another account',
    policy: withRoot(allow({ AWS: OTHER_ACCOUNT }, USE)),
    expect: 'PFPPP',
  },
  { name: "another account's root", policy: withRoot(allow({ AWS: OTHER_ROOT }, USE)), expect: 'PFPPP' },
  {
    name: "another account's root, trusted in the configuration",
    policy: withRoot(allow({ AWS: OTHER_ROOT }, USE)),
    config: { trustedAccounts: [OTHER_ACCOUNT] },
    expect: 'PPPPP',
  },
  {
    name: 'a role of another account proven in the trusted organization',
    policy: withRoot(
      allow({ AWS: `arn:aws:iam::${OTHER_ACCOUNT}:role/reader` }, 'kms:Decrypt', {
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      }),
    ),
    config: { organizationId: ORG },
    expect: 'PPPPP',
  },
  {
    name: "another account's root given kms:*",
    policy: withRoot(allow({ AWS: OTHER_ROOT }, 'kms:*')),
    expect: 'PFFPP',
  },
  { name: 'kms:* to a role', policy: withRoot(allow({ AWS: ROLE }, 'kms:*')), expect: 'PPFFF' },
  { name: '"*" action to a role', policy: withRoot(allow({ AWS: ROLE }, '*')), expect: 'PPFFF' },
  { name: 'Kms:* in mixed case to a role', policy: withRoot(allow({ AWS: ROLE }, 'Kms:*')), expect: 'PPFFF' },
  {
    name: 'NotAction: everything but ScheduleKeyDeletion to a role',
    policy: withRoot({
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      NotAction: 'kms:ScheduleKeyDeletion',
      Resource: '*',
    }),
    expect: 'PPFFF',
  },
  {
    name: 'NotAction excluding all administration and grants',
    policy: withRoot({
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      NotAction: [
        'kms:Put*',
        'kms:Create*',
        'kms:Delete*',
        'kms:Disable*',
        'kms:Update*',
        'kms:ScheduleKeyDeletion',
      ],
      Resource: '*',
    }),
    expect: 'PPFPP',
  },
  {
    name: 'a grant statement without kms:GrantIsForAWSResource',
    policy: withRoot(allow({ AWS: ROLE }, GRANT_ACTIONS)),
    expect: 'PPPPF',
  },
  {
    name: 'a grant statement with kms:GrantIsForAWSResource as a JSON boolean',
    policy: withRoot(
      allow({ AWS: ROLE }, 'kms:CreateGrant', { Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } }),
    ),
    expect: 'PPPPP',
  },
  {
    name: 'a grant statement with BoolIfExists',
    policy: withRoot(
      allow({ AWS: ROLE }, 'kms:CreateGrant', {
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    ),
    expect: 'PPPPF',
  },
  {
    name: 'a grant statement with kms:GrantIsForAWSResource = false',
    policy: withRoot(
      allow({ AWS: ROLE }, 'kms:CreateGrant', {
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'false' } },
      }),
    ),
    expect: 'PPPPF',
  },
  {
    name: 'one role administering in one statement and using in another',
    policy: withRoot(
      allow({ AWS: ROLE }, ['kms:PutKeyPolicy', 'kms:DisableKey']),
      allow({ AWS: ROLE }, 'kms:Decrypt'),
    ),
    expect: 'PPPFP',
  },
  {
    name: 'wildcard actions (kms:Put*, kms:Gen*) to one role',
    policy: withRoot(allow({ AWS: ROLE }, ['kms:put*', 'kms:Gen*'])),
    expect: 'PPPFP',
  },
  { name: 'upper-case action to "*"', policy: withRoot(allow('*', 'KMS:DECRYPT')), expect: 'FFPPP' },
  {
    name: 'NotPrincipal with Allow (everyone but one role)',
    policy: withRoot({ Effect: 'Allow', NotPrincipal: { AWS: ROLE }, Action: 'kms:Decrypt', Resource: '*' }),
    expect: 'FFPPP',
  },
  {
    name: 'a Deny statement to "*" (not an allow)',
    policy: withRoot({
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }),
    expect: 'PPPPP',
  },
  {
    name: 'a single statement object (not an array), principals of two accounts',
    policy: {
      Version: '2012-10-17',
      Statement: allow({ AWS: [ROLE, `arn:aws:iam::${OTHER_ACCOUNT}:role/x`] }, 'kms:Decrypt'),
    },
    expect: 'PFPPP',
  },
  {
    name: 'a service principal with aws:SourceAccount',
    policy: withRoot(
      allow({ Service: 'logs.eu-west-1.amazonaws.com' }, USE, {
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      }),
    ),
    expect: 'PPPPP',
  },
  {
    name: '"*" on another key only (Resource does not include this key)',
    policy: withRoot(allow('*', 'kms:Decrypt', { Resource: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/other` })),
    expect: 'PPPPP',
  },
  { name: 'an AWS managed key policy judged as a customer key', policy: awsManagedPolicy, expect: 'PPPPF' },
  {
    name: 'an AWS managed key policy on an AWS managed key',
    policy: awsManagedPolicy,
    expect: 'PPNNN',
    key: (policy) => awsManagedKey({ policy }),
  },
  { name: 'malformed JSON', policy: '{"Version": "2012-10-17", "Statement": [', expect: 'UUUUU' },
  { name: 'a JSON array instead of a policy', policy: '[]', expect: 'UUUUU' },
  {
    name: 'a statement without Effect',
    policy: { Statement: [{ Principal: '*', Action: 'kms:*', Resource: '*' }] },
    expect: 'UUUUU',
  },
  {
    name: 'a statement with both Action and NotAction',
    policy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', NotAction: 'kms:Decrypt' }] },
    expect: 'UUUUU',
  },
];

describe('Key-policy corpus: the verdict of each POL rule', () => {
  it('holds at least 30 policies', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CORPUS.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const key = c.key ? c.key(c.policy) : makeKey({ policy: c.policy });
    const context = contextFor(key, { config: c.config });
    const verdicts = POL_RULES.map((rule) => LETTER[evaluateRule(rule, key, context).status]).join('');
    expect(verdicts).toBe(c.expect);
  });
});

describe('Key-policy rules: reasons a person can act on', () => {
  const reason = (index: number, policy: object | string, config?: unknown) => {
    const key = makeKey({ policy });
    const rule = POL_RULES[index];
    return rule && evaluateRule(rule, key, contextFor(key, { config }));
  };

  it('KMS-POL-01 names the statement and the public principal', () => {
    expect(reason(0, withRoot(allow('*', 'kms:Decrypt', { Sid: 'Open' })))?.reason).toBe(
      'the key policy is public: statement 2 ("Open") allows "*" (anyone) without a restricting condition',
    );
  });

  it('KMS-POL-01 says why a condition restricts nothing', () => {
    const r = reason(
      0,
      withRoot(
        allow({ AWS: '*' }, 'kms:Decrypt', { Condition: { StringLike: { 'kms:CallerAccount': '*' } } }),
      ),
    );
    expect(r?.reason).toContain(
      'with a condition that restricts nothing (kms:CallerAccount = "*" matches anyone)',
    );
  });

  it('KMS-POL-02 names the untrusted account', () => {
    expect(reason(1, withRoot(allow({ AWS: OTHER_ROOT }, USE)))?.reason).toBe(
      `the key policy allows an untrusted account: statement 2 allows ${OTHER_ROOT} of account ${OTHER_ACCOUNT}`,
    );
  });

  it('KMS-POL-03 names who gets kms:*', () => {
    expect(reason(2, withRoot(allow({ AWS: ROLE }, 'kms:*', { Sid: 'Admins' })))?.reason).toBe(
      `full access goes beyond the account root: statement 2 ("Admins") gives kms:* to ${ROLE}`,
    );
  });

  it('KMS-POL-04 lists what the principal administers and uses', () => {
    const r = reason(3, withRoot(allow({ AWS: ROLE }, ['kms:PutKeyPolicy', 'kms:Decrypt'])));
    expect(r?.reason).toBe(
      `administration and use are not separated: ${ROLE} may both administer (kms:PutKeyPolicy) and use (kms:Decrypt) the key`,
    );
  });

  it('KMS-POL-05 says the grant comes through a wildcard', () => {
    expect(reason(4, seedPolicy)?.reason).toContain(
      'statement 2 ("Allow access for Key Administrators") allows kms:CreateGrant only through kms:*',
    );
  });

  it('every POL rule is UNKNOWN, never PASS, when GetKeyPolicy was denied', () => {
    const key = makeKey({
      policy: failed('GetKeyPolicy', 'AccessDeniedException', 'User is not authorized'),
    });
    for (const rule of POL_RULES)
      expect(evaluateRule(rule, key, contextFor(key))).toEqual({
        status: 'UNKNOWN',
        reason:
          'the key policy could not be read: GetKeyPolicy failed: AccessDeniedException (User is not authorized)',
      });
  });

  it('every POL rule is UNKNOWN on malformed JSON, saying so', () => {
    const key = makeKey({ policy: '{"Statement": [' });
    for (const rule of POL_RULES)
      expect(evaluateRule(rule, key, contextFor(key)).reason).toMatch(/^the key policy is not valid JSON/);
  });

  it('every POL rule is UNKNOWN, never PASS, on a policy with more statements than kms-report analyses', () => {
    const statement = {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
    };
    const key = makeKey({ policy: { Statement: Array.from({ length: 1_001 }, () => statement) } });
    for (const rule of POL_RULES)
      expect(evaluateRule(rule, key, contextFor(key))).toEqual({
        status: 'UNKNOWN',
        reason:
          'the key policy could not be analysed: it has 1,001 statements, more than the 1,000 kms-report analyses',
      });
  });

  it('a Resource pattern that made the old matcher backtrack for ever is judged at once', () => {
    // Statement 2 does not name this key (its ARN does not end in x), so it opens nothing.
    const hostile = `arn:aws:kms:*:*:key/${'*?'.repeat(16)}x`;
    const key = makeKey({
      policy: {
        Statement: [
          ...(defaultPolicy() as { Statement: object[] }).Statement,
          { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: hostile },
        ],
      },
    });
    expect(evaluateRule(KMS_POL_01, key, contextFor(key)).status).toBe('PASS');
    const named = makeKey({ arn: `${key.arn}x`, policy: key.policy });
    expect(evaluateRule(KMS_POL_01, named, contextFor(named)).status).toBe('FAIL');
  }, 30_000);

  it('POL rules that need metadata are UNKNOWN without it', () => {
    const key = makeKey({ metadata: failed('DescribeKey', 'AccessDeniedException', '') });
    expect(evaluateRule(KMS_POL_03, key, contextFor(key)).status).toBe('UNKNOWN');
    expect(evaluateRule(KMS_POL_01, key, contextFor(key)).status).toBe('PASS');
  });
});
