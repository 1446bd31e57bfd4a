import { describe, expect, it } from 'vitest';
import {
  buildRuleContext,
  evaluateRule,
  keyUsageEvidence,
  runCompliance,
  usageEvidenceByKey,
} from '../../../src/compliance/engine.js';
import { ALL_RULES } from '../../../src/compliance/rules/index.js';
import { demoComplianceConfig, demoSnapshot, demoUsage } from '../../../src/demo/sample.js';
import type { KeyRecord } from '../../../src/model/inventory.js';
import type { MonthUsage, UsageCoverage } from '../../../src/model/usage.js';

/** The demo's usage with its rows shuffled, coverage of several statuses and sources, events out of order. */
function scrambledUsage(): MonthUsage {
  const usage = demoUsage();
  let seed = 11;
  const rand = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const shuffle = <T>(list: readonly T[]): T[] => {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = rand(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  };
  const [first] = usage.coverage as [UsageCoverage];
  const coverage: UsageCoverage[] = [
    // us-east-1: partial from one CloudTrail source, complete from another, CloudWatch ignored.
    { ...first, region: 'us-east-1', source: 'cloudtrail-lookup', status: 'partial' },
    { ...first, region: 'us-east-1', source: 'cloudwatch', status: 'complete' },
    { ...first, region: 'us-east-1', source: 'cloudtrail-s3', status: 'complete' },
    // eu-west-1: partial only.
    { ...first, region: 'eu-west-1', source: 'cloudtrail-s3', status: 'failed' },
    { ...first, region: 'eu-west-1', source: 'cloudtrail-lookup', status: 'partial' },
    // Another account's region: CloudWatch only (none for CloudTrail).
    { ...first, account: '444455556666', region: 'us-east-1', source: 'cloudwatch', status: 'complete' },
  ];
  return {
    ...usage,
    requests: shuffle(usage.requests),
    lifecycle: shuffle(usage.lifecycle),
    coverage: shuffle(coverage),
  };
}

describe('Function: usageEvidenceByKey', () => {
  it("gives every key the same evidence as keyUsageEvidence's scan of the whole usage", () => {
    const keys: KeyRecord[] = [
      ...demoSnapshot().keys,
      // A key no row names, in an account no coverage names.
      {
        ...(demoSnapshot().keys[0] as KeyRecord),
        account: '999999999999',
        arn: 'arn:aws:kms:us-east-1:999999999999:key/x',
      },
    ];
    for (const usage of [demoUsage(), scrambledUsage()]) {
      const evidenceOf = usageEvidenceByKey(usage);
      for (const key of keys) expect(evidenceOf(key)).toEqual(keyUsageEvidence(usage, key));
    }
  });

  it('runCompliance judges every key as its rules do on the scanned evidence', () => {
    const usage = scrambledUsage();
    const snapshot = demoSnapshot();
    const config = demoComplianceConfig();
    const asOf = snapshot.collection.finishedAt;
    const clock = { now: () => Date.parse('2026-11-01T02:05:00.000Z') };
    const result = runCompliance(snapshot, { config, usage, clock });
    const window = { month: usage.month, start: usage.window.start, end: usage.window.end };
    const expected = [...snapshot.keys]
      .sort((a, b) => a.arn.localeCompare(b.arn))
      .flatMap((key) => {
        // The reference: the key's evidence from the scan of the whole month.
        const context = {
          ...buildRuleContext(key, { asOf, config, window }),
          usage: keyUsageEvidence(usage, key),
        };
        return ALL_RULES.map((rule) => {
          const r = evaluateRule(rule, key, context);
          return [rule.meta.id, key.arn, r.status, r.reason];
        });
      });
    expect(
      result.findings.map((f) => [f.ruleId, f.keyArn, f.status === 'MUTED' ? 'FAIL' : f.status, f.reason]),
    ).toEqual(expected);
    expect(result.findings.some((f) => f.ruleId === 'KMS-LIFE-02')).toBe(true);
  });

  it('lists every key an expired suppression would mute, in key order', () => {
    const snapshot = demoSnapshot();
    const result = runCompliance(snapshot, {
      config: demoComplianceConfig(),
      usage: demoUsage(),
      clock: { now: () => Date.parse('2026-11-01T02:05:00.000Z') },
    });
    const expired = result.expiredSuppressions.find((s) => s.ruleId === 'KMS-TAG-01');
    const failing = result.findings
      .filter(
        (f) =>
          f.ruleId === 'KMS-TAG-01' && f.status === 'FAIL' && f.keyArn.startsWith('arn:aws:kms:us-east-1:'),
      )
      .map((f) => f.keyArn);
    expect(failing.length).toBeGreaterThan(1);
    expect(expired?.wouldMute).toEqual(failing);
  });
});
