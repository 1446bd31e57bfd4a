import { describe, expect, it } from 'vitest';
import type { MonthUsage, RequestCount, UsageCoverage } from '../../../src/model/usage.js';
import { mergeAccountUsage } from '../../../src/org/usage.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const REGION = 'eu-west-1';
const keyOf = (account: string) => `arn:aws:kms:${REGION}:${account}:key/00000000-0000-0000-0000-${account}`;

const request = (billed: string, keyOwner: string, count: number, operation = 'Decrypt'): RequestCount => ({
  account: billed,
  region: REGION,
  keyArn: keyOf(keyOwner),
  operation,
  keyPairSpec: null,
  count,
  failedCount: 0,
  source: 'cloudtrail-lookup',
});

const trail = (account: string, status: UsageCoverage['status'] = 'complete'): UsageCoverage => ({
  account,
  region: REGION,
  source: 'cloudtrail-lookup',
  status,
  detail: '',
});

function month(coverage: UsageCoverage[], requests: RequestCount[]): MonthUsage {
  return {
    month: '2026-10',
    window: { start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z' },
    requests,
    accountTotals: [],
    lifecycle: [],
    coverage,
  };
}

describe('Function: mergeAccountUsage (cross-account requests)', () => {
  it("keeps a cross-account call once, from the caller's own trail, when both trails were read", () => {
    // A called B's key 40 times: both trails hold the calls, both billed to A.
    const a = month([trail(A)], [request(A, B, 40)]);
    const b = month([trail(B)], [request(A, B, 40), request(B, B, 7)]);
    const { usage, duplicatesDropped } = mergeAccountUsage([
      { account: A, usage: a },
      { account: B, usage: b },
    ]);
    expect(duplicatesDropped).toBe(1);
    expect(usage.requests.map((r) => [r.account, r.keyArn, r.count])).toEqual([
      [A, keyOf(B), 40],
      [B, keyOf(B), 7],
    ]);
  });

  it("keeps the key owner's copy when the caller is outside the report", () => {
    const b = month([trail(B)], [request(C, B, 5)]);
    const { usage, duplicatesDropped } = mergeAccountUsage([{ account: B, usage: b }]);
    expect(duplicatesDropped).toBe(0);
    expect(usage.requests.map((r) => [r.account, r.count])).toEqual([[C, 5]]);
  });

  it("keeps the key owner's copy when the caller's trail could not be read in that region", () => {
    const a = month([trail(A, 'failed')], []);
    const b = month([trail(B)], [request(A, B, 12)]);
    const { usage } = mergeAccountUsage([
      { account: A, usage: a },
      { account: B, usage: b },
    ]);
    expect(usage.requests.map((r) => [r.account, r.count])).toEqual([[A, 12]]);
  });

  it('keeps calls an AWS service made for the key owner (billed to the owner) from the owner trail', () => {
    const a = month([trail(A)], [request(B, B, 3, 'GenerateDataKey')]);
    const b = month([trail(B)], [request(B, B, 3, 'GenerateDataKey')]);
    const { usage } = mergeAccountUsage([
      { account: A, usage: a },
      { account: B, usage: b },
    ]);
    expect(usage.requests.map((r) => [r.account, r.operation, r.count])).toEqual([[B, 'GenerateDataKey', 3]]);
  });

  it('joins coverage and lifecycle, a key event seen in two trails once', () => {
    const event = {
      account: B,
      region: REGION,
      keyArn: keyOf(B),
      event: 'DisableKey' as const,
      time: '2026-10-03T10:00:00.000Z',
    };
    const a = { ...month([trail(A)], []), lifecycle: [event] };
    const b = { ...month([trail(B)], []), lifecycle: [event] };
    const { usage } = mergeAccountUsage([
      { account: A, usage: a },
      { account: B, usage: b },
    ]);
    expect(usage.lifecycle).toEqual([event]);
    expect(usage.coverage.map((c) => c.account)).toEqual([A, B]);
  });
});
