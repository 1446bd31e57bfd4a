import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.js';
import { runCompliance } from '../../../src/compliance/engine.js';
import { demoSnapshot, demoUsageEvidence } from '../../../src/demo/sample.js';
import type { InventorySnapshot } from '../../../src/model/inventory.js';
import {
  accountLevelLines,
  type CostLine,
  type FreeTierScope,
  type MonthCost,
} from '../../../src/model/pricing.js';
import type { MonthlyReport } from '../../../src/model/report.js';
import type { RequestCount } from '../../../src/model/usage.js';
import { priceMonth } from '../../../src/pricing/engine.js';
import { dec, formatTotal, sumMoney } from '../../../src/pricing/money.js';
import { buildMonthlyReport } from '../../../src/report/build.js';
import { renderCostsCsv, renderKeysCsv } from '../../../src/report/csv.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { captureIo } from '../../support/io.js';
import { ACCOUNT, arnOf, key, requests, shippedTables, snapshot, usage } from '../pricing/fixtures.js';

/**
 * "One month, one figure": the library's result, report.json, report.md's headline and the CSVs
 * give the same total for the same scope, and a spreadsheet reproduces it from the CSVs.
 */

interface Surfaces {
  /** What priceMonth returned. */
  readonly cost: MonthCost;
  /** report.json, as a reader parses it. */
  readonly json: MonthlyReport;
  readonly markdown: string;
  readonly keysCsv: string;
  readonly costsCsv: string;
}

type Row = Record<string, string>;
const rows = (csv: string): Row[] => parse(csv, { columns: true, record_delimiter: '\r\n' });
/** A spreadsheet's SUM: empty cells count as nothing. */
const sum = (cells: readonly string[]) => sumMoney(cells.filter((c) => c !== ''));
const same = (a: string, b: string) => dec(a).equals(b);

function allLines(cost: MonthCost): CostLine[] {
  return [...cost.keys.flatMap((k) => k.lines), ...accountLevelLines(cost)];
}

/** Every surface gives the one figure; the CSVs reproduce it and each account's; no total drops a known line. */
function expectOneFigure({ cost, json, markdown, keysCsv, costsCsv }: Surfaces): void {
  const total = cost.total;
  const currency = cost.currency;
  const inTotal = new Set(cost.byBilledAccount.filter((a) => a.inTotal).map((a) => a.account));
  expect([...inTotal].sort()).toEqual([...json.scope.accounts].sort());

  // The library's result and report.json.
  expect(json.cost.total).toEqual(total);
  expect(json.summary.cost.total).toEqual(total);
  expect(json.cost.billedToOtherAccounts).toEqual(cost.billedToOtherAccounts);

  // report.md: the headline and the breakdown's total, to the cent.
  const shown = formatTotal(total, { currency });
  expect(markdown).toContain(`**Estimated cost: ${shown}**`);
  expect(markdown).toContain(`| **Total** | **${shown}** |`);

  // keys.csv: SUM(TOTAL) over every row is the figure; a row short of complete says so.
  const keys = rows(keysCsv);
  expect(same(sum(keys.map((r) => r.TOTAL as string)), total.amount)).toBe(true);
  expect(keys.some((r) => r.TOTAL_COMPLETE === 'false')).toBe(!total.complete);
  expect(keys.filter((r) => r.ROW_KIND === 'key').length).toBe(json.keys.length);

  // costs.csv: SUMIFS(AMOUNT, IN_REPORT_TOTAL, TRUE) is the figure; its empty AMOUNTs are the unknown lines.
  const costs = rows(costsCsv);
  const counted = costs.filter((r) => r.IN_REPORT_TOTAL === 'true');
  expect(same(sum(counted.map((r) => r.AMOUNT as string)), total.amount)).toBe(true);
  expect(counted.filter((r) => r.AMOUNT === '').length).toBe(total.unknownLines);
  // SUMIFS(AMOUNT, BILLED_ACCOUNT, id) is that account's bill; other accounts are never counted.
  for (const a of cost.byBilledAccount) {
    const billed = costs.filter((r) => r.BILLED_ACCOUNT === a.account);
    expect(same(sum(billed.map((r) => r.AMOUNT as string)), a.total.amount)).toBe(true);
    expect(billed.every((r) => r.IN_REPORT_TOTAL === String(a.inTotal))).toBe(true);
  }
  const outside = costs.filter((r) => r.IN_REPORT_TOTAL === 'false');
  expect(outside.every((r) => !inTotal.has(r.BILLED_ACCOUNT as string))).toBe(true);
  expect(same(sum(outside.map((r) => r.AMOUNT as string)), cost.billedToOtherAccounts.amount)).toBe(true);

  // Per key, per account, the report: each total is exactly the sum of its known lines in scope,
  // and the per-key and account-level totals add up to the report's.
  const known = (lines: readonly CostLine[]) => sum(lines.map((l) => l.amount ?? ''));
  for (const k of cost.keys)
    expect(same(k.total.amount, known(k.lines.filter((l) => inTotal.has(l.account))))).toBe(true);
  for (const a of cost.byBilledAccount)
    expect(same(a.total.amount, known(allLines(cost).filter((l) => l.account === a.account)))).toBe(true);
  const accountLevel = accountLevelLines(cost).filter((l) => inTotal.has(l.account));
  expect(same(total.amount, sumMoney([...cost.keys.map((k) => k.total.amount), known(accountLevel)]))).toBe(
    true,
  );
  expect(same(total.amount, known(allLines(cost).filter((l) => inTotal.has(l.account))))).toBe(true);
  expect(same(sumMoney([total.amount, cost.billedToOtherAccounts.amount]), known(allLines(cost)))).toBe(true);

  // The organisation view: its accounts add up to the same figure.
  if (json.organization) {
    const accounts = json.organization.accounts.map((a) => a.total.amount);
    expect(same(sumMoney(accounts), total.amount)).toBe(true);
    for (const a of json.organization.accounts)
      expect(a.total).toEqual(cost.byBilledAccount.find((b) => b.account === a.account)?.total);
  }
}

describe('one month, one figure', () => {
  it('the demo: priceMonth, report.json, report.md, keys.csv and costs.csv agree, the partner excluded', async () => {
    const out = await mkdtemp(join(tmpdir(), 'kms-report-one-figure-'));
    expect(await runCli(['--demo', '--out', out, '--quiet'], captureIo())).toBe(0);
    const dir = join(out, '111122223333', '2026-10');
    const read = (name: string) => readFile(join(dir, name), 'utf8');
    const json = JSON.parse(await read('report.json')) as MonthlyReport;
    // The library's figure, from the evidence the report set carries.
    const evidence = JSON.parse(await read('usage.json'));
    const cost = priceMonth({
      month: '2026-10',
      snapshot: JSON.parse(await read('snapshot.json')) as InventorySnapshot,
      usage: evidence.usage,
      tables: shippedTables(),
    });
    expectOneFigure({
      cost,
      json,
      markdown: await read('report.md'),
      keysCsv: await read('keys.csv'),
      costsCsv: await read('costs.csv'),
    });
    // The partner's requests on the demo's keys are shown, billed to it, and in no figure of ours.
    const partner = cost.byBilledAccount.find((a) => a.account === '444455556666');
    expect(partner?.inTotal).toBe(false);
    expect(dec(partner?.total.amount ?? '0').greaterThan(0)).toBe(true);
    expect(await read('report.md')).toContain(
      `444455556666 ${formatTotal(partner?.total ?? cost.total)} (\`BILLED_ACCOUNT\` in costs.csv)`,
    );
  });

  it('the CLI summary prints the report figure', async () => {
    const out = await mkdtemp(join(tmpdir(), 'kms-report-one-figure-'));
    const io = captureIo();
    expect(await runCli(['--demo', '--out', out, '--format', 'json'], io)).toBe(0);
    const json = JSON.parse(
      await readFile(join(out, '111122223333', '2026-10', 'report.json'), 'utf8'),
    ) as MonthlyReport;
    expect(io.stdoutText()).toContain(`estimated cost ${formatTotal(json.cost.total)}\n`);
  });

  it('a region whose keys were never listed makes the figure "at least" on every surface', async () => {
    // The demo, with eu-west-1's ListKeys cut by the run's deadline: no keys, no usage there.
    const R = 'eu-west-1';
    const base = demoSnapshot();
    // Keys whose own lines are unknown are left out, so that only the unlisted region is.
    const complete = priceMonth({
      month: '2026-10',
      snapshot: base,
      usage: demoUsageEvidence().usage,
      tables: shippedTables(),
    });
    const unknownKeys = new Set(complete.keys.filter((k) => !k.total.complete).map((k) => k.keyArn));
    const snap: InventorySnapshot = {
      ...base,
      keys: base.keys.filter((k) => k.region !== R && !unknownKeys.has(k.arn)),
      regions: base.regions.map((r) =>
        r.region === R ? { ...r, status: 'failed' as const, keysListed: 0 } : r,
      ),
      gaps: [
        ...base.gaps.filter((g) => g.region !== R),
        {
          scope: 'region',
          account: ACCOUNT,
          region: R,
          keyArn: null,
          field: null,
          operation: 'ListKeys',
          errorCode: 'DeadlinePassed',
          message: "not read: the run's deadline of 30m passed",
        },
      ],
    };
    const evidence = demoUsageEvidence();
    const here = <T extends { region: string }>(rows: readonly T[]) => rows.filter((r) => r.region !== R);
    const keep = <T extends { keyArn: string }>(rows: readonly T[]) =>
      rows.filter((r) => !unknownKeys.has(r.keyArn));
    const usageEvidence = {
      ...evidence,
      regions: evidence.regions.filter((r) => r !== R),
      usage: {
        ...evidence.usage,
        requests: keep(here(evidence.usage.requests)),
        keylessRequests: here(evidence.usage.keylessRequests ?? []),
        callers: keep(here(evidence.usage.callers ?? [])),
        accountTotals: here(evidence.usage.accountTotals),
        lifecycle: keep(here(evidence.usage.lifecycle)),
        coverage: here(evidence.usage.coverage),
      },
      reconciliation: here(evidence.reconciliation ?? []),
    };
    const dir = await mkdtemp(join(tmpdir(), 'kms-report-unlisted-'));
    await writeFile(join(dir, 'snapshot.json'), JSON.stringify(snap));
    await writeFile(join(dir, 'usage.json'), JSON.stringify(usageEvidence));
    const out = join(dir, 'out');
    const io = captureIo({ now: () => new Date('2026-11-02T08:00:00Z') });
    const args = [
      '--month',
      '2026-10',
      '--snapshot',
      join(dir, 'snapshot.json'),
      '--usage',
      join(dir, 'usage.json'),
    ];
    expect(await runCli([...args, '--out', out, '--quiet'], io)).toBe(0);
    const set = join(out, ACCOUNT, '2026-10');
    const read = (name: string) => readFile(join(set, name), 'utf8');
    const json = JSON.parse(await read('report.json')) as MonthlyReport;
    const cost = priceMonth({
      month: '2026-10',
      snapshot: snap,
      usage: usageEvidence.usage,
      tables: shippedTables(),
    });
    // Every key that was listed is priced in full: only the region that was not makes it a lower bound.
    expect(cost.keys.every((k) => k.total.complete)).toBe(true);
    expect(cost.total).toMatchObject({ complete: false, unknownLines: 1 });
    const markdown = await read('report.md');
    const keysCsv = await read('keys.csv');
    expectOneFigure({ cost, json, markdown, keysCsv, costsCsv: await read('costs.csv') });
    expect(markdown).toContain(
      `**Estimated cost: at least ${formatTotal({ ...cost.total, complete: true })}`,
    );
    expect(markdown).toContain('keys of 111122223333/eu-west-1 not listed: DeadlinePassed (ListKeys)');
    expect(rows(keysCsv).filter((r) => r.ROW_KIND === 'unlisted-keys')).toEqual([
      expect.objectContaining({ ACCOUNT_ID: ACCOUNT, REGION: R, TOTAL: '', TOTAL_COMPLETE: 'false' }),
    ]);
  });

  // Accounts: two the report is for, a partner outside it calling their keys, and an outside
  // account whose key the report's accounts call.
  const B = '222233334444';
  const PARTNER = '444455556666';
  const FOREIGN = '777788889999';
  const MONTH = '2026-10';
  const START = Date.UTC(2026, 9, 1);
  const END = Date.UTC(2026, 10, 1);
  const time = fc
    .integer({ min: START - 40 * 86_400_000, max: END + 10 * 86_400_000 })
    .map((t) => new Date(t).toISOString());
  const SPECS = ['SYMMETRIC_DEFAULT', 'RSA_2048', 'ECC_NIST_P256', 'HMAC_256'] as const;
  const OPERATIONS = ['Decrypt', 'Encrypt', 'Sign', 'GenerateDataKeyPair', 'GenerateMac'] as const;

  const monthArb = fc.record({
    keys: fc.uniqueArray(
      fc.record({
        id: fc.uuid(),
        account: fc.constantFrom(ACCOUNT, B),
        region: fc.constantFrom('us-east-1', 'eu-west-1'),
        spec: fc.constantFrom(...SPECS),
        creation: time,
        pendingDeletion: fc.option(time, { nil: null }),
        rotations: fc.array(time, { maxLength: 3 }),
      }),
      { selector: (k) => k.id, minLength: 1, maxLength: 6 },
    ),
    calls: fc.array(
      fc.record({
        // An index into the keys, or -1: the outside account's key.
        key: fc.integer({ min: -1, max: 5 }),
        caller: fc.constantFrom(ACCOUNT, B, PARTNER),
        operation: fc.constantFrom(...OPERATIONS),
        count: fc.nat({ max: 300_000 }),
      }),
      { maxLength: 10 },
    ),
    // Requests that name no key (ListKeys, CreateKey, GenerateRandom): account lines of the caller.
    keyless: fc.uniqueArray(
      fc.record({
        account: fc.constantFrom(ACCOUNT, B, PARTNER),
        region: fc.constantFrom('us-east-1', 'eu-west-1'),
        operation: fc.constantFrom('ListKeys', 'CreateKey', 'GenerateRandom'),
        count: fc.nat({ max: 100_000 }),
      }),
      { maxLength: 4, selector: (k) => `${k.account} ${k.region} ${k.operation}` },
    ),
    cloudWatchExtra: fc.option(fc.nat({ max: 200_000 }), { nil: null }),
    partialAccount: fc.constantFrom(null, ACCOUNT, B),
    // A region whose ListKeys failed, or an account that could not be entered.
    notRead: fc.constantFrom(null, 'region', 'account'),
    organization: fc.boolean(),
    freeTierScope: fc.constantFrom<FreeTierScope>('account', 'organization'),
  });

  it('for generated months, the per-key, per-account and report totals agree on every surface', () => {
    const tables = shippedTables();
    fc.assert(
      fc.property(monthArb, (m) => {
        const records = m.keys.map((k) =>
          key({
            id: k.id,
            account: k.account,
            region: k.region,
            metadata: {
              keySpec: k.spec,
              creationDate: k.creation,
              ...(k.pendingDeletion ? { keyState: 'PendingDeletion', deletionDate: k.pendingDeletion } : {}),
            },
            rotations: [...k.rotations].sort().map((date) => ({ date, type: 'AUTOMATIC' as const })),
          }),
        );
        const counts: RequestCount[] = m.calls.map((c) => {
          const arn =
            c.key < 0 || c.key >= records.length
              ? arnOf('foreign-key', 'us-east-1', FOREIGN)
              : (records[c.key]?.arn as string);
          return requests(arn, c.operation, c.count, {
            account: c.caller,
            region: arn.split(':')[3] as string,
            keyPairSpec: c.operation === 'GenerateDataKeyPair' ? 'ECC_NIST_P256' : null,
          });
        });
        const base = snapshot(records);
        const inv: InventorySnapshot = {
          ...base,
          accounts: [ACCOUNT, B],
          ...(m.notRead === null
            ? {}
            : {
                regions:
                  m.notRead === 'region'
                    ? [{ account: B, region: 'eu-west-1', status: 'failed' as const, keysListed: 0 }]
                    : [],
                gaps: [
                  {
                    scope: m.notRead,
                    account: B,
                    region: m.notRead === 'region' ? 'eu-west-1' : null,
                    keyArn: null,
                    field: null,
                    operation: m.notRead === 'region' ? 'ListKeys' : 'AssumeRole',
                    errorCode: 'AccessDenied',
                    message: 'not read',
                  },
                ],
              }),
          ...(m.organization
            ? {
                organization: {
                  id: 'o-example',
                  callerAccount: ACCOUNT,
                  accounts: [ACCOUNT, B].map((id) => ({
                    id,
                    name: `name-${id}`,
                    ou: null,
                    roleArn: null,
                    status:
                      m.notRead === 'account' && id === B ? ('failed' as const) : ('collected' as const),
                  })),
                },
              }
            : {}),
        };
        const symmetric = counts
          .filter((c) => c.account === ACCOUNT && c.region === 'us-east-1')
          .reduce((n, c) => n + c.count, 0);
        const month = usage(MONTH, {
          requests: counts,
          regions: [
            { account: B, region: 'us-east-1' },
            { account: B, region: 'eu-west-1' },
            { account: ACCOUNT, region: 'eu-west-1' },
          ],
          accountTotals:
            m.cloudWatchExtra === null
              ? []
              : [
                  {
                    account: ACCOUNT,
                    region: 'us-east-1',
                    resource: 'CryptographicOperationsSymmetric',
                    count: symmetric + m.cloudWatchExtra,
                    source: 'cloudwatch',
                  },
                ],
        });
        const monthUsage = {
          ...month,
          keylessRequests: m.keyless.map((k) => ({
            ...k,
            failedCount: 0,
            source: 'cloudtrail-lookup' as const,
          })),
          coverage: month.coverage.map((c) =>
            c.account === m.partialAccount ? { ...c, status: 'partial' as const, detail: 'stopped' } : c,
          ),
        };
        const cost = priceMonth({
          month: MONTH,
          snapshot: inv,
          usage: monthUsage,
          tables,
          options: { freeTierScope: m.freeTierScope },
        });
        const report = buildMonthlyReport({
          month: MONTH,
          monthToDate: false,
          period: { start: new Date(START).toISOString(), end: new Date(END).toISOString() },
          snapshot: inv,
          usage: monthUsage,
          cost,
          compliance: runCompliance(inv, {
            usage: monthUsage,
            month: MONTH,
            clock: { now: () => END + 3_600_000 },
          }),
          generatedAt: new Date(END + 3_600_000).toISOString(),
        });
        expectOneFigure({
          cost,
          json: JSON.parse(JSON.stringify(report)) as MonthlyReport,
          markdown: renderMarkdown(report),
          keysCsv: renderKeysCsv(report),
          costsCsv: renderCostsCsv(report),
        });
        // Keys never listed are never a complete figure.
        if (m.notRead !== null) {
          expect(cost.total.complete).toBe(false);
          expect(accountLevelLines(cost).filter((l) => l.kind === 'unlisted-keys')).toEqual([
            expect.objectContaining({
              account: B,
              region: m.notRead === 'region' ? 'eu-west-1' : '*',
              amount: null,
            }),
          ]);
        }
      }),
      { numRuns: 120 },
    );
  });
});
