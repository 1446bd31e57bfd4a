import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rotation } from '../../../src/model/inventory.js';
import type { MonthCost } from '../../../src/model/pricing.js';
import { priceMonth } from '../../../src/pricing/engine.js';
import { billedHours, monthPeriod } from '../../../src/pricing/key-fee.js';
import { dec, sumMoney } from '../../../src/pricing/money.js';
import { key, requests, shippedTables, snapshot, usage } from './fixtures.js';

const tables = shippedTables();
const MONTH = '2026-10';
const START = Date.UTC(2026, 9, 1);
const END = Date.UTC(2026, 10, 1);
const OPERATIONS = ['Decrypt', 'Encrypt', 'Sign', 'GenerateDataKeyPair', 'DescribeKey'] as const;
const SPECS = ['SYMMETRIC_DEFAULT', 'RSA_2048', 'RSA_4096', 'ECC_NIST_P256', 'HMAC_256'] as const;

/** A time from a month before to a month after the priced one, on any millisecond. */
const time = fc
  .integer({ min: START - 31 * 86_400_000, max: END + 31 * 86_400_000 })
  .map((t) => new Date(t).toISOString());

interface GenKey {
  readonly id: string;
  readonly spec: (typeof SPECS)[number];
  readonly creation: string;
  readonly pendingDeletion: string | null;
  readonly rotations: readonly string[];
  readonly requests: readonly { readonly operation: string; readonly count: number }[];
}

const keyArb: fc.Arbitrary<GenKey> = fc.record({
  id: fc.uuid(),
  spec: fc.constantFrom(...SPECS),
  creation: time,
  pendingDeletion: fc.option(time, { nil: null }),
  rotations: fc.array(time, { maxLength: 5 }),
  requests: fc.array(
    fc.record({ operation: fc.constantFrom(...OPERATIONS), count: fc.nat({ max: 2_000_000 }) }),
    { maxLength: 4 },
  ),
});

function build(keys: readonly GenKey[]) {
  const records = keys.map((k) =>
    key({
      id: k.id,
      metadata: {
        keySpec: k.spec,
        creationDate: k.creation,
        ...(k.pendingDeletion ? { keyState: 'PendingDeletion', deletionDate: k.pendingDeletion } : {}),
      },
      rotations: [...k.rotations].sort().map((date): Rotation => ({ date, type: 'AUTOMATIC' })),
    }),
  );
  const counts = keys.flatMap((k, i) =>
    k.requests.map((r) =>
      requests(records[i]?.arn as string, r.operation, r.count, {
        keyPairSpec: r.operation === 'GenerateDataKeyPair' ? 'RSA_2048' : null,
      }),
    ),
  );
  return { snapshot: snapshot(records), usage: usage(MONTH, { requests: counts }) };
}

function allLines(cost: MonthCost) {
  return [...cost.keys.flatMap((k) => k.lines), ...cost.unattributed, ...cost.credits];
}

describe('Properties of priceMonth', () => {
  it('every total is exactly the sum of its lines, and subtotals add up to the grand total', () => {
    fc.assert(
      fc.property(fc.uniqueArray(keyArb, { selector: (k) => k.id, maxLength: 6 }), (keys) => {
        const cost = priceMonth({ month: MONTH, tables, ...build(keys) });
        for (const k of cost.keys) {
          const priced = k.lines.filter((l) => l.amount !== null).map((l) => l.amount as string);
          expect(dec(k.total.amount).equals(sumMoney(priced))).toBe(true);
        }
        const lines = allLines(cost)
          .filter((l) => l.amount !== null)
          .map((l) => l.amount as string);
        // Every line is in the total or billed to another account; subtotals cover them all.
        const everything = sumMoney([cost.total.amount, cost.billedToOtherAccounts.amount]);
        expect(dec(everything).equals(sumMoney(lines))).toBe(true);
        expect(dec(everything).equals(sumMoney(cost.subtotals.map((s) => s.total.amount)))).toBe(true);
        const inTotal = cost.byBilledAccount.filter((a) => a.inTotal).map((a) => a.total.amount);
        expect(dec(cost.total.amount).equals(sumMoney(inTotal))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('the fee of a key (key-month plus rotations) never exceeds $3 a month, and proration stays in [0, 1]', () => {
    fc.assert(
      fc.property(keyArb, (k) => {
        const cost = priceMonth({ month: MONTH, tables, ...build([k]) });
        for (const entry of cost.keys) {
          const fees = entry.lines.filter((l) => l.kind === 'key-fee' || l.kind === 'rotation-fee');
          const sum = sumMoney(fees.map((l) => l.amount ?? '0'));
          expect(dec(sum).lessThanOrEqualTo(3)).toBe(true);
          for (const l of fees) {
            expect(dec(l.quantity ?? '0').greaterThanOrEqualTo(0)).toBe(true);
            expect(dec(l.quantity ?? '0').lessThanOrEqualTo(1)).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('cost never decreases when a key exists longer', () => {
    fc.assert(
      fc.property(keyArb, time, time, (k, a, b) => {
        const [earlier, later] = a < b ? [a, b] : [b, a];
        const longer = priceMonth({ month: MONTH, tables, ...build([{ ...k, creation: earlier }]) });
        const shorter = priceMonth({ month: MONTH, tables, ...build([{ ...k, creation: later }]) });
        expect(dec(longer.total.amount).greaterThanOrEqualTo(shorter.total.amount)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('cost never decreases when requests grow (free tier included)', () => {
    fc.assert(
      fc.property(
        keyArb,
        fc.nat({ max: 100_000 }),
        fc.nat({ max: 100_000 }),
        fc.constantFrom(...OPERATIONS),
        (k, x, y, op) => {
          const [small, big] = x < y ? [x, y] : [y, x];
          const with_ = (n: number) =>
            priceMonth({
              month: MONTH,
              tables,
              ...build([{ ...k, requests: [...k.requests, { operation: op, count: n }] }]),
            });
          expect(dec(with_(big).total.amount).greaterThanOrEqualTo(with_(small).total.amount)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('billable hours stay within the month for any intervals, in any month', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.tuple(fc.integer({ min: -40, max: 40 }), fc.integer({ min: 0, max: 40 * 24 * 60 })), {
          maxLength: 5,
        }),
        fc.constantFrom('bill-started-hour' as const, 'exact' as const),
        (year, month, raw, policy) => {
          const period = monthPeriod(`${year}-${String(month).padStart(2, '0')}`);
          const intervals = raw.map(([dayOffset, minutes]) => {
            const start = period.start + dayOffset * 86_400_000;
            return { start, end: start + minutes * 60_000 };
          });
          const { hours } = billedHours(intervals, period, policy);
          expect(hours).toBeGreaterThanOrEqual(0);
          expect(hours).toBeLessThanOrEqual(period.hours);
          expect([672, 696, 720, 744]).toContain(period.hours);
        },
      ),
    );
  });
});
