import { describe, expect, it } from 'vitest';
import { parseComplianceConfig } from '../../../src/compliance/config.js';
import { runCompliance } from '../../../src/compliance/engine.js';
import type { Rule } from '../../../src/compliance/rules/types.js';
import { type Finding, RULE_IDS, remediationCommand, ruleOf } from '../../../src/model/findings.js';
import { collected, failed, skipped } from '../../../src/model/observed.js';
import { ACCOUNT, KEY_ARN, KEY_ID, makeKey, REGION, snapshotOf, usage } from './factory.js';

const at = (iso: string) => ({ now: () => Date.parse(iso) });
const NOW = at('2026-10-20T12:00:00.000Z');

const noRotation = collected({
  enabled: false,
  periodInDays: null,
  nextRotationDate: null,
  onDemandRotationStartDate: null,
});
const OTHER_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0000aaaa-0000-0000-0000-000000000000`;

const suppression = (overrides: Record<string, string> = {}) => ({
  rule: 'KMS-ROT-01',
  key: KEY_ARN,
  justification: 'The legacy stack re-encrypts with new keys instead',
  owner: 'platform@example.com',
  ticket: 'SEC-1234',
  expires: '2026-10-20',
  ...overrides,
});
const configWith = (data: object) => parseComplianceConfig(JSON.stringify(data), 'test.json');

describe('Function: runCompliance', () => {
  it('runs every rule over every key, ordered by key ARN then catalogue order', () => {
    const snapshot = snapshotOf([
      makeKey(),
      makeKey({ arn: OTHER_ARN, keyId: '0000aaaa-0000-0000-0000-000000000000' }),
    ]);
    const result = runCompliance(snapshot, { clock: NOW });
    expect(result.findings).toHaveLength(2 * RULE_IDS.length);
    expect(result.findings.slice(0, RULE_IDS.length).every((f) => f.keyArn === OTHER_ARN)).toBe(true);
    expect(result.findings.slice(0, RULE_IDS.length).map((f) => f.ruleId)).toEqual([...RULE_IDS]);
    expect(result.rulesRun).toEqual([...RULE_IDS]);
    expect(result.evaluatedAt).toBe('2026-10-20T12:00:00.000Z');
    expect(result.evidenceAsOf).toBe('2026-10-15T00:00:00.000Z');
  });

  it("gives each finding its reason, and its rule's controls and a remediation command for that key", () => {
    const result = runCompliance(snapshotOf([makeKey({ rotation: noRotation })]), { clock: NOW });
    const rot = result.findings.find((f) => f.ruleId === 'KMS-ROT-01');
    expect(rot).toMatchObject({
      status: 'FAIL',
      severity: 'medium',
      reason: 'automatic rotation is off',
      account: ACCOUNT,
      region: REGION,
      keyId: KEY_ID,
    });
    expect(rot).not.toHaveProperty('muted');
    const rule = ruleOf(result.rules, 'KMS-ROT-01');
    expect(rule).toMatchObject({ title: 'Automatic key rotation is enabled', severity: 'medium' });
    expect(remediationCommand(rule, rot as Finding)).toBe(
      `aws kms enable-key-rotation --key-id ${KEY_ID} --region ${REGION}`,
    );
    expect(rule.remediation.terraform).toMatchObject({
      resource: 'aws_kms_key',
      attribute: 'enable_key_rotation',
    });
    expect(rule.controls).toContainEqual({
      framework: 'AWS Security Hub (Foundational Security Best Practices)',
      version: null,
      requirement: 'KMS.4',
    });
  });

  it('applies severity overrides and skips disabled rules, listing them', () => {
    const config = configWith({
      severities: { 'KMS-ROT-01': 'high' },
      disabledRules: ['KMS-MR-01', 'KMS-TAG-01'],
    });
    const result = runCompliance(snapshotOf([makeKey({ rotation: noRotation })]), { clock: NOW, config });
    expect(result.findings.find((f) => f.ruleId === 'KMS-ROT-01')?.severity).toBe('high');
    expect(result.rules['KMS-ROT-01']).toMatchObject({ severity: 'high', defaultSeverity: 'medium' });
    expect(result.findings.map((f) => f.ruleId)).not.toContain('KMS-MR-01');
    expect(Object.keys(result.rules)).toEqual(result.rulesRun);
    expect(result.disabledRules).toEqual(['KMS-MR-01', 'KMS-TAG-01']);
    expect(result.rulesRun).toHaveLength(RULE_IDS.length - 2);
  });

  it('turns a rule that throws into an UNKNOWN finding naming the error, and goes on', () => {
    const broken: Rule = {
      meta: { ...makeRuleMeta() },
      evaluate: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'keyState')");
      },
    };
    const result = runCompliance(snapshotOf([makeKey(), makeKey({ arn: OTHER_ARN })]), {
      clock: NOW,
      rules: [broken],
    });
    expect(result.findings).toHaveLength(2);
    expect(result.findings[0]).toMatchObject({
      status: 'UNKNOWN',
      reason:
        "the rule could not be evaluated: TypeError: Cannot read properties of undefined (reading 'keyState')",
    });
  });

  it('never reports unreadable evidence as compliant', () => {
    const unknownKey = makeKey({
      metadata: failed('DescribeKey', 'AccessDeniedException', ''),
      aliases: failed('ListAliases', 'AccessDeniedException', ''),
      tags: skipped('DescribeKey failed'),
      rotation: skipped('DescribeKey failed'),
      policy: skipped('DescribeKey failed'),
      lastUsage: skipped('DescribeKey failed'),
    });
    const result = runCompliance(snapshotOf([unknownKey]), {
      clock: NOW,
      config: configWith({ requiredTags: ['Owner'] }),
    });
    expect(result.findings.map((f) => f.status)).toEqual(RULE_IDS.map(() => 'UNKNOWN'));
    expect(result.summary).toEqual({
      PASS: 0,
      FAIL: 0,
      NOT_APPLICABLE: 0,
      UNKNOWN: RULE_IDS.length,
      MUTED: 0,
    });
  });

  it('uses the usage month for the lifecycle rules, and refuses a different month', () => {
    const disabled = makeKey({ meta: { keyState: 'Disabled', enabled: false } });
    const result = runCompliance(snapshotOf([disabled]), { clock: NOW, usage: usage() });
    expect(result.month).toBe('2026-09');
    expect(result.findings.find((f) => f.ruleId === 'KMS-LIFE-01')?.reason).toContain('all of 2026-09');
    expect(() =>
      runCompliance(snapshotOf([disabled]), { clock: NOW, usage: usage(), month: '2026-08' }),
    ).toThrow('month: 2026-08 differs from the month of the usage evidence (2026-09)');
    expect(runCompliance(snapshotOf([disabled]), { clock: NOW, month: '2026-08' }).month).toBe('2026-08');
  });
});

describe('Suppressions', () => {
  const failing = snapshotOf([makeKey({ rotation: noRotation })]);
  const rot = (result: ReturnType<typeof runCompliance>) =>
    result.findings.find((f) => f.ruleId === 'KMS-ROT-01');

  it('mute a matching FAIL and keep the justification, owner, ticket and expiry', () => {
    const result = runCompliance(failing, {
      clock: NOW,
      config: configWith({ suppressions: [suppression()] }),
    });
    expect(rot(result)).toMatchObject({
      status: 'MUTED',
      reason: 'automatic rotation is off',
      muted: {
        justification: 'The legacy stack re-encrypts with new keys instead',
        owner: 'platform@example.com',
        ticket: 'SEC-1234',
        expires: '2026-10-20',
        keyPattern: KEY_ARN,
      },
    });
    expect(result.summary.MUTED).toBe(1);
    expect(result.expiredSuppressions).toEqual([]);
  });

  it('match keys by ARN pattern', () => {
    const config = configWith({ suppressions: [suppression({ key: `arn:aws:kms:*:${ACCOUNT}:key/*` })] });
    expect(rot(runCompliance(failing, { clock: NOW, config }))?.status).toBe('MUTED');
    const elsewhere = configWith({
      suppressions: [suppression({ key: 'arn:aws:kms:*:999999999999:key/*' })],
    });
    const result = runCompliance(failing, { clock: NOW, config: elsewhere });
    expect(rot(result)?.status).toBe('FAIL');
    expect(result.unusedSuppressions).toEqual([
      { ruleId: 'KMS-ROT-01', keyPattern: 'arn:aws:kms:*:999999999999:key/*' },
    ]);
  });

  it('mute only the rule they name, and only a FAIL', () => {
    const config = configWith({
      suppressions: [suppression({ rule: 'KMS-TAG-01' }), suppression({ rule: 'KMS-LIFE-02' })],
    });
    const key = makeKey({
      rotation: noRotation,
      lastUsage: failed('GetKeyLastUsage', 'ThrottlingException', ''),
    });
    const result = runCompliance(snapshotOf([key]), { clock: NOW, config });
    expect(rot(result)?.status).toBe('FAIL');
    expect(result.findings.find((f) => f.ruleId === 'KMS-LIFE-02')?.status).toBe('UNKNOWN');
  });

  it('still mute on their expiry day and stop the day after, when the expired one is listed', () => {
    const config = configWith({ suppressions: [suppression({ expires: '2026-10-20' })] });
    expect(rot(runCompliance(failing, { clock: at('2026-10-20T23:59:59.999Z'), config }))?.status).toBe(
      'MUTED',
    );
    const after = runCompliance(failing, { clock: at('2026-10-21T00:00:00.000Z'), config });
    expect(rot(after)).toMatchObject({ status: 'FAIL' });
    expect(rot(after)).not.toHaveProperty('muted');
    expect(after.expiredSuppressions).toEqual([
      {
        ruleId: 'KMS-ROT-01',
        keyPattern: KEY_ARN,
        justification: 'The legacy stack re-encrypts with new keys instead',
        owner: 'platform@example.com',
        ticket: 'SEC-1234',
        expires: '2026-10-20',
        wouldMute: [KEY_ARN],
      },
    ]);
  });

  it('list an expired suppression even when nothing fails any more', () => {
    const config = configWith({ suppressions: [suppression({ expires: '2025-01-31' })] });
    const result = runCompliance(snapshotOf([makeKey()]), { clock: NOW, config });
    expect(result.expiredSuppressions).toHaveLength(1);
    expect(result.expiredSuppressions[0]?.wouldMute).toEqual([]);
  });
});

function makeRuleMeta() {
  return {
    id: 'KMS-ROT-01' as const,
    title: 'A rule that breaks',
    severity: 'low' as const,
    rationale: 'Used to show that a broken rule does not stop the run.',
    awsManagedKeys: 'evaluated' as const,
    remediation: {
      text: 'None.',
      cli: 'aws kms describe-key --key-id <key-id> --region <region>',
      terraform: null,
    },
  };
}
