import { describe, expect, it } from 'vitest';
import type { InventorySnapshot } from '../../../src/model/inventory.js';
import { failed } from '../../../src/model/observed.js';
import { priceMonth } from '../../../src/pricing/engine.js';
import { PricingError } from '../../../src/pricing/errors.js';
import { formatTotal } from '../../../src/pricing/money.js';
import { monthOf } from '../../../src/util/month.js';
import {
  ACCOUNT,
  arnOf,
  event,
  key,
  OTHER_ACCOUNT,
  requests,
  shippedTables,
  snapshot,
  usage,
} from './fixtures.js';

const tables = shippedTables();
const OCT = '2026-10'; // 744 hours

describe('Function: priceMonth', () => {
  describe('request volume', () => {
    it('says "unknown" (never $0) for request cost when no usage was collected', () => {
      const k = key({ id: 'k' });
      const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), tables });
      const line = cost.keys[0]?.lines.find((l) => l.kind === 'requests');
      expect(line).toMatchObject({
        amount: null,
        unknownReason: expect.stringMatching(/no usage was collected/),
      });
      expect(cost.total).toEqual({ amount: '1', complete: false, unknownLines: 1 });
      expect(formatTotal(cost.total)).toBe('at least $1.00 (1 unknown)');
    });

    it('keeps counted requests and adds an unknown line when per-key counts are partial', () => {
      const k = key({ id: 'k' });
      const u = usage(OCT, {
        requests: [requests(k.arn, 'Decrypt', 10_000)],
        coverage: [
          {
            account: ACCOUNT,
            region: 'us-east-1',
            source: 'cloudtrail-lookup',
            status: 'partial',
            detail: 'stopped at 2026-10-20',
          },
        ],
      });
      const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: u, tables });
      const lines = cost.keys[0]?.lines.filter((l) => l.kind === 'requests') ?? [];
      expect(lines.map((l) => l.amount)).toEqual(['0.03', null]);
      expect(lines[1]?.unknownReason).toMatch(/partial.*stopped at 2026-10-20/);
      expect(cost.keys[0]?.total.complete).toBe(false);
    });

    it('does not bill failed requests and says how many there were', () => {
      const k = key({ id: 'k' });
      const u = usage(OCT, { requests: [requests(k.arn, 'Decrypt', 0, { failedCount: 7 })] });
      const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: u, tables });
      expect(cost.keys[0]?.lines.filter((l) => l.kind === 'requests')).toEqual([]);
      expect(cost.keys[0]?.notes).toContain('7 failed requests not billed');
    });

    it('prices account-level volume above the per-key counts as an unattributed line per account and region', () => {
      // 50,000 symmetric operations in CloudWatch, 30,000 counted per key → 20,000 × $0.03 / 10,000 = $0.06.
      const k = key({ id: 'k' });
      const u = usage(OCT, {
        requests: [requests(k.arn, 'Decrypt', 30_000)],
        accountTotals: [
          {
            account: ACCOUNT,
            region: 'us-east-1',
            resource: 'CryptographicOperationsSymmetric',
            count: 50_000,
            source: 'cloudwatch',
          },
          {
            account: ACCOUNT,
            region: 'us-east-1',
            resource: 'GenerateDataKeyPair-RSA_2048',
            count: 10,
            source: 'cloudwatch',
          },
        ],
      });
      const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: u, tables });
      expect(cost.unattributed.map((l) => [l.tier, l.quantity, l.amount])).toEqual([
        // 10 RSA pairs × $12.00 / 10,000 = $0.012
        ['KMS-Requests', '20000', '0.06'],
        ['KMS-Requests-GenerateDatakeyPair-RSA', '10', '0.012'],
      ]);
      // The free tier covers attributed and unattributed symmetric volume: 50,000 ≥ 20,000 → −$0.06.
      expect(cost.credits.map((c) => c.amount)).toEqual(['-0.06']);
      // $1 fee + $0.09 counted + $0.06 unattributed + $0.012 pairs − $0.06 credit = $1.102
      expect(cost.total.amount).toBe('1.102');
    });

    it('prices a key known only from request counts of another account as requests, its fee billed elsewhere', () => {
      const foreign = arnOf('theirs', 'us-east-1', OTHER_ACCOUNT);
      const u = usage(OCT, { requests: [requests(foreign, 'Encrypt', 10_000, { account: ACCOUNT })] });
      const cost = priceMonth({ month: OCT, snapshot: snapshot([]), usage: u, tables });
      const entry = cost.keys[0];
      expect(entry?.source).toBe('request-counts');
      expect(entry?.notes.join()).toMatch(/fee is billed there/);
      // Spec unknown: the Encrypt tier cannot be told → unknown, not $0.
      expect(entry?.lines.find((l) => l.kind === 'requests')).toMatchObject({
        amount: null,
        account: ACCOUNT,
      });
    });
  });

  describe('free tier', () => {
    const a = key({ id: 'a' });
    const b = key({ id: 'b', account: OTHER_ACCOUNT });
    const u = usage(OCT, {
      requests: [requests(a.arn, 'Decrypt', 15_000), requests(b.arn, 'Decrypt', 15_000)],
    });

    it('applies once per account by default', () => {
      // Each account: 15,000 requests, all free → two credits of −15,000 × $0.03 / 10,000 = −$0.045.
      const cost = priceMonth({ month: OCT, snapshot: snapshot([a, b]), usage: u, tables });
      expect(cost.credits.map((c) => [c.account, c.amount])).toEqual([
        [ACCOUNT, '-0.045'],
        [OTHER_ACCOUNT, '-0.045'],
      ]);
      expect(cost.total.amount).toBe('2');
    });

    it('gives no credit to another account that called these keys: its free tier is not ours to see', () => {
      // The partner's 15,000 Decrypt on our key are billed to the partner ($0.045), with no credit.
      const partner = requests(a.arn, 'Decrypt', 15_000, { account: OTHER_ACCOUNT });
      const cost = priceMonth({
        month: OCT,
        snapshot: snapshot([a]),
        usage: usage(OCT, { requests: [partner] }),
        tables,
      });
      expect(cost.credits).toEqual([]);
      expect(cost.keys[0]?.lines.find((l) => l.kind === 'requests')).toMatchObject({
        account: OTHER_ACCOUNT,
        amount: '0.045',
      });
      // Shown, billed to the partner, and in no total of ours: the key's, the account's, the month's.
      expect(cost.keys[0]?.total.amount).toBe('1');
      expect(cost.byBilledAccount).toEqual([
        { account: ACCOUNT, inTotal: true, total: { amount: '1', complete: true, unknownLines: 0 } },
        {
          account: OTHER_ACCOUNT,
          inTotal: false,
          total: { amount: '0.045', complete: true, unknownLines: 0 },
        },
      ]);
      expect(cost.total.amount).toBe('1');
      expect(cost.billedToOtherAccounts.amount).toBe('0.045');
    });

    it('applies once across the organization when asked, and names the setting', () => {
      // 30,000 requests, 20,000 free: −$0.06; the first account (sorted) takes 15,000, the second 5,000.
      const cost = priceMonth({
        month: OCT,
        snapshot: snapshot([a, b]),
        usage: u,
        tables,
        options: { freeTierScope: 'organization' },
      });
      expect(cost.credits.map((c) => [c.account, c.quantity, c.amount])).toEqual([
        [ACCOUNT, '-15000', '-0.045'],
        [OTHER_ACCOUNT, '-5000', '-0.015'],
      ]);
      expect(cost.total.amount).toBe('2.03');
      expect(cost.assumptions.map((x) => x.id)).toContain('FREE_TIER_ORGANIZATION');
    });
  });

  describe('key fee', () => {
    it('bills a disabled key like an enabled one', () => {
      const k = key({ id: 'off', metadata: { keyState: 'Disabled', enabled: false } });
      const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: usage(OCT), tables });
      expect(cost.keys[0]?.total.amount).toBe('1');
    });

    it('prices a key deleted during the month that only lifecycle events know of', () => {
      // Created 5th 00:00, scheduled 10th 00:00 (7 days), deleted 17th → billed 5th..9th = 5 × 24 = 120 hours.
      const arn = arnOf('gone');
      const u = usage(OCT, {
        lifecycle: [
          event(arn, 'CreateKey', '2026-10-05T00:00:00.000Z'),
          event(arn, 'ScheduleKeyDeletion', '2026-10-10T00:00:00.000Z', { pendingWindowInDays: 7 }),
          event(arn, 'DeleteKey', '2026-10-17T00:00:00.000Z'),
        ],
      });
      const cost = priceMonth({ month: OCT, snapshot: snapshot([]), usage: u, tables });
      const entry = cost.keys[0];
      expect(entry).toMatchObject({ source: 'lifecycle-events', keyManager: 'CUSTOMER', billableHours: 120 });
      // $1 × 120 / 744 = 0.161290322580645… → 0.161290322581
      expect(entry?.lines.find((l) => l.kind === 'key-fee')?.amount).toBe('0.161290322581');
      // Created in the month, its month of events read in full: it cannot have rotated (no
      // RotateKeyOnDemand; automatic rotation comes 90 days at the earliest), so no rotation fee.
      expect(entry?.lines.filter((l) => l.kind === 'rotation-fee')).toEqual([]);
      expect(entry?.total).toEqual({ amount: '0.161290322581', complete: true, unknownLines: 0 });
    });

    it('assumes a 30-day window for a key deleted without its ScheduleKeyDeletion in the month', () => {
      // DeleteKey on the 20th → pending since 20 September → nothing billable in October.
      const arn = arnOf('old');
      const u = usage(OCT, { lifecycle: [event(arn, 'DeleteKey', '2026-10-20T00:00:00.000Z')] });
      const cost = priceMonth({ month: OCT, snapshot: snapshot([]), usage: u, tables });
      expect(cost.keys[0]?.billableHours).toBe(0);
      expect(cost.assumptions.map((a) => a.id)).toEqual(
        expect.arrayContaining([
          'DELETION_WITHOUT_SCHEDULE_EVENT',
          'DEFAULT_PENDING_WINDOW_DAYS',
          'EXISTED_BEFORE_MONTH',
        ]),
      );
    });

    it('bills a started hour whole by default, the exact fraction on request, and names the policy', () => {
      // Created 16th 00:30: bill-started-hour → 384 hours; exact → 383.5 hours.
      const k = key({ id: 'half', metadata: { creationDate: '2026-10-16T00:30:00.000Z' } });
      const whole = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: usage(OCT), tables });
      const exact = priceMonth({
        month: OCT,
        snapshot: snapshot([k]),
        usage: usage(OCT),
        tables,
        options: { partialHours: 'exact' },
      });
      expect(whole.keys[0]?.billableHours).toBe(384);
      expect(exact.keys[0]?.billableHours).toBe(383.5);
      // 383.5 / 744 = 0.515456989247311… → 0.515456989247
      expect(exact.total.amount).toBe('0.515456989247');
      expect(whole.assumptions.find((a) => a.id === 'PARTIAL_HOUR_BILLING')?.appliesTo).toEqual([k.arn]);
    });

    it('makes the fee unknown when the key could not be described', () => {
      const k = key({ id: 'k', metadataObserved: failed('DescribeKey', 'AccessDeniedException', 'denied') });
      const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: usage(OCT), tables });
      expect(cost.keys[0]?.lines[0]).toMatchObject({
        kind: 'key-fee',
        amount: null,
        unknownReason: expect.stringMatching(/DescribeKey failed: AccessDeniedException/),
      });
    });

    it('makes the rotation fee unknown when rotations could not be listed', () => {
      const k = key({ id: 'k', rotations: failed('ListKeyRotations', 'AccessDeniedException', '') });
      const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: usage(OCT), tables });
      expect(cost.keys[0]?.lines.find((l) => l.kind === 'rotation-fee')).toMatchObject({ amount: null });
    });

    it('leaves out a key created after the month', () => {
      const k = key({ id: 'later', metadata: { creationDate: '2026-11-01T00:00:00.000Z' } });
      const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: usage(OCT), tables });
      expect(cost.keys).toEqual([]);
    });
  });

  describe('keys never listed', () => {
    const k = key({ id: 'k' });
    const u = usage(OCT, { requests: [requests(k.arn, 'Decrypt', 100)] });
    const gap = (over: Partial<InventorySnapshot['gaps'][number]>): InventorySnapshot['gaps'][number] => ({
      scope: 'region',
      account: ACCOUNT,
      region: 'eu-west-1',
      keyArn: null,
      field: null,
      operation: 'ListKeys',
      errorCode: 'DeadlinePassed',
      message: "not read: the run's deadline passed",
      ...over,
    });
    const unlisted = (cost: ReturnType<typeof priceMonth>) =>
      cost.unattributed
        .filter((l) => l.kind === 'unlisted-keys')
        .map((l) => [l.account, l.region, l.amount, l.unknownReason]);

    it('makes the month "at least" when a region could not be listed, naming the region and why', () => {
      const listed = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: u, tables });
      expect(listed.total.complete).toBe(true);
      const cost = priceMonth({
        month: OCT,
        snapshot: {
          ...snapshot([k]),
          regions: [
            { account: ACCOUNT, region: 'us-east-1', status: 'complete', keysListed: 1 },
            { account: ACCOUNT, region: 'eu-west-1', status: 'failed', keysListed: 0 },
          ],
          gaps: [gap({})],
        },
        usage: u,
        tables,
      });
      expect(unlisted(cost)).toEqual([
        [
          ACCOUNT,
          'eu-west-1',
          null,
          `keys of ${ACCOUNT}/eu-west-1 not listed: DeadlinePassed (ListKeys); their fees and requests are unknown`,
        ],
      ]);
      expect(cost.total).toEqual({ amount: listed.total.amount, complete: false, unknownLines: 1 });
      expect(formatTotal(cost.total)).toMatch(/^at least /);
      expect(cost.byBilledAccount).toEqual([
        {
          account: ACCOUNT,
          inTotal: true,
          total: { amount: listed.total.amount, complete: false, unknownLines: 1 },
        },
      ]);
    });

    it('says so for an account that could not be entered, once for all its regions', () => {
      const B = '222233334444';
      const base = snapshot([k]);
      const cost = priceMonth({
        month: OCT,
        snapshot: {
          ...base,
          accounts: [ACCOUNT, B],
          gaps: [
            gap({
              scope: 'account',
              account: B,
              region: null,
              operation: 'AssumeRole',
              errorCode: 'AccessDenied',
            }),
          ],
          organization: {
            id: 'o-example',
            callerAccount: ACCOUNT,
            accounts: [
              { id: ACCOUNT, name: 'a', ou: null, roleArn: null, status: 'collected' },
              { id: B, name: 'b', ou: null, roleArn: `arn:aws:iam::${B}:role/r`, status: 'failed' },
            ],
          },
        },
        usage: u,
        tables,
      });
      expect(unlisted(cost)).toEqual([
        [
          B,
          '*',
          null,
          `keys of ${B} not listed: AccessDenied (AssumeRole); their fees and requests are unknown`,
        ],
      ]);
      expect(cost.total.complete).toBe(false);
      expect(cost.byBilledAccount.find((a) => a.account === B)?.total).toEqual({
        amount: '0',
        complete: false,
        unknownLines: 1,
      });
    });

    it('names the regions of an account not entered when they are known, not the account again', () => {
      const cost = priceMonth({
        month: OCT,
        snapshot: {
          ...snapshot([k]),
          regions: [
            { account: OTHER_ACCOUNT, region: 'us-east-1', status: 'failed', keysListed: 0 },
            { account: OTHER_ACCOUNT, region: 'eu-west-1', status: 'failed', keysListed: 0 },
          ],
          accounts: [ACCOUNT, OTHER_ACCOUNT],
          gaps: [
            gap({
              scope: 'account',
              account: OTHER_ACCOUNT,
              region: null,
              operation: 'AssumeRole',
              errorCode: 'AccessDenied',
            }),
          ],
        },
        usage: u,
        tables,
      });
      expect(unlisted(cost).map(([a, r, , why]) => [a, r, why])).toEqual([
        [OTHER_ACCOUNT, 'eu-west-1', expect.stringContaining('not listed: AccessDenied (AssumeRole)')],
        [OTHER_ACCOUNT, 'us-east-1', expect.stringContaining('not listed: AccessDenied (AssumeRole)')],
      ]);
    });

    it('adds nothing for a region whose keys were all listed but some not read in full (partial)', () => {
      const cost = priceMonth({
        month: OCT,
        snapshot: {
          ...snapshot([k]),
          regions: [{ account: ACCOUNT, region: 'us-east-1', status: 'partial', keysListed: 1 }],
          gaps: [
            gap({
              scope: 'field',
              region: 'us-east-1',
              keyArn: k.arn,
              field: 'policy',
              operation: 'GetKeyPolicy',
              errorCode: 'AccessDeniedException',
            }),
          ],
        },
        usage: u,
        tables,
      });
      expect(unlisted(cost)).toEqual([]);
      expect(cost.total.complete).toBe(true);
    });
  });

  describe('tables and assumptions', () => {
    it('names the table version used', () => {
      const cost = priceMonth({
        month: OCT,
        snapshot: snapshot([key({ id: 'k' })]),
        usage: usage(OCT),
        tables,
      });
      expect(cost.table).toMatchObject({ version: 'aws-kms.2024-04-01', effective: { from: '2024-04-01' } });
    });

    it('leaves a region of another partition unknown, names why, and prices the rest', () => {
      // GovCloud has no table (another partition): its key's fee is unknown; the us-east-1 key is $1.
      const gov = key({ id: 'k', region: 'us-gov-west-1' });
      const ours = key({ id: 'ok' });
      const cost = priceMonth({
        month: OCT,
        snapshot: snapshot([gov, ours]),
        usage: usage(OCT, { regions: [{ account: ACCOUNT, region: 'us-gov-west-1' }] }),
        tables,
      });
      const fee = cost.keys
        .find((k) => k.region === 'us-gov-west-1')
        ?.lines.find((l) => l.kind === 'key-fee');
      expect(fee?.amount).toBeNull();
      expect(fee?.unknownReason).toMatch(/us-gov-west-1 is in partition aws-us-gov/);
      expect(cost.total).toEqual({ amount: '1', complete: false, unknownLines: 1 });
      expect(cost.notices.join(' ')).toMatch(/Region us-gov-west-1 could not be priced/);
    });

    it('lists unverified regions and unconfirmed tiers among the assumptions', () => {
      const k = key({
        id: 'k',
        region: 'ap-south-1',
        metadata: { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' },
      });
      const u = usage(OCT, { requests: [requests(k.arn, 'GenerateMac', 10)] });
      const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: u, tables });
      const ids = new Map(cost.assumptions.map((a) => [a.id, a.appliesTo]));
      expect(ids.get('UNVERIFIED_REGION_PRICES')).toEqual(['ap-south-1']);
      expect(ids.get('HMAC_REQUEST_TIER')).toEqual([k.arn]);
      expect(cost.assumptions.every((a) => a.statement.length > 0)).toBe(true);
    });

    it('rejects usage of another month and a month no table covers', () => {
      expect(() =>
        priceMonth({ month: OCT, snapshot: snapshot([]), usage: usage('2026-09'), tables }),
      ).toThrow(/usage given is for 2026-09/);
      expect(() => priceMonth({ month: '2013-01', snapshot: snapshot([]), tables })).toThrow(PricingError);
    });

    it('prices a Month value (parsed once at the edge) as it prices its YYYY-MM', () => {
      const k = key({ id: 'k' });
      const u = usage(OCT, { requests: [requests(k.arn, 'Decrypt', 25_000)] });
      const input = { snapshot: snapshot([k]), usage: u, tables };
      const month = monthOf(OCT, new Date('2026-11-01T02:00:00Z'));
      expect(priceMonth({ ...input, month })).toEqual(priceMonth({ ...input, month: OCT }));
      expect(priceMonth({ ...input, month }).period.hours).toBe(744);
      expect(() => priceMonth({ ...input, month: '2026-13' })).toThrow(PricingError);
    });

    it('adds a notice for custom key store keys (CloudHSM charges are outside the estimate)', () => {
      const k = key({ id: 'hsm', metadata: { origin: 'AWS_CLOUDHSM', customKeyStoreId: 'cks-1' } });
      const cost = priceMonth({ month: OCT, snapshot: snapshot([k]), usage: usage(OCT), tables });
      expect(cost.notices.join()).toMatch(/CloudHSM/);
    });
  });
});
