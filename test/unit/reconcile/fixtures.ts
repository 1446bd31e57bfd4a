import type { BillLine, BillRead } from '../../../src/model/bill.js';
import { billCategoryOf } from '../../../src/model/bill.js';
import type { CostLine, KeyCost, MonthCost } from '../../../src/model/pricing.js';
import { totalOf } from '../../../src/pricing/money.js';

export const ACCOUNT = '111122223333';
export const OTHER = '444455556666';
export const arn = (id: string, account = ACCOUNT, region = 'us-east-1') =>
  `arn:aws:kms:${region}:${account}:key/${id}`;

/** A cost line with the defaults of a symmetric request line in us-east-1. */
export function line(over: Partial<CostLine> & Pick<CostLine, 'kind'>): CostLine {
  const fee = over.kind === 'key-fee' || over.kind === 'rotation-fee';
  return {
    account: ACCOUNT,
    region: 'us-east-1',
    keyArn: null,
    description: over.kind,
    tier: fee ? null : 'KMS-Requests',
    operation: null,
    keyPairSpec: null,
    quantity: '1',
    unit: fee ? 'key-month' : 'requests',
    unitPrice: fee ? '1' : '0.03',
    priceUnit: fee ? 'key-month' : '10k-requests',
    amount: '1',
    unknownReason: null,
    hours: null,
    assumptions: [],
    ...over,
  };
}

/** A key's cost from its lines. */
export function keyCost(id: string, lines: readonly CostLine[], over: Partial<KeyCost> = {}): KeyCost {
  const keyArn = arn(id, over.account ?? ACCOUNT, over.region ?? 'us-east-1');
  return {
    keyArn,
    account: ACCOUNT,
    region: 'us-east-1',
    keyId: id,
    source: 'snapshot',
    keyManager: 'CUSTOMER',
    keySpec: 'SYMMETRIC_DEFAULT',
    multiRegionRole: null,
    billableHours: 744,
    lines: lines.map((l) => ({ ...l, keyArn })),
    total: totalOf(lines),
    notes: [],
    ...over,
  };
}

/** A priced October 2026 of the accounts given (in the total), from keys and account-level lines. */
export function monthCost(
  keys: readonly KeyCost[],
  rest: { accountRequests?: CostLine[]; unattributed?: CostLine[]; credits?: CostLine[] } = {},
  accounts: readonly string[] = [ACCOUNT],
  freeTierScope: 'account' | 'organization' = 'account',
): MonthCost {
  const all = [
    ...keys.flatMap((k) => k.lines),
    ...(rest.accountRequests ?? []),
    ...(rest.unattributed ?? []),
    ...(rest.credits ?? []),
  ];
  const total = totalOf(all.filter((l) => accounts.includes(l.account)));
  return {
    kind: 'kms-report/month-cost',
    schemaVersion: 1,
    month: '2026-10',
    period: {
      start: '2026-10-01T00:00:00.000Z',
      end: '2026-11-01T00:00:00.000Z',
      hours: 744,
      pricedUntil: '2026-11-01T00:00:00.000Z',
    },
    currency: 'USD',
    table: {
      version: 't',
      file: null,
      currency: 'USD',
      effective: { from: '2024-04-01', until: null },
      source: 's',
      checked: '2026-01-01',
    },
    settings: { freeTierScope, partialHours: 'bill-started-hour' },
    keys,
    accountRequests: rest.accountRequests ?? [],
    unattributed: rest.unattributed ?? [],
    credits: rest.credits ?? [],
    subtotals: [],
    byBilledAccount: accounts.map((account) => ({
      account,
      inTotal: true,
      total: totalOf(all.filter((l) => l.account === account)),
    })),
    total,
    billedToOtherAccounts: totalOf([]),
    assumptions: [],
    notices: [],
  };
}

/** A bill line of a usage type (its category and region read from it, as a reader does). */
export function billLine(
  usageType: string,
  quantity: string,
  amount: string,
  over: Partial<BillLine> = {},
): BillLine {
  const { region, category } = billCategoryOf(usageType);
  return {
    account: ACCOUNT,
    region,
    usageType,
    category,
    operation: null,
    keyArn: null,
    lineItemType: 'Usage',
    quantity,
    amount,
    ...over,
  };
}

export function bill(lines: readonly BillLine[], over: Partial<BillRead> = {}): BillRead {
  return {
    source: 'cost-explorer',
    month: '2026-10',
    status: 'final',
    statusDetail: 'Cost Explorer marks the month final',
    currency: 'USD',
    granularity: 'usage-type',
    lines,
    readAt: '2026-11-05T00:00:00.000Z',
    readCost: '1 Cost Explorer request ($0.01)',
    gaps: [],
    ...over,
  };
}
