import { describe, expect, it } from 'vitest';
import type { BillReconciliationRow } from '../../../src/model/reconciliation.js';
import { driftBeyond, reconcileBill } from '../../../src/reconcile/index.js';
import { billSectionMarkdown } from '../../../src/report/bill-section.js';
import { capper } from '../../../src/report/markdown.js';
import { ACCOUNT, arn, bill, billLine, keyCost, line, monthCost, OTHER } from './fixtures.js';

/**
 * Hand-computed months. Two keys of 111122223333 in us-east-1 billed the whole of October 2026
 * ($1 a key-month), key b rotated mid-month (+0.5 key-month, $0.50), 50,000 symmetric requests on
 * key a ($0.03 per 10,000: $0.15) and the free tier's 20,000 requests (-$0.06):
 * 2 + 0.5 + 0.15 - 0.06 = $2.59.
 */
function october() {
  const a = keyCost('a', [
    line({ kind: 'key-fee', quantity: '1', amount: '1' }),
    line({ kind: 'requests', operation: 'Decrypt', quantity: '50000', amount: '0.15' }),
  ]);
  const b = keyCost('b', [
    line({ kind: 'key-fee', quantity: '1', amount: '1' }),
    line({ kind: 'rotation-fee', quantity: '0.5', amount: '0.5' }),
  ]);
  const credit = line({ kind: 'free-tier-credit', quantity: '-20000', amount: '-0.06' });
  return monthCost([a, b], { credits: [credit] });
}

const keysLine = (q = '2.5', amount = '2.5') => billLine('us-east-1-KMS-Keys', q, amount);
const requestsLine = (q = '50000', amount = '0.09') => billLine('us-east-1-KMS-Requests', q, amount);

const row = (rows: readonly BillReconciliationRow[], category: string, account = ACCOUNT) =>
  rows.find((r) => r.category === category && r.account === account && r.lineItemType === 'Usage');

describe('reconcileBill', () => {
  it('agrees with a bill that charged what was estimated: key-months with rotations, requests net of the free tier', () => {
    const cost = october();
    expect(cost.total.amount).toBe('2.59');
    const rec = reconcileBill(cost, bill([keysLine(), requestsLine()]));

    expect(row(rec.rows, 'key-months')).toMatchObject({
      usageTypes: ['us-east-1-KMS-Keys'],
      unit: 'key-month',
      estimate: { quantity: '2.5', amount: '2.5' },
      billed: { quantity: '2.5', amount: '2.5' },
      difference: '0',
      percent: '0.00',
      flagged: false,
      explanation: null,
    });
    // Gross quantity on both sides, amounts net of the free tier on both sides.
    expect(row(rec.rows, 'KMS-Requests')).toMatchObject({
      estimate: { quantity: '50000', amount: '0.09' },
      billed: { quantity: '50000', amount: '0.09' },
      difference: '0',
    });
    expect(rec.totals).toMatchObject({
      estimate: { amount: '2.59', complete: true },
      billed: '2.59',
      difference: '0',
      percent: '0.00',
      exceedsThreshold: false,
      flagged: false,
    });
    expect(rec.flagging).toBe('on');
    expect(rec.rounding).toContain('per bill line item');
  });

  it('explains a request row the bill charged in full: the free tier was applied elsewhere in the organisation', () => {
    const rec = reconcileBill(october(), bill([keysLine(), requestsLine('50000', '0.15')]));
    const r = row(rec.rows, 'KMS-Requests');
    // 0.09 - 0.15 = -0.06, -0.06 / 0.15 = -40 %.
    expect(r).toMatchObject({
      difference: '-0.06',
      percent: '-40.00',
      exceedsThreshold: true,
      flagged: false,
    });
    expect(r?.explanation?.kind).toBe('free-tier-elsewhere');
    // 2.59 - 2.65 = -0.06; -0.06 / 2.65 = -2.264 %: within the 5 % threshold, and explained anyway.
    expect(rec.totals).toMatchObject({
      difference: '-0.06',
      percent: '-2.26',
      unexplained: '0',
      flagged: false,
    });
  });

  it('across an organisation: one account credited by the estimate, the other by the bill, the total agrees', () => {
    const mine = keyCost('a', [line({ kind: 'requests', quantity: '50000', amount: '0.15' })]);
    const theirs = keyCost(
      'c',
      [line({ kind: 'requests', account: OTHER, quantity: '50000', amount: '0.15' })],
      {
        account: OTHER,
      },
    );
    const credit = line({ kind: 'free-tier-credit', quantity: '-20000', amount: '-0.06' });
    const cost = monthCost([mine, theirs], { credits: [credit] }, [ACCOUNT, OTHER], 'organization');
    const rec = reconcileBill(
      cost,
      bill(
        [requestsLine('50000', '0.15'), requestsLine('50000', '0.09')].map((l, i) => ({
          ...l,
          account: i === 0 ? ACCOUNT : OTHER,
        })),
      ),
    );
    expect(row(rec.rows, 'KMS-Requests', ACCOUNT)?.explanation).toMatchObject({
      kind: 'free-tier-elsewhere',
      assumptions: ['FREE_TIER_ORGANIZATION', 'FREE_TIER_ALLOCATION_ORDER'],
    });
    // 0.15 estimated, 0.09 billed: the 0.06 is 20,000 requests at $0.03 per 10,000.
    expect(row(rec.rows, 'KMS-Requests', OTHER)?.explanation?.text).toContain('20000 requests less');
    expect(rec.totals).toMatchObject({ estimate: { amount: '0.24' }, billed: '0.24', difference: '0' });
  });

  it('flags an unexplained difference on a final bill, and not on an estimated one (by default)', () => {
    const extra = [keysLine('3.5', '3.5'), requestsLine()];
    const final = reconcileBill(october(), bill(extra));
    // 2.5 - 3.5 = -1; -1 / 3.5 = -28.571 %.
    expect(row(final.rows, 'key-months')).toMatchObject({
      difference: '-1',
      percent: '-28.57',
      exceedsThreshold: true,
      flagged: true,
      explanation: null,
    });
    // 2.59 - 3.59 = -1; -1 / 3.59 = -27.855 %.
    expect(final.totals).toMatchObject({ percent: '-27.86', unexplained: '-1', flagged: true });

    const estimated = reconcileBill(
      october(),
      bill(extra, { status: 'estimated', statusDetail: 'Estimated' }),
    );
    expect(estimated.flagging).toBe('off-estimated-bill');
    expect(row(estimated.rows, 'key-months')).toMatchObject({ exceedsThreshold: true, flagged: false });
    expect(estimated.totals).toMatchObject({ exceedsThreshold: true, flagged: false });
    expect(estimated.notes.join(' ')).toContain('not flagged');

    const asked = reconcileBill(october(), bill(extra, { status: 'estimated' }), { flagEstimatedBill: true });
    expect(asked.totals.flagged).toBe(true);
    // A threshold above the drift: shown, not over it.
    expect(reconcileBill(october(), bill(extra), { driftThresholdPercent: 30 }).totals.exceedsThreshold).toBe(
      false,
    );
  });

  it('shows a usage type it does not map, by name, and flags its money', () => {
    const rec = reconcileBill(
      october(),
      bill([keysLine(), requestsLine(), billLine('us-east-1-KMS-Requests-Quantum', '10', '0.01')]),
    );
    const unmapped = rec.rows.find((r) => r.category === 'unmapped');
    expect(unmapped).toMatchObject({
      usageTypes: ['us-east-1-KMS-Requests-Quantum'],
      unit: 'unknown',
      estimate: { quantity: '0', amount: '0' },
      billed: { quantity: '10', amount: '0.01' },
      percent: '-100.00',
      flagged: true,
    });
    expect(unmapped?.explanation?.kind).toBe('unmapped-usage-type');
  });

  it('keeps credits and refunds apart: explained, in neither total, summed as billedOther', () => {
    const credit = billLine('us-east-1-KMS-Keys', '0', '-1', { lineItemType: 'Credit' });
    const rec = reconcileBill(october(), bill([keysLine(), requestsLine(), credit], { source: 'cur' }));
    const r = rec.rows.find((x) => x.lineItemType === 'Credit');
    expect(r).toMatchObject({
      inTotal: false,
      flagged: false,
      estimate: { amount: null },
      billed: { amount: '-1' },
    });
    expect(r?.explanation?.kind).toBe('credit-refund');
    expect(rec.totals).toMatchObject({ billed: '2.59', billedOther: '-1', difference: '0' });
  });

  it('leaves an unknown estimate line unknown, never $0', () => {
    const cost = monthCost([keyCost('a', [line({ kind: 'key-fee', quantity: '1', amount: '1' })])], {
      accountRequests: [line({ kind: 'requests', quantity: null, amount: null, unknownReason: 'no table' })],
    });
    const rec = reconcileBill(
      cost,
      bill([billLine('us-east-1-KMS-Keys', '1', '1'), requestsLine('100', '0.0003')]),
    );
    expect(row(rec.rows, 'KMS-Requests')).toMatchObject({
      estimate: { quantity: null, amount: null },
      billed: { amount: '0.0003' },
      difference: null,
      percent: null,
      flagged: false,
    });
    expect(row(rec.rows, 'KMS-Requests')?.explanation?.kind).toBe('estimate-unknown');
    expect(rec.totals.estimate).toMatchObject({ complete: false, unknownLines: 1 });
  });

  it('names the assumption a bill contradicts: management calls not billed', () => {
    const cost = monthCost(
      [keyCost('a', [line({ kind: 'requests', operation: 'Decrypt', quantity: '50000', amount: '0.15' })])],
      {
        accountRequests: [
          line({
            kind: 'requests',
            operation: 'ListKeys',
            quantity: '100000',
            amount: '0.3',
            assumptions: ['MANAGEMENT_CALLS_BILLED'],
          }),
        ],
        credits: [line({ kind: 'free-tier-credit', quantity: '-20000', amount: '-0.06' })],
      },
    );
    const rec = reconcileBill(cost, bill([requestsLine('50000', '0.09')]));
    const r = row(rec.rows, 'KMS-Requests');
    // 0.15 + 0.30 - 0.06 = 0.39 estimated, 0.09 billed.
    expect(r).toMatchObject({ difference: '0.3', flagged: false });
    expect(r?.explanation).toMatchObject({ kind: 'assumption', assumptions: ['MANAGEMENT_CALLS_BILLED'] });
  });

  it('says nothing was billed when the bill could not be read: unknown, not zero', () => {
    const rec = reconcileBill(october(), bill([], { gaps: ['GetCostAndUsage: AccessDeniedException'] }));
    expect(rec.totals).toMatchObject({ billed: null, difference: null, percent: null, flagged: false });
    expect(row(rec.rows, 'key-months')).toMatchObject({ billed: { amount: null }, difference: null });
    expect(row(rec.rows, 'key-months')?.explanation?.kind).toBe('bill-incomplete');
  });

  it('per key with a CUR: each key against its own lines, and a key the inventory lost explained', () => {
    const gone = arn('c');
    const cur = bill(
      [
        billLine('us-east-1-KMS-Keys', '1', '1', { keyArn: arn('a') }),
        billLine('us-east-1-KMS-Keys', '1.5', '1.5', { keyArn: arn('b') }),
        billLine('us-east-1-KMS-Keys', '0.25', '0.25', { keyArn: gone }),
        billLine('us-east-1-KMS-Requests', '50000', '0.09', { keyArn: arn('a'), operation: 'Decrypt' }),
      ],
      { source: 'cur', granularity: 'key' },
    );
    const rec = reconcileBill(october(), cur);
    const byKey = (k: string, category: string) =>
      rec.keyRows.find((r) => r.keyArn === k && r.category === category);
    expect(byKey(arn('a'), 'key-months')).toMatchObject({ difference: '0', flagged: false });
    // Key b's fee and rotation surcharge, together against its key-months.
    expect(byKey(arn('b'), 'key-months')).toMatchObject({
      estimate: { quantity: '1.5', amount: '1.5' },
      billed: { quantity: '1.5', amount: '1.5' },
      difference: '0',
    });
    expect(byKey(gone, 'key-months')).toMatchObject({
      estimate: { amount: '0' },
      billed: { amount: '0.25' },
    });
    expect(byKey(gone, 'key-months')?.explanation?.kind).toBe('key-deleted-before-evidence');
    // Per key the free tier shows as the bill's: the 0.06 is 20,000 requests at $0.03 per 10,000.
    expect(byKey(arn('a'), 'KMS-Requests')?.explanation?.kind).toBe('free-tier-here');
    // The usage-type row's extra quarter key-month is that key's.
    expect(row(rec.rows, 'key-months')).toMatchObject({ difference: '-0.25', flagged: false });
    expect(row(rec.rows, 'key-months')?.explanation?.kind).toBe('key-deleted-before-evidence');
    expect(rec.totals.flagged).toBe(false);
  });

  it('reads a difference within half a cent per line item as rounding', () => {
    const rec = reconcileBill(october(), bill([keysLine('2.5', '2.5000000001'), requestsLine()]));
    expect(row(rec.rows, 'key-months')).toMatchObject({ exceedsThreshold: false, flagged: false });
    expect(row(rec.rows, 'key-months')?.explanation?.kind).toBe('rounding');
  });

  it("reads a per-key CUR's unrounded key-month lines as rounding: 31 daily lines of 0.0322580645 against $1", () => {
    const cost = monthCost([keyCost('a', [line({ kind: 'key-fee', quantity: '1', amount: '1' })])]);
    const daily = Array.from({ length: 31 }, () =>
      billLine('us-east-1-KMS-Keys', '0.0322580645', '0.0322580645', { keyArn: arn('a') }),
    );
    const rec = reconcileBill(cost, bill(daily, { source: 'cur', granularity: 'key' }));
    expect(row(rec.rows, 'key-months')).toMatchObject({
      difference: '0.0000000005',
      percent: '0.00',
      flagged: false,
      explanation: { kind: 'rounding', text: 'Within rounding.' },
    });
    expect(rec.totals).toMatchObject({ exceedsThreshold: false, flagged: false });
  });

  it('does not read 10,000 per-key lines billed 2.5x as rounding: every key and the total are flagged', () => {
    // 600 requests a key estimated ($0.0018), 1,500 billed ($0.0045): $0.0027 a key, $27 in all,
    // well within the old half cent per line ($50 over 10,000 lines).
    const ids = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
    const cost = monthCost(
      ids.map((id) =>
        keyCost(id, [line({ kind: 'requests', operation: 'Decrypt', quantity: '600', amount: '0.0018' })]),
      ),
    );
    const lines = ids.map((id) => billLine('us-east-1-KMS-Requests', '1500', '0.0045', { keyArn: arn(id) }));
    const rec = reconcileBill(cost, bill(lines, { source: 'cur', granularity: 'key' }));
    expect(row(rec.rows, 'KMS-Requests')).toMatchObject({
      difference: '-27',
      percent: '-60.00',
      exceedsThreshold: true,
      flagged: true,
      explanation: null,
    });
    expect(rec.keyRows.filter((r) => r.flagged)).toHaveLength(10_000);
    expect(rec.keyRows.some((r) => r.explanation?.kind === 'rounding')).toBe(false);
    expect(rec.totals).toMatchObject({ difference: '-27', percent: '-60.00', flagged: true });
  });

  it('never reads a difference against a zero bill, or of 1% of the bill, as rounding', () => {
    const cost = monthCost([
      keyCost('a', [line({ kind: 'requests', operation: 'Decrypt', quantity: '600', amount: '0.0018' })]),
    ]);
    const zero = reconcileBill(
      cost,
      bill([billLine('us-east-1-KMS-Requests', '0', '0', { keyArn: arn('a') })], {
        granularity: 'key',
        source: 'cur',
      }),
    );
    expect(zero.keyRows[0]?.explanation?.kind).not.toBe('rounding');
    expect(zero.keyRows[0]?.exceedsThreshold).toBe(true);
    expect(roundingText()).toContain('under 1% of it');
  });
});

const roundingText = () => reconcileBill(monthCost([]), bill([])).rounding;

describe('driftBeyond (--fail-on-drift): an unknown drift fails, saying why', () => {
  it('fails a bill read only in part as incomplete, not as a percentage', () => {
    const rec = reconcileBill(october(), bill([keysLine()], { gaps: ['file 2 of 2: AccessDenied'] }));
    expect(driftBeyond(rec, 10)).toBe(
      'the bill is incomplete (1 part not read: file 2 of 2: AccessDenied): the drift is unknown',
    );
  });

  it('fails a lower-bound estimate (lines it could not price) as unknown, even below the bill', () => {
    const cost = monthCost([keyCost('a', [line({ kind: 'key-fee', quantity: '1', amount: '1' })])], {
      accountRequests: [line({ kind: 'requests', quantity: null, amount: null, unknownReason: 'no table' })],
    });
    const rec = reconcileBill(cost, bill([billLine('us-east-1-KMS-Keys', '1', '1')]));
    expect(driftBeyond(rec, 10)).toBe(
      'the estimate is a lower bound (1 line could not be priced): the drift is unknown',
    );
  });

  it('never compares a bill in another currency: every row unknown with the reason, and it fails naming both', () => {
    const rec = reconcileBill(october(), bill([keysLine(), requestsLine()], { currency: 'EUR' }));
    for (const r of rec.rows)
      expect(r).toMatchObject({
        difference: null,
        percent: null,
        flagged: false,
        explanation: { kind: 'currency-mismatch' },
      });
    expect(rec.totals).toMatchObject({ difference: null, percent: null, flagged: false });
    expect(driftBeyond(rec, 10)).toBe(
      'the bill is in EUR and the estimate in USD: they were not compared, the drift is unknown',
    );
  });

  it('treats a bill of unknown status as not final: shown, not flagged, not failing, and says so', () => {
    const rec = reconcileBill(
      october(),
      bill([keysLine('12.5', '12.5'), requestsLine()], {
        status: 'unknown',
        statusDetail: 'Cost Explorer did not say whether the month is final',
      }),
    );
    expect(rec.flagging).toBe('off-status-unknown');
    expect(row(rec.rows, 'key-months')).toMatchObject({ exceedsThreshold: true, flagged: false });
    expect(driftBeyond(rec, 10)).toBeNull();
    expect(rec.notes.join('\n')).toContain('Whether the bill is final is unknown');
    // The same bill, final: flagged and failing.
    const final = reconcileBill(october(), bill([keysLine('12.5', '12.5'), requestsLine()]));
    expect(driftBeyond(final, 10)).toMatch(
      /^the estimate differs from the bill by -79\.\d\d% \(more than 10%\)$/,
    );
  });
});

describe("a bill currency that is not a currency code (a library caller's BillRead)", () => {
  it('is not compared, and is escaped in the Markdown table', () => {
    const rec = reconcileBill(october(), bill([keysLine(), requestsLine()], { currency: 'U|D' }));
    expect(rec.totals.difference).toBeNull();
    const md = billSectionMarkdown(rec, capper({}), (a) => a);
    const keysRow = md.split('\n').find((l) => l.includes('us-east-1-KMS-Keys')) ?? '';
    expect(keysRow).toContain('2.5000 U\\|D');
    expect(keysRow).not.toMatch(/[^\\]\|D/);
  });
});
