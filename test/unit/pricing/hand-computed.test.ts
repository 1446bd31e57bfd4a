import { describe, expect, it } from 'vitest';
import type { CostLine, MonthCost } from '../../../src/model/pricing.js';
import type { UsageCoverage } from '../../../src/model/usage.js';
import { priceMonth } from '../../../src/pricing/engine.js';
import { formatMoney, formatTotal, sumMoney } from '../../../src/pricing/money.js';
import { ACCOUNT, arnOf, event, key, requests, shippedTables, snapshot, usage } from './fixtures.js';

const tables = shippedTables();
// October 2026: 31 days = 744 hours.
const OCT = '2026-10';

function onlyKey(cost: MonthCost) {
  expect(cost.keys).toHaveLength(1);
  return cost.keys[0] as MonthCost['keys'][number];
}
const lineOf = (lines: readonly CostLine[], kind: CostLine['kind']) => lines.filter((l) => l.kind === kind);

describe('Function: priceMonth, hand-computed cases', () => {
  it('bills a key created at 00:00 on the 16th of a 31-day month for 384 of 744 hours', () => {
    // Prepare: created 2026-10-16T00:00Z; billable 16th..31st = 16 days × 24 = 384 hours.
    const k = key({ id: 'k16', metadata: { creationDate: '2026-10-16T00:00:00.000Z' } });
    // Act
    const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: usage(OCT), tables });
    // Assess: $1.00 × 384 / 744 = 0.516129032258064516… → 0.516129032258 (12 places).
    const fee = lineOf(onlyKey(cost).lines, 'key-fee')[0];
    expect(fee?.hours).toEqual({ billable: 384, inMonth: 744 });
    expect(fee?.amount).toBe('0.516129032258');
    expect(formatMoney(fee?.amount ?? null)).toBe('$0.52');
    expect(cost.total).toEqual({ amount: '0.516129032258', complete: true, unknownLines: 0 });
  });

  it('stops billing a key scheduled for deletion at 00:00 on the 11th', () => {
    // Prepare: ScheduleKeyDeletion 2026-10-11T00:00Z (30 days): billed 1st..10th = 10 × 24 = 240 hours.
    const k = key({
      id: 'k11',
      metadata: { keyState: 'PendingDeletion', enabled: false, deletionDate: '2026-11-10T00:00:00.000Z' },
    });
    const events = [
      event(k.arn, 'ScheduleKeyDeletion', '2026-10-11T00:00:00.000Z', { pendingWindowInDays: 30 }),
    ];
    // Act
    const cost = priceMonth({
      month: OCT,
      snapshot: snapshot([k]),
      usage: usage(OCT, { lifecycle: events }),
      tables,
    });
    // Assess: $1.00 × 240 / 744 = 0.322580645161290… → 0.322580645161.
    const entry = onlyKey(cost);
    expect(entry.billableHours).toBe(240);
    expect(entry.total.amount).toBe('0.322580645161');
    expect(cost.assumptions.map((a) => a.id)).not.toContain('PENDING_DELETION_START_DERIVED');
  });

  it('without the event, dates the pending deletion from DeletionDate minus 30 days and says so', () => {
    // Prepare: PendingDeletion, DeletionDate 2026-11-10T00:00Z, window unknown → began 2026-10-11T00:00Z.
    const k = key({
      id: 'k11b',
      metadata: { keyState: 'PendingDeletion', enabled: false, deletionDate: '2026-11-10T00:00:00.000Z' },
    });
    // Act: no usage at all (no lifecycle events collected).
    const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), tables });
    // Assess: same 240 hours → 0.322580645161; the two assumptions are named.
    const fee = lineOf(onlyKey(cost).lines, 'key-fee')[0];
    expect(fee?.amount).toBe('0.322580645161');
    expect(fee?.assumptions).toEqual(
      expect.arrayContaining(['PENDING_DELETION_START_DERIVED', 'DEFAULT_PENDING_WINDOW_DAYS']),
    );
    expect(cost.assumptions.find((a) => a.id === 'PENDING_DELETION_START_DERIVED')?.appliesTo).toEqual([
      k.arn,
    ]);
  });

  it('bills a deletion scheduled on the 11th and cancelled on the 14th as though never scheduled', () => {
    // Prepare: scheduled 11th, cancelled 14th → billed the whole month, 744 hours = $1.00.
    const k = key({ id: 'kc' });
    const events = [
      event(k.arn, 'ScheduleKeyDeletion', '2026-10-11T00:00:00.000Z', { pendingWindowInDays: 30 }),
      event(k.arn, 'CancelKeyDeletion', '2026-10-14T09:00:00.000Z'),
    ];
    const cost = priceMonth({
      month: OCT,
      snapshot: snapshot([k]),
      usage: usage(OCT, { lifecycle: events }),
      tables,
    });
    expect(onlyKey(cost).total.amount).toBe('1');
  });

  it('caps the fee of a key rotated three times at $3 (rotations after the second are free)', () => {
    // Prepare: three rotations before the month; the key exists all month.
    const k = key({
      id: 'k3rot',
      rotations: [
        { date: '2025-03-01T00:00:00.000Z', type: 'AUTOMATIC' },
        { date: '2025-06-01T00:00:00.000Z', type: 'ON_DEMAND' },
        { date: '2025-09-01T00:00:00.000Z', type: 'ON_DEMAND' },
      ],
    });
    // Act
    const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: usage(OCT), tables });
    // Assess: $1 key + $1 rotation 1 + $1 rotation 2 = $3; the third adds nothing.
    const entry = onlyKey(cost);
    expect(lineOf(entry.lines, 'rotation-fee').map((l) => l.amount)).toEqual(['1', '1']);
    expect(entry.total.amount).toBe('3');
    expect(entry.notes.join(' ')).toMatch(/3 rotations: only the first 2 add a fee/);
  });

  it('before April 2024 bills every rotation (uncapped table): three rotations make $4', () => {
    // Prepare: the same key priced for October 2023, under aws-kms.2014-11-12.
    const k = key({
      id: 'k3old',
      metadata: { creationDate: '2022-01-01T00:00:00.000Z' },
      rotations: [
        { date: '2022-03-01T00:00:00.000Z', type: 'ON_DEMAND' },
        { date: '2022-06-01T00:00:00.000Z', type: 'ON_DEMAND' },
        { date: '2023-01-01T00:00:00.000Z', type: 'AUTOMATIC' },
      ],
    });
    const cost = priceMonth({ month: '2023-10', snapshot: snapshot([k]), usage: usage('2023-10'), tables });
    // Assess: $1 + 3 × $1 = $4, priced with the older table.
    expect(cost.table.version).toBe('aws-kms.2014-11-12');
    expect(onlyKey(cost).total.amount).toBe('4');
  });

  it('prorates a first rotation at 00:00 on the 21st from the rotation', () => {
    // Prepare: rotation 2026-10-21T00:00Z → 21st..31st = 11 days × 24 = 264 hours.
    const k = key({ id: 'k21', rotations: [{ date: '2026-10-21T00:00:00.000Z', type: 'AUTOMATIC' }] });
    const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: usage(OCT), tables });
    // Assess: $1 × 264 / 744 = 0.354838709677419… → 0.354838709677; total $1 + that = 1.354838709677.
    const entry = onlyKey(cost);
    const rotation = lineOf(entry.lines, 'rotation-fee')[0];
    expect(rotation?.hours).toEqual({ billable: 264, inMonth: 744 });
    expect(rotation?.amount).toBe('0.354838709677');
    expect(entry.total.amount).toBe('1.354838709677');
  });

  it('prices 1,000 GenerateDataKeyPair requests for an RSA pair at $1.20 (the $12.00 tier, not ECC)', () => {
    // Prepare: a symmetric key asked for RSA_2048 pairs 1,000 times.
    const k = key({ id: 'kpair' });
    const u = usage(OCT, {
      requests: [requests(k.arn, 'GenerateDataKeyPair', 1000, { keyPairSpec: 'RSA_2048' })],
    });
    const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: u, tables });
    // Assess: 1,000 × $12.00 / 10,000 = $1.20; not covered by the free tier (no credit).
    const line = lineOf(onlyKey(cost).lines, 'requests')[0];
    expect(line?.tier).toBe('KMS-Requests-GenerateDatakeyPair-RSA');
    expect(line?.unitPrice).toBe('12.00');
    expect(line?.amount).toBe('1.2');
    expect(cost.credits).toEqual([]);
  });

  it('prices 10,000 Sign requests at $0.03 on RSA_2048 and $0.15 on RSA_4096', () => {
    // Prepare: two asymmetric signing keys, 10,000 Sign each.
    const small = key({ id: 'rsa2048', metadata: { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' } });
    const large = key({ id: 'rsa4096', metadata: { keySpec: 'RSA_4096', keyUsage: 'SIGN_VERIFY' } });
    const u = usage(OCT, {
      requests: [requests(small.arn, 'Sign', 10_000), requests(large.arn, 'Sign', 10_000)],
    });
    const cost = priceMonth({ month: OCT, snapshot: snapshot([small, large]), usage: u, tables });
    // Assess: 10,000 × $0.03 / 10,000 = $0.03; 10,000 × $0.15 / 10,000 = $0.15; no free tier on asymmetric.
    const byKey = new Map(cost.keys.map((k) => [k.keyId, lineOf(k.lines, 'requests')[0]?.amount]));
    expect(byKey.get('rsa2048')).toBe('0.03');
    expect(byKey.get('rsa4096')).toBe('0.15');
    expect(cost.credits).toEqual([]);
  });

  it('prices 25,000 symmetric requests at $0.015 after the free tier, shown as its own credit line', () => {
    // Prepare: 25,000 Decrypt on one symmetric key.
    const k = key({ id: 'ksym' });
    const u = usage(OCT, { requests: [requests(k.arn, 'Decrypt', 25_000)] });
    const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: u, tables });
    // Assess: 25,000 × $0.03 / 10,000 = $0.075; credit −20,000 × $0.03 / 10,000 = −$0.06; net $0.015.
    expect(lineOf(onlyKey(cost).lines, 'requests')[0]?.amount).toBe('0.075');
    expect(cost.credits).toHaveLength(1);
    expect(cost.credits[0]).toMatchObject({ kind: 'free-tier-credit', quantity: '-20000', amount: '-0.06' });
    // The key's own total is its fee plus its requests: $1.075. The month: $1.075 − $0.06 = $1.015.
    expect(onlyKey(cost).total.amount).toBe('1.075');
    expect(cost.total.amount).toBe('1.015');
    const requestLine = lineOf(onlyKey(cost).lines, 'requests')[0]?.amount as string;
    expect(sumMoney([requestLine, cost.credits[0]?.amount as string])).toBe('0.015');
  });

  it('bills a multi-Region primary and its replica separately, each in its own region', () => {
    // Prepare: primary in us-east-1, replica in eu-west-1, both the whole month.
    const primaryArn = arnOf('mrk-1', 'us-east-1');
    const replicaArn = arnOf('mrk-1', 'eu-west-1');
    const mr = (role: 'PRIMARY' | 'REPLICA') => ({
      role,
      primary: { arn: primaryArn, region: 'us-east-1' },
      replicas: [{ arn: replicaArn, region: 'eu-west-1' }],
    });
    const primary = key({ id: 'mrk-1', region: 'us-east-1', metadata: { multiRegion: mr('PRIMARY') } });
    const replica = key({ id: 'mrk-1', region: 'eu-west-1', metadata: { multiRegion: mr('REPLICA') } });
    const u = usage(OCT, { regions: [{ account: ACCOUNT, region: 'eu-west-1' }] });
    const cost = priceMonth({ month: OCT, snapshot: snapshot([primary, replica]), usage: u, tables });
    // Assess: $1 + $1 = $2; $1 in each region's subtotal.
    expect(cost.keys.map((k) => [k.region, k.multiRegionRole, k.total.amount])).toEqual([
      ['eu-west-1', 'REPLICA', '1'],
      ['us-east-1', 'PRIMARY', '1'],
    ]);
    expect(cost.subtotals.map((s) => [s.region, s.total.amount])).toEqual([
      ['eu-west-1', '1'],
      ['us-east-1', '1'],
    ]);
    expect(cost.total.amount).toBe('2');
  });

  it('charges no fee for an AWS managed key but bills its 100,000 Decrypt requests', () => {
    // Prepare: aws/s3-style key with 100,000 Decrypt made by S3 on the account's behalf.
    const k = key({ id: 'awsmanaged', metadata: { keyManager: 'AWS' }, aliases: ['alias/aws/s3'] });
    const u = usage(OCT, { requests: [requests(k.arn, 'Decrypt', 100_000)] });
    const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: u, tables });
    // Assess: fee none; 100,000 × $0.03 / 10,000 = $0.30; free tier −$0.06 → month $0.24.
    const entry = onlyKey(cost);
    expect(lineOf(entry.lines, 'key-fee')).toEqual([]);
    expect(entry.total.amount).toBe('0.3');
    expect(cost.credits[0]?.amount).toBe('-0.06');
    expect(cost.total.amount).toBe('0.24');
  });

  it('uses 696 hours for February of a leap year', () => {
    // Prepare: February 2024 = 29 days × 24 = 696 hours; created 2024-02-15T00:00Z → 15 × 24 = 360 hours.
    const k = key({ id: 'kfeb', metadata: { creationDate: '2024-02-15T00:00:00.000Z' } });
    const cost = priceMonth({ month: '2024-02', snapshot: snapshot([k]), usage: usage('2024-02'), tables });
    // Assess: $1 × 360 / 696 = 0.517241379310344… → 0.51724137931 (0.517241379310 to 12 places).
    expect(cost.period.hours).toBe(696);
    const fee = lineOf(onlyKey(cost).lines, 'key-fee')[0];
    expect(fee?.hours).toEqual({ billable: 360, inMonth: 696 });
    expect(fee?.amount).toBe('0.51724137931');
    expect(formatTotal(cost.total)).toBe('$0.52');
  });
});

describe('Function: priceMonth, the cases AWS bills differently (issue 13), hand-computed', () => {
  it('prices a month to date up to the evidence time: 500 keys on the 2nd at 01:00 cost $16.80, not $500', () => {
    // Prepare: 500 keys that existed all month; evidence taken 2026-10-02T01:00Z; LookupEvents read to then.
    const keys = Array.from({ length: 500 }, (_, i) => key({ id: `k${i}` }));
    const asOf = '2026-10-02T01:00:00.000Z';
    const u = usage(OCT, {
      requests: [requests(keys[0]?.arn as string, 'Decrypt', 30_000)],
      coverage: [
        {
          account: ACCOUNT,
          region: 'us-east-1',
          source: 'cloudtrail-lookup',
          status: 'partial',
          detail: 'the month is not over',
          readUntil: '2026-10-02T01:00:05.000Z',
        },
      ],
    });
    // Act
    const cost = priceMonth({
      month: OCT,
      snapshot: snapshot(keys, asOf),
      usage: u,
      tables,
      options: { asOf },
    });
    // Assess: 1st 24 h + 2nd 00:00-01:00 1 h = 25 of 744 hours.
    // Each key: $1 × 25 / 744 = 0.0336021505376… → 0.033602150538; 500 keys: 500 × 0.033602150538 = 16.801075269.
    // Requests to date: 30,000 × $0.03 / 10,000 = $0.09, free tier −20,000 × $0.03 / 10,000 = −$0.06.
    const fee = lineOf(cost.keys[0]?.lines ?? [], 'key-fee')[0];
    expect(fee?.hours).toEqual({ billable: 25, inMonth: 744 });
    expect(fee?.amount).toBe('0.033602150538');
    expect(
      sumMoney(cost.keys.flatMap((k) => lineOf(k.lines, 'key-fee').map((l) => l.amount as string))),
    ).toBe('16.801075269');
    // 16.801075269 + 0.09 − 0.06 = 16.831075269, complete: the requests to date were read in full.
    expect(cost.total).toEqual({ amount: '16.831075269', complete: true, unknownLines: 0 });
    expect(cost.period.pricedUntil).toBe(asOf);
    expect(cost.notices.join(' ')).toMatch(
      /Month to date: priced up to 2026-10-02T01:00:00.000Z .* 25 of the month's 744 hours/,
    );
  });

  it('a month to date from evidence taken before the month began: every fee unknown, never $0', () => {
    // Prepare: 3 keys; the inventory was taken on 30 September, an hour before October began.
    const keys = Array.from({ length: 3 }, (_, i) =>
      key({ id: `k${i}`, metadata: { creationDate: '2026-01-01T00:00:00.000Z' } }),
    );
    const asOf = '2026-09-30T23:00:00.000Z';
    // Act
    const cost = priceMonth({ month: OCT, snapshot: snapshot(keys, asOf), tables, options: { asOf } });
    // Assess: no fee is a known amount; the total is "at least", and says why.
    const fees = cost.keys.flatMap((k) => lineOf(k.lines, 'key-fee'));
    expect(fees).toHaveLength(3);
    for (const fee of fees)
      expect(fee).toMatchObject({
        amount: null,
        unknownReason:
          'fee unknown: the evidence was collected at 2026-09-30T23:00:00.000Z, before 2026-10 began',
      });
    expect(cost.total.complete).toBe(false);
    expect(formatTotal(cost.total)).toMatch(/^at least \$0\.00/);
    expect(cost.notices.join(' ')).toMatch(
      /evidence collected at 2026-09-30T23:00:00.000Z, before 2026-10 began: key and rotation fees are unknown/,
    );
  });

  it('prices a key in a region the table does not list at the default region prices, named; another partition stays unknown', () => {
    // Prepare: a key in ap-southeast-6 (newer than the table) with 30,000 Decrypt; a key in cn-north-1.
    const fresh = key({ id: 'new-region', region: 'ap-southeast-6' });
    const china = key({ id: 'china', region: 'cn-north-1' });
    const u = usage(OCT, {
      requests: [requests(fresh.arn, 'Decrypt', 30_000)],
      regions: [{ account: ACCOUNT, region: 'cn-north-1' }],
    });
    // Act
    const cost = priceMonth({ month: OCT, snapshot: snapshot([fresh, china]), usage: u, tables });
    // Assess: ap-southeast-6 at us-east-1 prices: $1 + 30,000 × $0.03 / 10,000 = $1.09, free tier −$0.06 → $1.03.
    const byRegion = new Map(cost.keys.map((k) => [k.region, k]));
    expect(byRegion.get('ap-southeast-6')?.total).toEqual({
      amount: '1.09',
      complete: true,
      unknownLines: 0,
    });
    // cn-north-1 is priced in CNY by AWS China: its fee is unknown, never $0, and the total is "at least".
    expect(lineOf(byRegion.get('cn-north-1')?.lines ?? [], 'key-fee')[0]?.amount).toBeNull();
    expect(cost.total).toEqual({ amount: '1.03', complete: false, unknownLines: 1 });
    const assumption = (id: string) => cost.assumptions.find((a) => a.id === id)?.appliesTo;
    expect(assumption('UNLISTED_REGION_PRICES_FROM')).toEqual(['ap-southeast-6']);
    expect(assumption('UNVERIFIED_REGION_PRICES')).toContain('ap-southeast-6');
  });

  it('prices DescribeKey on an ECC key as an ordinary request inside the free tier, Sign at the asymmetric rate', () => {
    // Prepare: an ECC_NIST_P256 signing key, 10,000 Sign and 10,000 DescribeKey.
    const k = key({ id: 'ecc', metadata: { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' } });
    const u = usage(OCT, {
      requests: [requests(k.arn, 'Sign', 10_000), requests(k.arn, 'DescribeKey', 10_000)],
    });
    // Act
    const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: u, tables });
    // Assess: Sign 10,000 × $0.15 / 10,000 = $0.15 (asymmetric, no free tier);
    // DescribeKey 10,000 × $0.03 / 10,000 = $0.03, then free tier −$0.03 (it was $0.15 and outside the free tier).
    const lines = lineOf(onlyKey(cost).lines, 'requests');
    expect(lines.map((l) => [l.operation, l.tier, l.amount])).toEqual([
      ['DescribeKey', 'KMS-Requests', '0.03'],
      ['Sign', 'KMS-Requests-Asymmetric', '0.15'],
    ]);
    expect(cost.credits.map((c) => c.amount)).toEqual(['-0.03']);
    // $1 + 0.15 + 0.03 − 0.03 = $1.15 (was $1.30).
    expect(cost.total.amount).toBe('1.15');
  });

  it('bills the whole month for a key scheduled for deletion after the month (no ScheduleKeyDeletion in a fully read month)', () => {
    // Prepare: found PendingDeletion on 2026-11-05, DeletionDate 2026-11-20T00:00Z; October's CloudTrail read in full.
    const k = key({
      id: 'later',
      metadata: { keyState: 'PendingDeletion', enabled: false, deletionDate: '2026-11-20T00:00:00.000Z' },
    });
    // Act
    const cost = priceMonth({
      month: OCT,
      snapshot: snapshot([k], '2026-11-05T00:00:00.000Z'),
      usage: usage(OCT),
      tables,
    });
    // Assess: a window is 7-30 days, so it was scheduled on or after 2026-10-21 (20 Nov − 30 days); not in
    // October (none seen), so after it: billed 744 of 744 hours = $1. The guess DeletionDate − 30 days
    // would have billed only 1st-20th: 480 / 744 = $0.645161290323.
    const entry = onlyKey(cost);
    expect(entry.billableHours).toBe(744);
    expect(entry.total.amount).toBe('1');
    expect(cost.assumptions.map((a) => a.id)).not.toContain('PENDING_DELETION_START_DERIVED');
    expect(entry.notes.join(' ')).toMatch(/not pending during 2026-10, billed throughout/);
  });

  it('dates a pending deletion from a ScheduleKeyDeletion found after the month when the month was not read in full', () => {
    // Prepare: DeletionDate 2026-11-10T00:00Z, October's CloudTrail partial; the schedule found on 2026-11-03.
    const k = key({
      id: 'after',
      metadata: { keyState: 'PendingDeletion', enabled: false, deletionDate: '2026-11-10T00:00:00.000Z' },
    });
    const partial: UsageCoverage[] = [
      {
        account: ACCOUNT,
        region: 'us-east-1',
        source: 'cloudtrail-lookup',
        status: 'partial',
        detail: 'stopped',
      },
    ];
    const afterMonth = {
      window: { start: '2026-11-01T00:00:00.000Z', end: '2026-11-05T00:00:00.000Z' },
      lifecycle: [
        event(k.arn, 'ScheduleKeyDeletion', '2026-11-03T00:00:00.000Z', { pendingWindowInDays: 7 }),
      ],
      coverage: [
        { ...(partial[0] as UsageCoverage), status: 'complete' as const, detail: 'ScheduleKeyDeletion read' },
      ],
    };
    const at = (after?: typeof afterMonth) =>
      onlyKey(
        priceMonth({
          month: OCT,
          snapshot: snapshot([k], '2026-11-05T00:00:00.000Z'),
          usage: usage(OCT, { coverage: partial, afterMonth: after }),
          tables,
        }),
      );
    // Assess: with the evidence after the month, the fee is the whole month, 744 / 744 = $1.
    expect(at(afterMonth).lines.find((l) => l.kind === 'key-fee')?.amount).toBe('1');
    // Without it the start is guessed (10 Nov − 30 days = 11 Oct: 240 / 744 = 0.322580645161) and said so.
    const guessed = at().lines.find((l) => l.kind === 'key-fee');
    expect(guessed?.amount).toBe('0.322580645161');
    expect(guessed?.assumptions).toContain('PENDING_DELETION_START_DERIVED');
  });

  it('prices requests that name no key as account lines; unknown when the evidence did not count them', () => {
    // Prepare: 30,000 ListKeys, 5,000 CreateKey, 1,000 GenerateRandom; 10,000 Decrypt on one key.
    const k = key({ id: 'k' });
    const keyless = (operation: string, count: number) => ({
      account: ACCOUNT,
      region: 'us-east-1',
      operation,
      count,
      failedCount: 0,
      source: 'cloudtrail-lookup' as const,
    });
    const u = usage(OCT, {
      requests: [requests(k.arn, 'Decrypt', 10_000)],
      keylessRequests: [
        keyless('ListKeys', 30_000),
        keyless('CreateKey', 5_000),
        keyless('GenerateRandom', 1_000),
      ],
    });
    // Act
    const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: u, tables });
    // Assess: ListKeys 30,000 × $0.03 / 10,000 = 0.09; CreateKey 5,000 → 0.015; GenerateRandom 1,000 → 0.003.
    expect(cost.accountRequests.map((l) => [l.operation, l.keyArn, l.amount])).toEqual([
      ['CreateKey', null, '0.015'],
      ['GenerateRandom', null, '0.003'],
      ['ListKeys', null, '0.09'],
    ]);
    // 46,000 ordinary requests: free tier −20,000 × $0.03 / 10,000 = −0.06.
    // $1 + 0.03 + 0.015 + 0.003 + 0.09 − 0.06 = $1.078.
    expect(cost.total).toEqual({ amount: '1.078', complete: true, unknownLines: 0 });

    // Usage evidence of schema version 1 did not count them: the total is then "at least".
    const { keylessRequests: _dropped, ...v1 } = u;
    const old = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: v1, tables });
    expect(old.accountRequests).toHaveLength(1);
    expect(old.accountRequests[0]?.unknownReason).toMatch(/schema version 1/);
    expect(old.total.complete).toBe(false);
  });

  it('charges no rotation fee on a key created and deleted within the month', () => {
    // Prepare: CreateKey 5th 00:00, ScheduleKeyDeletion 13th 00:00 (7 days), DeleteKey 20th; not in the inventory.
    const arn = arnOf('brief');
    const u = usage(OCT, {
      lifecycle: [
        event(arn, 'CreateKey', '2026-10-05T00:00:00.000Z'),
        event(arn, 'ScheduleKeyDeletion', '2026-10-13T00:00:00.000Z', { pendingWindowInDays: 7 }),
        event(arn, 'DeleteKey', '2026-10-20T00:00:00.000Z'),
      ],
    });
    const cost = priceMonth({ month: OCT, snapshot: snapshot([]), usage: u, tables });
    // Assess: billed 5th..12th = 8 × 24 = 192 hours: $1 × 192 / 744 = 0.258064516129; no rotation line, total known.
    const entry = onlyKey(cost);
    expect(lineOf(entry.lines, 'rotation-fee')).toEqual([]);
    expect(entry.total).toEqual({ amount: '0.258064516129', complete: true, unknownLines: 0 });
  });

  it('leaves failed requests unbilled and names the assumption where it was used', () => {
    // Prepare: 30,000 Decrypt, 500 of them more that failed.
    const k = key({ id: 'fails' });
    const u = usage(OCT, { requests: [requests(k.arn, 'Decrypt', 30_000, { failedCount: 500 })] });
    const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: u, tables });
    // Assess: 30,000 × $0.03 / 10,000 = $0.09 (the 500 failed are not billed).
    expect(lineOf(onlyKey(cost).lines, 'requests')[0]).toMatchObject({ quantity: '30000', amount: '0.09' });
    expect(cost.assumptions.find((a) => a.id === 'FAILED_REQUESTS_BILLED')?.appliesTo).toEqual([k.arn]);
  });
});
