import { describe, expect, it } from 'vitest';
import { toKeyMetadata } from '../../../src/collect/kms.js';
import { complianceConfigSchema } from '../../../src/compliance/config.js';
import { evaluateRule, runCompliance } from '../../../src/compliance/engine.js';
import { KMS_MR_01 } from '../../../src/compliance/rules/KMS-MR-01.js';
import { KMS_POL_03 } from '../../../src/compliance/rules/KMS-POL-03.js';
import { KMS_POL_04 } from '../../../src/compliance/rules/KMS-POL-04.js';
import type { KeyRecord } from '../../../src/model/inventory.js';
import { ACCOUNT, contextFor, defaultPolicy, makeKey, REGION, snapshotOf } from './factory.js';

/** Verdict quality from the side-by-side run with Prowler (issue 18). */

const ADMIN = `arn:aws:iam::${ACCOUNT}:role/key-admin`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const USE = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
/** The console's key administrators statement. */
const CONSOLE_ADMIN_ACTIONS = [
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
const FOR_AWS = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };
const allow = (Principal: unknown, Action: unknown, extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Principal,
  Action,
  Resource: '*',
  ...extra,
});
const policyWith = (...statements: object[]) => ({
  Version: '2012-10-17',
  Statement: [...(defaultPolicy() as { Statement: object[] }).Statement, ...statements],
});
/** The console's default key policy with administrators and users named. */
const consoleDefault = policyWith(
  allow({ AWS: ADMIN }, CONSOLE_ADMIN_ACTIONS, { Sid: 'Allow access for Key Administrators' }),
  allow({ AWS: ROLE }, USE, { Sid: 'Allow use of the key' }),
  allow({ AWS: ROLE }, ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], {
    Sid: 'Allow attachment of persistent resources',
    Condition: FOR_AWS,
  }),
);

const NOW = { now: () => Date.parse('2026-10-20T12:00:00.000Z') };
const pol05 = (policy: object, config?: unknown) => {
  const result = runCompliance(snapshotOf([makeKey({ policy })]), {
    clock: NOW,
    config: config ? complianceConfigSchema.parse(config) : undefined,
  });
  return result.findings.find((f) => f.ruleId === 'KMS-POL-05');
};

describe('KMS-POL-05: the grant right of key administrators', () => {
  it("fails the console's default policy at low severity, naming kms:Create* and not every action", () => {
    const f = pol05(consoleDefault);
    expect(f).toMatchObject({ status: 'FAIL', severity: 'low' });
    expect(f?.reason).toBe(
      `grants are not limited to AWS resources, but only the key administrators' wildcard gives the right (low severity: they may change the key policy anyway): statement 2 ("Allow access for Key Administrators") allows kms:CreateGrant only through kms:Create* to ${ADMIN}, who may also change the key policy (kms:Put*)`,
    );
    expect(f?.reason).not.toContain('kms:Describe*');
    expect(f?.details).toMatchObject({ administratorsWildcardOnly: true });
  });

  it('keeps medium when administrators get kms:Create* but cannot change the key policy', () => {
    const f = pol05(policyWith(allow({ AWS: ADMIN }, ['kms:Create*', 'kms:Describe*'])));
    expect(f).toMatchObject({ status: 'FAIL', severity: 'medium' });
    expect(f?.reason).toContain('allows kms:CreateGrant (through kms:Create*)');
  });

  it('keeps medium when kms:CreateGrant is named without the condition, also beside an administrators wildcard', () => {
    const f = pol05(
      policyWith(
        allow({ AWS: ADMIN }, CONSOLE_ADMIN_ACTIONS),
        allow({ AWS: ROLE }, 'kms:CreateGrant', { Sid: 'Grants' }),
      ),
    );
    expect(f).toMatchObject({ status: 'FAIL', severity: 'medium' });
    expect(f?.reason).toContain(`statement 3 ("Grants") allows kms:CreateGrant to ${ROLE} without`);
    expect(f?.reason).toContain('only through kms:Create*');
  });

  it('keeps medium for a public principal with a wildcard (never lowered for anyone)', () => {
    const f = pol05(policyWith(allow('*', ['kms:Create*', 'kms:Put*'])));
    expect(f).toMatchObject({ status: 'FAIL', severity: 'medium' });
  });

  it('lowers to low whatever the configured severity, and never raises a lower configured one', () => {
    expect(pol05(consoleDefault, { severities: { 'KMS-POL-05': 'high' } })?.severity).toBe('low');
    expect(pol05(consoleDefault, { severities: { 'KMS-POL-05': 'informational' } })?.severity).toBe(
      'informational',
    );
  });

  it('passes when administrators list their actions without kms:CreateGrant', () => {
    const admin = CONSOLE_ADMIN_ACTIONS.map((a) => (a === 'kms:Create*' ? 'kms:CreateAlias' : a));
    expect(pol05(policyWith(allow({ AWS: ADMIN }, admin)))?.status).toBe('PASS');
  });
});

describe('Policy reasons name the action that grants the right', () => {
  const reasonOf = (rule: typeof KMS_POL_03, policy: object) => {
    const key = makeKey({ policy });
    return evaluateRule(rule, key, contextFor(key)).reason;
  };

  it('KMS-POL-03 names the pattern as the policy writes it', () => {
    expect(reasonOf(KMS_POL_03, policyWith(allow({ AWS: ROLE }, ['kms:Decrypt', 'KMS:*'])))).toBe(
      `full access goes beyond the account root: statement 2 gives KMS:* to ${ROLE}`,
    );
  });

  it('KMS-POL-04 names kms:* once instead of the fourteen administrative actions it covers', () => {
    expect(reasonOf(KMS_POL_04, policyWith(allow({ AWS: ROLE }, 'kms:*')))).toBe(
      `administration and use are not separated: ${ROLE} may both administer (kms:*) and use (kms:*) the key`,
    );
  });

  it('KMS-POL-04 names the wildcards of the console statements', () => {
    const reason = reasonOf(
      KMS_POL_04,
      policyWith(allow({ AWS: ROLE }, CONSOLE_ADMIN_ACTIONS), allow({ AWS: ROLE }, USE)),
    );
    expect(reason).toContain('administer (kms:Put*; kms:ScheduleKeyDeletion; kms:Delete*; and 3 more)');
    expect(reason).toContain('use (kms:Encrypt; kms:Decrypt; kms:ReEncrypt*; and 1 more)');
  });
});

describe('KMS-MR-01: a MultiRegion flag DescribeKey left out', () => {
  const judge = (key: KeyRecord) => evaluateRule(KMS_MR_01, key, contextFor(key));
  const withId = (keyId: string) =>
    makeKey({ keyId, arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`, meta: { multiRegion: null } });

  it('is UNKNOWN, not a quiet PASS, when neither the configuration nor the key id tells', () => {
    const r = judge(withId('k-1'));
    expect(r.status).toBe('UNKNOWN');
    expect(r.reason).toContain('whether the key is multi-Region is unknown');
  });

  it('reads a multi-Region key from its mrk- id when DescribeKey gave no configuration (FAIL, not PASS)', () => {
    const r = judge(withId('mrk-1234abcd12ab34cd56ef1234567890ab'));
    expect(r.status).toBe('FAIL');
    expect(r.reason).toContain('its role is unknown');
  });

  it('passes a single-Region key id (a UUID), as moto serves it without the flag', () => {
    expect(judge(withId('1234abcd-12ab-34cd-56ef-1234567890ab')).status).toBe('PASS');
  });

  it('the collector keeps a MultiRegionConfiguration when the MultiRegion flag is absent', () => {
    const arn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`;
    const meta = toKeyMetadata({
      KeyId: 'mrk-1234abcd12ab34cd56ef1234567890ab',
      Arn: arn,
      MultiRegionConfiguration: {
        MultiRegionKeyType: 'PRIMARY',
        PrimaryKey: { Arn: arn, Region: 'us-east-1' },
        ReplicaKeys: [],
      },
    });
    expect(meta.multiRegion).toEqual({
      role: 'PRIMARY',
      primary: { arn, region: 'us-east-1' },
      replicas: [],
    });
    expect(
      toKeyMetadata({ KeyId: 'x', MultiRegion: false, MultiRegionConfiguration: {} }).multiRegion,
    ).toBeNull();
  });
});
