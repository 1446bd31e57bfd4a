import { describe, expect, it } from 'vitest';
import {
  coversAction,
  narrowedAudience,
  restricts,
  wildcardMatch,
} from '../../../src/compliance/policy/analysis.js';
import { type PolicyStatement, parseKeyPolicy } from '../../../src/compliance/policy/parse.js';

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
