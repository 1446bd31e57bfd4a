import { describe, expect, it } from 'vitest';
import {
  coversAction,
  narrowedAudience,
  restricts,
  wildcardMatch,
} from '../../../src/compliance/policy/analysis.js';
import {
  MAX_POLICY_ELEMENT_VALUES,
  MAX_POLICY_PATTERN_LENGTH,
  MAX_POLICY_STATEMENTS,
  MAX_POLICY_TEXT_LENGTH,
  type PolicyStatement,
  parseKeyPolicy,
} from '../../../src/compliance/policy/parse.js';

function statements(policy: unknown): readonly PolicyStatement[] {
  const reading = parseKeyPolicy(JSON.stringify(policy));
  if (reading.status !== 'read') throw new Error(reading.reason);
  return reading.policy.statements;
}

describe('Function: parseKeyPolicy', () => {
  it('normalises principals: a bare account id and its root ARN are the same root', () => {
    const [s] = statements({
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: ['111122223333', 'arn:aws:iam::111122223333:root'] },
        Action: 'kms:*',
      },
    });
    expect(s?.principals.map((p) => [p.id, p.root, p.account])).toEqual([
      ['111122223333:root', true, '111122223333'],
      ['111122223333:root', true, '111122223333'],
    ]);
  });

  it('reads string-or-array fields, case-insensitive field names and lower-cases actions', () => {
    const [s] = statements({
      statement: [{ effect: 'allow', principal: '*', action: ['KMS:Decrypt'], resource: '*' }],
    });
    expect(s).toMatchObject({
      effect: 'Allow',
      actionMode: 'Action',
      actions: ['kms:decrypt'],
      resources: ['*'],
    });
  });

  it('splits condition operators into qualifier, base and IfExists, keys in lower case', () => {
    const [s] = statements({
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 'kms:Decrypt',
          Condition: { 'ForAnyValue:StringLikeIfExists': { 'AWS:PrincipalOrgID': ['o-a1b2c3d4e5', true] } },
        },
      ],
    });
    expect(s?.conditions).toEqual([
      {
        operator: 'ForAnyValue:StringLikeIfExists',
        base: 'stringlike',
        qualifier: 'ForAnyValue',
        ifExists: true,
        rawKey: 'AWS:PrincipalOrgID',
        key: 'aws:principalorgid',
        values: ['o-a1b2c3d4e5', 'true'],
      },
    ]);
  });

  it('says why a document is unreadable', () => {
    expect(parseKeyPolicy('not json')).toMatchObject({ status: 'unreadable' });
    expect(parseKeyPolicy('{"Version":"2012-10-17"}')).toEqual({
      status: 'unreadable',
      reason: 'the key policy is not a valid policy: the document has no Statement',
    });
    expect(parseKeyPolicy('{"Statement":[{"Effect":"Allow","Principal":"me","Action":"kms:*"}]}')).toEqual({
      status: 'unreadable',
      reason: 'the key policy is not a valid policy: statement 1 Principal is a string other than "*"',
    });
  });

  describe('bounds on a hostile policy: not analysed, with the reason', () => {
    const allow = { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt' };
    const reasonOf = (text: string) => {
      const reading = parseKeyPolicy(text);
      if (reading.status !== 'unreadable') throw new Error('expected the policy not to be analysed');
      return reading.reason;
    };

    it('refuses policy text longer than MAX_POLICY_TEXT_LENGTH', () => {
      const text = JSON.stringify({ Statement: [{ ...allow, Sid: 'x'.repeat(MAX_POLICY_TEXT_LENGTH) }] });
      expect(reasonOf(text)).toBe(
        `the key policy could not be analysed: it is ${text.length.toLocaleString('en-US')} characters long, more than the 131,072 kms-report analyses (AWS allows 32 KB)`,
      );
    });

    it('refuses more than MAX_POLICY_STATEMENTS statements', () => {
      const text = JSON.stringify({
        Statement: Array.from({ length: MAX_POLICY_STATEMENTS + 1 }, () => allow),
      });
      expect(text.length).toBeLessThanOrEqual(MAX_POLICY_TEXT_LENGTH);
      expect(reasonOf(text)).toBe(
        'the key policy could not be analysed: it has 1,001 statements, more than the 1,000 kms-report analyses',
      );
      expect(parseKeyPolicy(JSON.stringify({ Statement: [allow] })).status).toBe('read');
    });

    it('refuses an element with more than MAX_POLICY_ELEMENT_VALUES values', () => {
      const actions = Array.from({ length: MAX_POLICY_ELEMENT_VALUES + 1 }, (_, i) => `kms:A${i}`);
      expect(reasonOf(JSON.stringify({ Statement: [{ ...allow, Action: actions }] }))).toBe(
        'the key policy could not be analysed: statement 1 Action lists 1,001 values, more than the 1,000 kms-report analyses',
      );
      const values = Array.from({ length: MAX_POLICY_ELEMENT_VALUES + 1 }, () => '111122223333');
      expect(
        reasonOf(
          JSON.stringify({
            Statement: [{ ...allow, Condition: { StringEquals: { 'kms:CallerAccount': values } } }],
          }),
        ),
      ).toContain('statement 1 Condition.StringEquals.kms:CallerAccount lists 1,001 values');
    });

    it('refuses an Action or Resource pattern longer than MAX_POLICY_PATTERN_LENGTH', () => {
      const resource = `arn:aws:kms:*:*:key/${'*?'.repeat(MAX_POLICY_PATTERN_LENGTH)}`;
      expect(reasonOf(JSON.stringify({ Statement: [{ ...allow, Resource: resource }] }))).toBe(
        `the key policy could not be analysed: statement 1 Resource holds a pattern of ${resource.length.toLocaleString('en-US')} characters, more than the 2,048 kms-report analyses`,
      );
    });
  });

  it('keeps untrusted text as text: a script in a Sid is only a label', () => {
    const [s] = statements({
      Statement: [{ Sid: 'eval("process.exit(1)")', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt' }],
    });
    expect(s?.label).toBe('statement 1 ("eval("process.exit(1)")")');
  });
});

describe('Policy analysis helpers', () => {
  it('matches wildcard actions case-insensitively and ARNs case-sensitively', () => {
    expect(wildcardMatch('kms:reencrypt*', 'kms:ReEncryptFrom', true)).toBe(true);
    expect(wildcardMatch('kms:Get?eyPolicy', 'kms:GetKeyPolicy', true)).toBe(true);
    expect(
      wildcardMatch('arn:aws:kms:*:111122223333:key/*', 'arn:aws:kms:eu-west-1:111122223333:key/abc', false),
    ).toBe(true);
    expect(
      wildcardMatch('arn:aws:kms:*:111122223333:KEY/*', 'arn:aws:kms:eu-west-1:111122223333:key/abc', false),
    ).toBe(false);
  });

  it('answers at once on patterns that made the old regular expression backtrack for ever', () => {
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const hostile = `arn:aws:kms:*:*:key/${'*?'.repeat(16)}x`;
    expect(wildcardMatch(hostile, key, false)).toBe(false);
    expect(wildcardMatch(hostile, `${key}x`, false)).toBe(true);
    expect(wildcardMatch(`kms:${'*?'.repeat(16)}x`, `kms:${'a'.repeat(200)}`, true)).toBe(false);
    expect(wildcardMatch('*?'.repeat(16), 'a'.repeat(15), false)).toBe(false);
    expect(wildcardMatch('*?'.repeat(16), 'a'.repeat(16), false)).toBe(true);
  }, 30_000);

  it('matches `*` any run (also empty), `?` exactly one character, and nothing else specially', () => {
    expect(wildcardMatch('*', '', false)).toBe(true);
    expect(wildcardMatch('?', '', false)).toBe(false);
    expect(wildcardMatch('a*b*c', 'abc', false)).toBe(true);
    expect(wildcardMatch('a*b*c', 'axxbyyc', false)).toBe(true);
    expect(wildcardMatch('a*b*c', 'axxbyyca', false)).toBe(false);
    expect(wildcardMatch('a*bc', 'abcbcbc', false)).toBe(true);
    expect(wildcardMatch('a.c', 'abc', false)).toBe(false);
    expect(wildcardMatch('key/(x)+', 'key/(x)+', false)).toBe(true);
    // A line break is a character like any other (the old regular expression needed the `s` flag).
    expect(wildcardMatch('a?c', 'a\nc', false)).toBe(true);
    expect(wildcardMatch('a*c', 'a\n\nc', false)).toBe(true);
    expect(wildcardMatch('KMS:DECRYPT', 'kms:decrypt', true)).toBe(true);
    expect(wildcardMatch('KMS:DECRYPT', 'kms:decrypt', false)).toBe(false);
  });

  it('NotAction covers every action it does not list', () => {
    const [s] = statements({
      Statement: [{ Effect: 'Allow', Principal: '*', NotAction: ['kms:Decrypt', 'kms:Put*'] }],
    });
    if (!s) throw new Error('no statement');
    expect(coversAction(s, 'kms:Encrypt')).toBe(true);
    expect(coversAction(s, 'kms:Decrypt')).toBe(false);
    expect(coversAction(s, 'kms:PutKeyPolicy')).toBe(false);
  });

  it('a condition restricts only with a concrete value', () => {
    const cond = (operator: string, key: string, values: unknown) => {
      const [s] = statements({
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 'kms:*', Condition: { [operator]: { [key]: values } } },
        ],
      });
      const c = s?.conditions[0];
      if (!c) throw new Error('no condition');
      return restricts(c);
    };
    expect(cond('StringEquals', 'kms:CallerAccount', '111122223333')).toBe(true);
    expect(cond('StringEquals', 'kms:CallerAccount', '*')).toBe(false);
    expect(cond('StringEquals', 'kms:CallerAccount', [])).toBe(false);
    expect(cond('StringEquals', 'kms:CallerAccount', ['111122223333', '*'])).toBe(false);
    expect(cond('StringLike', 'aws:PrincipalOrgID', 'o-*')).toBe(false);
    expect(cond('ArnLike', 'aws:SourceArn', 'arn:aws:s3:::my-bucket')).toBe(true);
    expect(cond('ArnLike', 'aws:SourceArn', 'arn:aws:s3:::*')).toBe(false);
    expect(cond('StringEquals', 'aws:SourceIp', '10.0.0.0/8')).toBe(false);
  });

  it('narrows a public principal to the intersection of the accounts its conditions name', () => {
    const [s] = statements({
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 'kms:Decrypt',
          Condition: {
            StringEquals: { 'kms:CallerAccount': ['111122223333', '444455556666'] },
            ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::444455556666:role/*' },
          },
        },
      ],
    });
    if (!s) throw new Error('no statement');
    expect(narrowedAudience(s)).toEqual({ accounts: ['444455556666'], organizations: null });
  });
});
