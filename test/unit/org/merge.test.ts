import { describe, expect, it } from 'vitest';
import type {
  CallerRequestCount,
  MonthUsage,
  RequestCount,
  UsageCoverage,
} from '../../../src/model/usage.js';
import { mergeAccountUsage } from '../../../src/org/merge.js';
import { priceMonth } from '../../../src/pricing/engine.js';
import { formatTotal } from '../../../src/pricing/money.js';
import { key, shippedTables, snapshot } from '../pricing/fixtures.js';

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

  it("takes the key owner's complete copy over the caller's partial one", () => {
    // B called A's key 1,000,000 times. A read its whole trail; B's read stopped half way.
    const a = month([trail(A)], [request(B, A, 1_000_000)]);
    const b = month([trail(B, 'partial')], [request(B, A, 500_000)]);
    const { usage, duplicatesDropped } = mergeAccountUsage([
      { account: A, usage: a },
      { account: B, usage: b },
    ]);
    expect(usage.requests.map((r) => [r.account, r.keyArn, r.count])).toEqual([[B, keyOf(A), 1_000_000]]);
    expect(duplicatesDropped).toBe(1);
  });

  it("keeps the caller's copy when its trail was read up to now (a month not over), the owner's partial", () => {
    const a = month([trail(A, 'partial')], [request(B, A, 10)]);
    const b = month([{ ...trail(B, 'partial'), readUntil: '2026-10-20T00:00:00.000Z' }], [request(B, A, 30)]);
    const { usage } = mergeAccountUsage([
      { account: A, usage: a },
      { account: B, usage: b },
    ]);
    expect(usage.requests.map((r) => [r.account, r.count])).toEqual([[B, 30]]);
  });

  it('with no complete copy keeps the larger, and prices the caller\'s calls as "at least"', () => {
    // Both reads stopped early: A's copy holds 600,000 of B's calls, B's own 400,000.
    const a = month([trail(A, 'partial')], [request(B, A, 600_000)]);
    const b = month([trail(B, 'partial')], [request(B, A, 400_000)]);
    const { usage } = mergeAccountUsage([
      { account: A, usage: a },
      { account: B, usage: b },
    ]);
    expect(usage.requests.map((r) => [r.account, r.count])).toEqual([[B, 600_000]]);

    const k = key({ id: `00000000-0000-0000-0000-${A}`, account: A, region: REGION });
    expect(k.arn).toBe(keyOf(A));
    const cost = priceMonth({
      month: '2026-10',
      snapshot: { ...snapshot([k]), accounts: [A, B] },
      usage: { ...usage, keylessRequests: [] },
      tables: shippedTables(),
    });
    const billedToB = cost.keys[0]?.lines.filter((l) => l.account === B) ?? [];
    expect(billedToB.map((l) => [l.quantity, l.amount === null])).toEqual([
      ['600000', false],
      [null, true],
    ]);
    expect(billedToB[1]?.unknownReason).toMatch(
      /not complete in eu-west-1 for the key's owner 111111111111 \(partial\) nor for the caller 222222222222 \(partial\)/,
    );
    const b2 = cost.byBilledAccount.find((x) => x.account === B)?.total;
    expect(b2?.complete).toBe(false);
    expect(formatTotal(b2 ?? cost.total)).toMatch(/^at least /);
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

describe('Function: mergeAccountUsage (requests by caller)', () => {
  const byCaller = (r: RequestCount, caller: string, count: number): CallerRequestCount => ({
    account: r.account,
    region: r.region,
    keyArn: r.keyArn,
    operation: r.operation,
    keyPairSpec: r.keyPairSpec,
    caller,
    callerType: 'role',
    callerAccount: r.account,
    invokedBy: null,
    bucketArn: null,
    s3ContextScope: null,
    count,
    failedCount: 0,
    source: r.source,
  });

  it("takes each count's callers from the trail its count came from, so they still add up to it", () => {
    const call = request(A, B, 40);
    const a = { ...month([trail(A)], [call]), callers: [byCaller(call, `arn:aws:iam::${A}:role/app`, 40)] };
    // B's copy of A's calls (dropped) and B's own calls.
    const own = request(B, B, 7);
    const b = {
      ...month([trail(B)], [call, own]),
      callers: [
        byCaller(call, `arn:aws:iam::${A}:role/app`, 40),
        byCaller(own, `arn:aws:iam::${B}:role/etl`, 7),
      ],
    };
    const { usage } = mergeAccountUsage([
      { account: A, usage: a },
      { account: B, usage: b },
    ]);
    expect(usage.callers?.map((c) => [c.account, c.caller, c.count])).toEqual([
      [A, `arn:aws:iam::${A}:role/app`, 40],
      [B, `arn:aws:iam::${B}:role/etl`, 7],
    ]);
  });

  it('says who called is unknown when one account did not count callers (older evidence)', () => {
    const call = request(A, A, 4);
    const a = { ...month([trail(A)], [call]), callers: [byCaller(call, `arn:aws:iam::${A}:role/app`, 4)] };
    const b = month([trail(B)], [request(B, B, 7)]);
    const { usage } = mergeAccountUsage([
      { account: A, usage: a },
      { account: B, usage: b },
    ]);
    expect(usage.callers).toBeUndefined();
  });
});
