import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { readBill } from '../../src/bill/index.js';
import { parseMonth } from '../../src/util/month.js';

const endpoint = inject('motoEndpoint');
const client = () =>
  new CostExplorerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 2,
  });
const month = parseMonth('2026-10');
const now = () => new Date('2026-11-05T10:00:00Z');

/** One group of GetCostAndUsage's answer, as Cost Explorer writes it. */
const group = (usageType: string, second: string, cost: string, quantity: string, unit = 'USD') => ({
  Keys: [usageType, second],
  Metrics: {
    UnblendedCost: { Amount: cost, Unit: unit },
    UsageQuantity: { Amount: quantity, Unit: 'N/A' },
  },
});

/** One page of the answer: October's result with these groups. */
const page = (groups: unknown[], options: { estimated?: boolean; next?: string } = {}) => ({
  ResultsByTime: [
    {
      TimePeriod: { Start: '2026-10-01', End: '2026-11-01' },
      Total: {},
      Groups: groups,
      Estimated: options.estimated ?? false,
    },
  ],
  DimensionValueAttributes: [],
  GroupDefinitions: [],
  ...(options.next ? { NextPageToken: options.next } : {}),
});

/** Queues moto's answers: each distinct request (a page has its own token) takes the next. */
async function queue(...results: unknown[]) {
  const response = await fetch(`${endpoint}/moto-api/static/ce/cost-and-usage-results`, {
    method: 'POST',
    body: JSON.stringify({ results }),
    headers: { 'content-type': 'application/json' },
  });
  expect(response.status).toBe(201);
}

beforeEach(async () => {
  expect((await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })).ok).toBe(true);
});

describe('Cost Explorer bill against moto', () => {
  it("reads one account's month in one request: usage types by region, amounts as written, final", async () => {
    await queue(
      page([
        group('us-east-1-KMS-Keys', 'us-east-1', '3.0322580645', '3.0322580645'),
        group('us-east-1-KMS-Requests', 'us-east-1', '0.0903', '50100'),
        group('eu-west-1-KMS-Requests-GenerateDatakeyPair-RSA', 'eu-west-1', '12', '10000'),
      ]),
    );
    const bill = await readBill('cost-explorer', {
      month,
      accounts: ['111122223333'],
      organization: false,
      clients: { costExplorer: client },
      now,
    });
    expect(bill).toMatchObject({
      source: 'cost-explorer',
      month: '2026-10',
      status: 'final',
      currency: 'USD',
      granularity: 'usage-type',
      gaps: [],
      readAt: '2026-11-05T10:00:00.000Z',
      readCost: '1 Cost Explorer request (GetCostAndUsage at $0.01 each: $0.01)',
    });
    expect(bill.lines.map((l) => [l.account, l.region, l.category, l.quantity, l.amount])).toEqual([
      ['111122223333', 'us-east-1', 'key-months', '3.0322580645', '3.0322580645'],
      ['111122223333', 'us-east-1', 'KMS-Requests', '50100', '0.0903'],
      ['111122223333', 'eu-west-1', 'KMS-Requests-GenerateDatakeyPair-RSA', '10000', '12'],
    ]);
  });

  it('leaves out a line whose cost unit is not a currency code, as a gap', async () => {
    await queue(
      page([
        group('us-east-1-KMS-Keys', 'us-east-1', '3', '3'),
        group('us-east-1-KMS-Requests', 'us-east-1', '0.09', '50000', 'U|D <b>'),
      ]),
    );
    const bill = await readBill('cost-explorer', {
      month,
      accounts: ['111122223333'],
      organization: false,
      clients: { costExplorer: client },
      now,
    });
    expect(bill.currency).toBe('USD');
    expect(bill.lines.map((l) => l.usageType)).toEqual(['us-east-1-KMS-Keys']);
    expect(bill.gaps).toEqual(["us-east-1-KMS-Requests: its cost's unit is not a currency code: left out"]);
  });

  it('follows every page of an organisation read by linked account, and says the month is estimated', async () => {
    await queue(
      page([group('us-east-1-KMS-Keys', '111122223333', '2', '2')], { next: 'page-2', estimated: true }),
      page([group('us-east-1-KMS-Keys', '444455556666', '5', '5')], { estimated: true }),
    );
    const bill = await readBill('cost-explorer', {
      month,
      accounts: ['111122223333', '444455556666'],
      organization: true,
      clients: { costExplorer: client },
      now,
    });
    expect(bill.status).toBe('estimated');
    expect(bill.readCost).toContain('2 Cost Explorer requests');
    expect(bill.readCost).toContain('$0.02');
    // The region comes from the usage type's prefix; the account from LINKED_ACCOUNT.
    expect(bill.lines.map((l) => [l.account, l.region, l.amount])).toEqual([
      ['111122223333', 'us-east-1', '2'],
      ['444455556666', 'us-east-1', '5'],
    ]);
  });

  it('records a malformed group as a gap, never as $0, and keeps the rest', async () => {
    await queue(
      page([
        group('us-east-1-KMS-Keys', '111122223333', 'lots', '2'),
        group('us-east-1-KMS-Requests', 'not-an-account', '1', '1'),
        group('us-east-1-KMS-Requests', '444455556666', '0.03', '10000'),
      ]),
    );
    const bill = await readBill('cost-explorer', {
      month,
      accounts: ['111122223333', '444455556666'],
      organization: true,
      clients: { costExplorer: client },
      now,
    });
    expect(bill.gaps).toHaveLength(2);
    expect(bill.gaps.join('\n')).toMatch(/malformed/);
    expect(bill.lines.map((l) => [l.account, l.amount])).toEqual([['444455556666', '0.03']]);
  });

  it('makes a request that fails a gap of the bill, not $0', async () => {
    const refusing = () =>
      new CostExplorerClient({
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
        maxAttempts: 1,
      });
    const bill = await readBill('cost-explorer', {
      month,
      accounts: ['111122223333'],
      organization: false,
      clients: { costExplorer: refusing },
      now,
    });
    expect(bill.lines).toEqual([]);
    expect(bill.gaps[0]).toMatch(/^Cost Explorer GetCostAndUsage: .*ECONNREFUSED/);
    expect(bill.status).toBe('unknown');
  });
});
