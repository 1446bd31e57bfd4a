import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../../src/cli/program.js';
import { DEFAULT_PRICING_DIR } from '../../../src/pricing/load.js';
import { captureIo } from '../../support/io.js';

const DEMO_DIR = ['111122223333', '2026-10'];

async function outDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kms-report-messages-'));
}

/** The CLI with an empty environment: no KMS_REPORT_* of the machine running the tests. */
function io() {
  return captureIo({ env: {} });
}

describe('the monthly report: what it says', () => {
  it('--quiet with --fail-on prints nothing but the one line that says why it exits 3', async () => {
    const out = await outDir();
    const cli = io();
    const code = await runCli(['--demo', '--out', out, '--quiet', '--fail-on', 'high'], cli);
    expect(code).toBe(ExitCode.Findings);
    expect(cli.stdoutText()).toBe('');
    expect(cli.stderrText()).toBe(
      'kms-report: exit 3 (--fail-on high): 6 unmuted failing findings at or above high (3 critical, 3 high)\n',
    );
  });

  it('--fail-on-gaps says why it exits 4, in the singular for one gap', async () => {
    const cli = io();
    const code = await runCli(['--demo', '--out', await outDir(), '--quiet', '--fail-on-gaps'], cli);
    expect(code).toBe(ExitCode.Gaps);
    expect(cli.stderrText()).toBe('kms-report: exit 4 (--fail-on-gaps): coverage is incomplete (1 gap)\n');
  });

  it('nothing to do: the message names the program once, not "kms-report: kms-report:"', async () => {
    const cli = io();
    expect(await runCli([], cli)).toBe(ExitCode.BadInput);
    const stderr = cli.stderrText();
    expect(stderr).toContain('kms-report: nothing to do: give --month [YYYY-MM]');
    expect(stderr).not.toContain('kms-report: kms-report:');
  });

  it('the summary counts in the singular and plural: "1 gap", "20 failing findings", "12 files"', async () => {
    const cli = io();
    expect(await runCli(['--demo', '--out', await outDir()], cli)).toBe(ExitCode.Ok);
    const stdout = cli.stdoutText();
    expect(stdout).toContain('  coverage incomplete (1 gap)\n');
    expect(stdout).not.toContain('1 gaps');
    expect(stdout).toContain('  20 failing findings (3 critical, 3 high, 5 medium, 9 low)');
    expect(stdout).toMatch(/\(13 files, verify with: sha256sum -c SHA256SUMS\)/);
  });

  it('report.json names the pricing table by version and file name, never by a local folder', async () => {
    const out = await outDir();
    expect(await runCli(['--demo', '--out', out, '--quiet'], io())).toBe(ExitCode.Ok);
    const text = await readFile(join(out, ...DEMO_DIR, 'report.json'), 'utf8');
    const report = JSON.parse(text);
    expect(report.evidence.pricingTable).toMatchObject({
      version: 'aws-kms.2024-04-01',
      file: 'aws-kms.2024-04-01.json',
    });
    expect(report.cost.table.file).toBe('aws-kms.2024-04-01.json');
    expect(text).not.toContain(resolve(DEFAULT_PRICING_DIR));
    expect(text).not.toContain(process.cwd());
  });

  it('pricing show names the table by version and file, not by its absolute path', async () => {
    const cli = captureIo({ env: {}, now: () => new Date('2026-11-29T10:00:00Z') });
    expect(await runCli(['pricing', 'show'], cli)).toBe(ExitCode.Ok);
    const stdout = cli.stdoutText();
    expect(stdout).toMatch(
      /^Pricing table aws-kms\.2024-04-01 \(file aws-kms\.2024-04-01\.json, shipped with kms-report \d+\.\d+\.\d+\)\n/,
    );
    expect(stdout).not.toContain(resolve(DEFAULT_PRICING_DIR));
  });

  it('the demo does not show a table "checked" after the report was "generated" without saying why', async () => {
    const out = await outDir();
    expect(await runCli(['--demo', '--out', out, '--quiet'], io())).toBe(ExitCode.Ok);
    const md = await readFile(join(out, ...DEMO_DIR, 'report.md'), 'utf8');
    const generated = /\| Generated \| (\d{4}-\d{2}-\d{2}) /.exec(md)?.[1] as string;
    const row = md.split('\n').find((l) => l.startsWith('| Pricing table |')) as string;
    const checked = /checked (\d{4}-\d{2}-\d{2})/.exec(row)?.[1] as string;
    // Either the dates are in order, or the row says the table is newer than the sample.
    if (checked > generated)
      expect(row).toContain(
        `the tables shipped with kms-report 0.1.0, newer than the sample, which is dated ${generated}`,
      );
    else expect(row).not.toContain('newer than the sample');
  });
});

describe('report.json on standard output (--out -, --stdout)', () => {
  it('--format json --out -: stdout is report.json and nothing else; the summary goes to stderr', async () => {
    const cli = io();
    expect(await runCli(['--demo', '--format', 'json', '--out', '-'], cli)).toBe(ExitCode.Ok);
    const report = JSON.parse(cli.stdoutText());
    expect(report).toMatchObject({ kind: 'kms-report/monthly-report', month: '2026-10', demo: true });
    expect(cli.stderrText()).toContain('2026-10 for 111122223333 (demo data):');
    expect(cli.stderrText()).toContain('report.json written to standard output (nothing written to disk)');
  });

  it('--stdout in a pipe writes nothing to disk, and --quiet --fail-on still says why on stderr', async () => {
    // A real process in an empty folder: stdout is a pipe, and the folder must stay empty.
    const cwd = await outDir();
    const root = resolve(import.meta.dirname, '../../..');
    const run = promisify(execFile);
    const result = await run(
      join(root, 'node_modules/.bin/tsx'),
      [join(root, 'src/cli/main.ts'), '--demo', '--stdout', '--quiet', '--fail-on', 'critical'],
      { cwd, env: { ...process.env, KMS_REPORT_OUT: '' }, maxBuffer: 64 * 1024 * 1024 },
    ).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect((result as { code?: number }).code).toBe(ExitCode.Findings);
    expect(JSON.parse(result.stdout).kind).toBe('kms-report/monthly-report');
    expect(result.stderr).toBe(
      'kms-report: exit 3 (--fail-on critical): 3 unmuted failing findings at or above critical (3 critical)\n',
    );
    expect(await readdir(cwd)).toEqual([]);
  }, 60_000);

  it('the formats of the environment or the config file (for report sets) give way to json', async () => {
    const cli = captureIo({ env: { KMS_REPORT_FORMAT: 'md,csv' } });
    expect(await runCli(['--demo', '--stdout'], cli)).toBe(ExitCode.Ok);
    expect(JSON.parse(cli.stdoutText()).kind).toBe('kms-report/monthly-report');
  });

  it.each([
    [['--format', 'md', '--out', '-'], '--format: only json goes to standard output'],
    [['--stdout', '--format', 'json,csv'], '--format: only json goes to standard output'],
    [
      ['--stdout', '--out', 'reports'],
      '--stdout: writes to standard output: it cannot be combined with --out reports',
    ],
  ])('refuses %j with exit 2, writing nothing', async (argv, message) => {
    const cli = io();
    expect(await runCli(['--demo', ...argv], cli)).toBe(ExitCode.BadInput);
    expect(cli.stderrText()).toContain(message);
    expect(cli.stdoutText()).toBe('');
  });
});
