import { describe, expect, it } from 'vitest';
import { DEMO_MONTH, demoSnapshot, demoUsage } from '../../../src/demo/sample.js';
import type { BillLine } from '../../../src/model/bill.js';
import { demoBill } from '../../../src/pipeline/evidence/demo.js';
import { priceMonth } from '../../../src/pricing/engine.js';
import { loadPricingTables } from '../../../src/pricing/load.js';
import { Dec } from '../../../src/pricing/money.js';
import { reconcileBill } from '../../../src/reconcile/index.js';

const DELETED_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0d1e2f30-4152-4637-8899-aabbccddeeff';
const FLAGGED_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0b6f2a51-7c3e-4d1a-9f0e-5a2b8c4d6e71';

const total = (lines: readonly { quantity: string | null }[]) =>
  lines.reduce((acc, l) => acc.plus(l.quantity ?? 0), new Dec(0));

describe("the demo's bill (demo/cur, written by scripts/demo-bill.ts)", () => {
  it('is read from its CUR 2.0 export: final, per key, with no gap', async () => {
    const bill = await demoBill();
    expect(bill).toMatchObject({
      source: 'cur',
      month: DEMO_MONTH,
      status: 'final',
      granularity: 'key',
      currency: 'USD',
      gaps: [],
      readAt: '2026-11-01T02:05:00.000Z',
    });
    // Named for the reader, not by the machine's path.
    expect(bill.readCost).toMatch(/^CUR 2\.0 from the demo's CUR export \(demo\/cur\): 1 Parquet files/);
  });

  it("bills every key of the demo's estimate as estimated, but for one deleted key and one key's Decrypt", async () => {
    const bill = await demoBill();
    const cost = priceMonth({
      month: DEMO_MONTH,
      snapshot: demoSnapshot(),
      usage: demoUsage(),
      tables: await loadPricingTables(),
    });
    const billed = (keyArn: string, pick: (l: BillLine) => boolean) =>
      total(bill.lines.filter((l) => l.keyArn === keyArn && pick(l)));
    const different: string[] = [];
    for (const key of cost.keys) {
      const fees = key.lines.filter(
        (l) => (l.kind === 'key-fee' || l.kind === 'rotation-fee') && l.amount !== null,
      );
      // Key-months: the estimate's, to AWS's rounding of each daily line item.
      const keyMonths = billed(key.keyArn, (l) => l.category === 'key-months');
      expect(keyMonths.minus(total(fees)).abs().toNumber(), key.keyArn).toBeLessThan(1e-9);
      for (const l of key.lines.filter((r) => r.kind === 'requests')) {
        const requests = billed(key.keyArn, (b) => b.operation === l.operation && b.account === l.account);
        if (!requests.equals(l.quantity as string)) different.push(`${key.keyArn.slice(-12)} ${l.operation}`);
      }
    }
    // The flagged key (30% more Decrypt than counted) and the key the unattributed volume is billed on.
    expect(different.sort()).toEqual(['490a7c3cbd60 Decrypt', '5a2b8c4d6e71 Decrypt']);
    expect(billed(FLAGGED_KEY, (l) => l.operation === 'Decrypt').toFixed()).toBe('1560000');
    // A key the inventory does not hold: deleted before the evidence was taken.
    expect(cost.keys.some((k) => k.keyArn === DELETED_KEY)).toBe(false);
    expect(
      bill.lines.filter((l) => l.keyArn === DELETED_KEY).map((l) => [l.category, l.quantity, l.amount]),
    ).toEqual([
      ['key-months', '0.1290322581', '0.1290322581'],
      ['KMS-Requests', '600', '0.0018'],
    ]);
    // Per usage type, the requests' amounts are the estimate's once the free tier is applied.
    const requestAmount = (region: string) =>
      bill.lines
        .filter((l) => l.region === region && l.category === 'KMS-Requests' && l.keyArn !== DELETED_KEY)
        .reduce((acc, l) => acc.plus(l.amount), new Dec(0))
        .toFixed();
    expect(requestAmount('eu-west-1')).toBe('0.9636');
  });

  it("explains the eu-west-1 key's free tier per key as the usage-type row does: no contradiction, nothing flagged", async () => {
    const cost = priceMonth({
      month: DEMO_MONTH,
      snapshot: demoSnapshot(),
      usage: demoUsage(),
      tables: await loadPricingTables(),
    });
    const rec = reconcileBill(cost, await demoBill());
    const typeRow = rec.rows.find((r) => r.region === 'eu-west-1' && r.category === 'KMS-Requests');
    expect(typeRow).toMatchObject({ difference: '0', flagged: false });
    const keyRow = rec.keyRows.find((r) => r.region === 'eu-west-1' && r.category === 'KMS-Requests');
    expect(keyRow).toMatchObject({
      difference: '0.06',
      flagged: false,
      explanation: { kind: 'free-tier-here' },
    });
    expect(keyRow?.explanation?.text).toContain(
      'the estimate credits the free tier (0.06) to the account and region, not to a key',
    );
    expect(keyRow?.explanation?.text).not.toContain('another account or region');
  });
});
