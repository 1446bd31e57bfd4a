import { cp, mkdir, mkdtemp, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../../src/cli/program.js';
import { InputError, InterruptedError } from '../../../src/errors.js';
import { remediationCommand, ruleOf } from '../../../src/model/findings.js';
import type { MonthlyReport } from '../../../src/model/report.js';
import { MAX_PREVIOUS_REPORT_BYTES } from '../../../src/pipeline/previous.js';
import { runMonthlyReport } from '../../../src/pipeline/run.js';
import { sumMoney } from '../../../src/pricing/money.js';
import { resolveReportMonth } from '../../../src/util/month.js';
import { captureIo } from '../../support/io.js';

async function demo(args: string[] = [], out?: string) {
  const dir = out ?? (await mkdtemp(join(tmpdir(), 'kms-report-run-')));
  const io = captureIo();
  const code = await runCli(['--demo', '--out', dir, ...args], io);
  const set = join(dir, '111122223333', '2026-10');
  return { code, io, out: dir, set };
}

async function reportJson(set: string): Promise<MonthlyReport> {
  return JSON.parse(await readFile(join(set, 'report.json'), 'utf8')) as MonthlyReport;
}

/**
 * A report as kms-report wrote it before schema version 2: no rule table, every finding carrying
 * its rule's title, remediation (the command filled in for the key) and controls, `details` and
 * `muted` always present.
 */
function asVersion1(report: MonthlyReport): Record<string, unknown> {
  const { rules, ...rest } = report;
  return {
    ...rest,
    schemaVersion: 1,
    findings: report.findings.map((f) => {
      const rule = ruleOf(rules, f.ruleId);
      return {
        ruleId: f.ruleId,
        title: rule.title,
        keyArn: f.keyArn,
        keyId: f.keyId,
        account: f.account,
        region: f.region,
        status: f.status,
        severity: f.severity,
        reason: f.reason,
        details: f.details ?? {},
        remediation: { ...rule.remediation, cli: remediationCommand(rule, f) },
        controls: rule.controls,
        muted: f.muted ?? null,
      };
    }),
  };
}

describe('resolveReportMonth', () => {
  const now = new Date('2026-11-01T02:00:00Z');

  it('defaults to the previous calendar month (UTC), across a year end too', () => {
    expect(resolveReportMonth(undefined, now)).toMatchObject({ month: '2026-10', monthToDate: false });
    expect(resolveReportMonth(undefined, new Date('2027-01-01T00:30:00Z')).month).toBe('2026-12');
  });

  it('labels the current month month-to-date', () => {
    expect(resolveReportMonth('2026-11', now)).toMatchObject({ month: '2026-11', monthToDate: true });
  });

  it('refuses a future or malformed month, naming --month', () => {
    expect(() => resolveReportMonth('2026-12', now)).toThrow(InputError);
    expect(() => resolveReportMonth('2026-12', now)).toThrow('--month: 2026-12 has not started yet');
    expect(() => resolveReportMonth('10/2026', now)).toThrow('--month: expected a month as YYYY-MM');
    expect(() => resolveReportMonth('2026-13', now)).toThrow('--month');
  });
});

describe('kms-report --demo', () => {
  it('writes the report set with a manifest that verifies, and prints a summary', async () => {
    const { code, io, set } = await demo();
    expect(code).toBe(ExitCode.Ok);
    expect((await readdir(set)).sort()).toEqual([
      'SHA256SUMS',
      'costs.csv',
      'drivers.csv',
      'findings.csv',
      'keys.csv',
      'manifest.json',
      'recommendations.csv',
      'reconciliation.csv',
      'report.json',
      'report.md',
      'rules.csv',
      'snapshot.json',
      'usage.json',
    ]);
    expect(io.stdoutText()).toContain('2026-10 for 111122223333 (demo data):');
    expect(io.stdoutText()).toMatch(/estimated cost at least \$\d+\.\d\d \(1 unknown\)/);
  });

  it('writes report.html only when --format asks for it, listed in the manifest', async () => {
    const { code, set } = await demo(['--format', 'html']);
    expect(code).toBe(ExitCode.Ok);
    expect((await readdir(set)).sort()).toEqual([
      'SHA256SUMS',
      'manifest.json',
      'report.html',
      'snapshot.json',
      'usage.json',
    ]);
    expect(await readFile(join(set, 'SHA256SUMS'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}report\.html$/m);
    const page = await readFile(join(set, 'report.html'), 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(page).toContain('<h1>KMS cost and compliance: October 2026</h1>');
  });

  it('reports totals that equal the sum of their parts', async () => {
    const report = await reportJson((await demo(['--format', 'json'])).set);
    const c = report.summary.cost;
    const parts = [
      c.keyFees.amount,
      c.rotationFees.amount,
      ...Object.values(c.requestsByTier).map((t) => t.amount),
      c.unattributed.amount,
      c.freeTierCredit.amount,
    ];
    expect(sumMoney(parts)).toBe(c.total.amount);
    expect(c.total.amount).toBe(
      report.cost.byBilledAccount.find((a) => a.account === '111122223333')?.total.amount,
    );
    expect(sumMoney(report.keys.map((k) => k.total))).toBe(
      sumMoney([
        c.keyFees.amount,
        c.rotationFees.amount,
        ...Object.values(c.requestsByTier).map((t) => t.amount),
      ]),
    );
  });

  it('neutralises spreadsheet formulas from user-controlled text in CSV', async () => {
    const { set } = await demo(['--format', 'csv']);
    const keys = await readFile(join(set, 'keys.csv'), 'utf8');
    expect(keys).toContain(",'=2+3 legacy app | *do not touch*,");
    expect(keys.split('\r\n')[0]).toMatch(
      /^MONTH,ACCOUNT_ID,ACCOUNT_NAME,REGION,KEY_ARN,KEY_ID,ALIASES,DESCRIPTION,/,
    );
    // Numbers stay numbers, negative credits included.
    expect(await readFile(join(set, 'costs.csv'), 'utf8')).toMatch(
      /,-20000,requests,USD,0\.03,10k-requests,-0\.06,/,
    );
  });

  it.each([
    [['--fail-on', 'critical'], ExitCode.Findings],
    [['--fail-on', 'informational'], ExitCode.Findings],
    [['--fail-on-gaps'], ExitCode.Gaps],
  ])('exits as %j asks', async (args, expected) => {
    expect((await demo(args)).code).toBe(expected);
  });

  it.each([
    [['--month', '2026-09'], '--month: the demo data is for 2026-10'],
    [['--format', 'pdf'], '--format: unknown format "pdf"'],
    [['--fail-on', 'severe'], '--fail-on: expected one of critical, high, medium, low, informational'],
    [['--md-max-rows', '-1'], '--md-max-rows: expected a whole number of rows (0: no limit), got "-1"'],
    [['--md-max-rows', 'ten'], '--md-max-rows: expected a whole number of rows'],
    [['--md-max-rows', ''], '--md-max-rows: expected a whole number of rows'],
  ])('refuses %j with exit code 2 and writes nothing', async (args, message) => {
    const { code, io, out } = await demo(args);
    expect(code).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain(message);
    expect(await readdir(out)).toEqual([]);
  });

  it('shows what changed since last month when last month’s report.json is there', async () => {
    const first = await demo(['--format', 'json']);
    const previous = await reportJson(first.set);
    // Last month: one key fewer, one finding that has since been resolved, a lower total.
    const dropped = previous.keys.find((k) => k.aliases.includes('alias/batch'))?.arn as string;
    const lastMonth: MonthlyReport = {
      ...previous,
      month: '2026-09',
      keys: previous.keys.filter((k) => k.arn !== dropped),
      findings: [
        ...previous.findings.filter((f) => f.keyArn !== dropped),
        {
          ...(previous.findings[0] as MonthlyReport['findings'][number]),
          ruleId: 'KMS-MR-01',
          status: 'FAIL',
        },
      ],
      summary: {
        ...previous.summary,
        cost: { ...previous.summary.cost, total: { amount: '30', complete: true, unknownLines: 0 } },
      },
    };
    const september = join(first.out, '111122223333', '2026-09');
    await mkdir(september, { recursive: true });
    await writeFile(join(september, 'report.json'), JSON.stringify(lastMonth));

    const again = await demo(['--format', 'json,md'], first.out);
    const report = await reportJson(again.set);
    expect(report.monthOverMonth?.previousMonth).toBe('2026-09');
    expect(report.monthOverMonth?.keysAdded).toEqual([dropped]);
    expect(report.monthOverMonth?.keysRemoved).toEqual([]);
    expect(report.monthOverMonth?.findingsOpened.map((f) => f.keyArn)).toContain(dropped);
    expect(report.monthOverMonth?.findingsResolved).toEqual([
      { ruleId: 'KMS-MR-01', keyArn: previous.findings[0]?.keyArn },
    ]);
    expect(report.monthOverMonth?.totalChange).toBe(sumMoney([report.summary.cost.total.amount, '-30']));
    expect(await readFile(join(again.set, 'report.md'), 'utf8')).toContain('### Since September 2026');
  });

  it('compares with last month’s report.json of schema version 1 (rule text in every finding) as with version 2', async () => {
    const first = await demo(['--format', 'json']);
    const current = await reportJson(first.set);
    expect(current.schemaVersion).toBe(2);
    const resolved = current.findings.find((f) => f.status === 'PASS') as MonthlyReport['findings'][number];
    const lastMonth: MonthlyReport = {
      ...current,
      month: '2026-09',
      // Last month, one key failed a rule it passes now.
      findings: current.findings.map((f) => (f === resolved ? { ...f, status: 'FAIL' } : f)),
      summary: {
        ...current.summary,
        cost: { ...current.summary.cost, total: { amount: '30', complete: true, unknownLines: 0 } },
      },
    };
    const compared = [];
    for (const previous of [asVersion1(lastMonth), lastMonth]) {
      const out = await mkdtemp(join(tmpdir(), 'kms-report-previous-'));
      const september = join(out, '111122223333', '2026-09');
      await mkdir(september, { recursive: true });
      await writeFile(join(september, 'report.json'), JSON.stringify(previous, null, 2));
      const again = await demo(['--format', 'json'], out);
      compared.push((await reportJson(again.set)).monthOverMonth);
    }
    expect(compared[0]).toMatchObject({
      previousMonth: '2026-09',
      keysAdded: [],
      keysRemoved: [],
      findingsOpened: [],
      findingsResolved: [{ ruleId: resolved.ruleId, keyArn: resolved.keyArn }],
      previousTotal: '30',
    });
    expect(compared[1]).toEqual(compared[0]);
  });

  it('leaves the PASS rows out of findings.csv with --csv-findings not-passed; rules.csv still counts them', async () => {
    const all = await demo(['--format', 'csv,json']);
    const some = await demo(['--format', 'csv,json', '--csv-findings', 'not-passed']);
    expect(some.code).toBe(ExitCode.Ok);
    const lines = async (set: string, name: string) =>
      (await readFile(join(set, name), 'utf8')).split('\r\n');
    const every = await lines(all.set, 'findings.csv');
    const notPassed = await lines(some.set, 'findings.csv');
    expect(notPassed).toEqual(every.filter((l) => !/,PASS,/.test(l)));
    expect(notPassed.length).toBeLessThan(every.length);
    expect(await lines(some.set, 'rules.csv')).toEqual(await lines(all.set, 'rules.csv'));
    // report.json keeps every finding either way.
    expect((await reportJson(some.set)).findings).toEqual((await reportJson(all.set)).findings);
    const bad = await demo(['--csv-findings', 'failed']);
    expect(bad.code).toBe(ExitCode.BadInput);
  });

  it.each([
    [
      'of another version',
      (path: string) => writeFile(path, JSON.stringify({ kind: 'kms-report/report', schemaVersion: 99 })),
      'is not a kms-report report of schema version 1',
    ],
    [
      'of the right kind with fields missing',
      (path: string) =>
        writeFile(
          path,
          JSON.stringify({ kind: 'kms-report/monthly-report', schemaVersion: 1, month: '2026-09', keys: [] }),
        ),
      'cannot be compared: findings: ',
    ],
    [
      'of the right kind with a key that is not an object',
      (path: string) =>
        writeFile(
          path,
          JSON.stringify({
            kind: 'kms-report/monthly-report',
            schemaVersion: 1,
            month: '2026-09',
            keys: [{ arn: 'arn:aws:kms:eu-west-1:111122223333:key/a' }, null],
            findings: [],
            summary: { cost: { total: { amount: '12.5' } } },
          }),
        ),
      'cannot be compared: keys[1]: ',
    ],
    [
      'of the right kind with a total that is not an amount',
      (path: string) =>
        writeFile(
          path,
          JSON.stringify({
            kind: 'kms-report/monthly-report',
            schemaVersion: 1,
            month: '2026-09',
            keys: [],
            findings: [],
            summary: { cost: { total: { amount: 'twelve' } } },
          }),
        ),
      'cannot be compared: summary.cost.total.amount: expected a decimal amount such as "12.5"',
    ],
    [
      'that holds null',
      (path: string) => writeFile(path, 'null'),
      'is not a kms-report report of schema version 1',
    ],
    [
      'that is not JSON',
      (path: string) => writeFile(path, '{"kind": "kms-report/report", '),
      'is not valid JSON',
    ],
    // A sparse file: its size is what matters, nothing is read.
    [
      'too large to read whole',
      (path: string) => truncate(path, MAX_PREVIOUS_REPORT_BYTES + 1),
      'more than the 256 MiB kms-report reads to compare months',
    ],
  ])('says why last month was not compared when its report.json is %s', async (_, make, reason) => {
    const out = await mkdtemp(join(tmpdir(), 'kms-report-previous-'));
    const september = join(out, '111122223333', '2026-09');
    await mkdir(september, { recursive: true });
    await writeFile(join(september, 'report.json'), '');
    await make(join(september, 'report.json'));

    const { code, set } = await demo(['--format', 'json,md'], out);
    expect(code).not.toBe(ExitCode.Error);
    const report = await reportJson(set);
    expect(report.monthOverMonth).toBeNull();
    expect(report.monthOverMonthNote).toContain(reason);
    // Named relative to the output folder: the local path stays out of the ticket.
    expect(report.monthOverMonthNote).toMatch(/^111122223333\/2026-09\/report\.json /);
    expect(report.monthOverMonthNote).not.toContain(out);
    expect(await readFile(join(set, 'report.md'), 'utf8')).toContain('Not compared with last month: ');
  });

  it('renders the same report from the saved evidence, without AWS', async () => {
    const first = await demo(['--format', 'json']);
    const evidence = await mkdtemp(join(tmpdir(), 'kms-report-evidence-'));
    await cp(join(first.set, 'snapshot.json'), join(evidence, 'snapshot.json'));
    await cp(join(first.set, 'usage.json'), join(evidence, 'usage.json'));
    const out = await mkdtemp(join(tmpdir(), 'kms-report-rerender-'));
    const io = captureIo({ now: () => new Date('2026-11-02T08:00:00Z') });
    const code = await runCli(
      [
        '--month',
        '2026-10',
        '--snapshot',
        join(evidence, 'snapshot.json'),
        '--usage',
        join(evidence, 'usage.json'),
        '--out',
        out,
        '--quiet',
      ],
      io,
    );
    expect(io.stderrText()).toBe('');
    expect(code).toBe(ExitCode.Ok);
    const rerendered = await reportJson(join(out, '111122223333', '2026-10'));
    const original = await reportJson(first.set);
    expect(rerendered.summary.cost).toEqual(original.summary.cost);
    expect(rerendered.keys.map((k) => k.total)).toEqual(original.keys.map((k) => k.total));
    expect(rerendered.demo).toBe(false);
  });
});

describe('a month to date from a saved snapshot', () => {
  it('refuses a snapshot taken before the month began (exit 2, naming the file and its time), writing nothing', async () => {
    const first = await demo(['--format', 'json']);
    const evidence = await mkdtemp(join(tmpdir(), 'kms-report-early-'));
    const snapshot = JSON.parse(await readFile(join(first.set, 'snapshot.json'), 'utf8'));
    // Taken in the last hour of October; the report asked for is November to date.
    snapshot.collection = { startedAt: '2026-10-31T22:00:00.000Z', finishedAt: '2026-10-31T23:00:00.000Z' };
    const file = join(evidence, 'snapshot.json');
    await writeFile(file, JSON.stringify(snapshot));
    const out = await mkdtemp(join(tmpdir(), 'kms-report-early-out-'));
    const io = captureIo({ now: () => new Date('2026-11-20T00:00:00Z') });
    const code = await runCli(['--month', '2026-11', '--snapshot', file, '--out', out, '--quiet'], io);
    expect(code).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain(
      `${file}: the inventory was taken at 2026-10-31T23:00:00.000Z, before 2026-11 began`,
    );
    expect(await readdir(out)).toEqual([]);
  });
});

describe('runMonthlyReport stopped by Ctrl-C', () => {
  it('writes nothing and says so, leaving the previous report intact', async () => {
    const out = await mkdtemp(join(tmpdir(), 'kms-report-abort-'));
    const controller = new AbortController();
    controller.abort();
    await expect(
      runMonthlyReport({ evidence: { kind: 'demo' }, output: { dir: out }, signal: controller.signal }),
    ).rejects.toThrow(InterruptedError);
    expect(await readdir(out)).toEqual([]);
  });
});

describe('kms-report with nothing to do', () => {
  it('prints the help and exits 2', async () => {
    const io = captureIo();
    expect(await runCli([], io)).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain('Usage: kms-report');
    expect(io.stderrText()).toContain('nothing to do');
  });
});
