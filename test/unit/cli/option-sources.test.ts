import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import { environmentOptions } from '../../../src/cli/options.js';
import { buildProgram, runCli } from '../../../src/cli/program.js';
import { DEFAULT_PRICING_DIR } from '../../../src/pricing/load.js';
import { captureIo } from '../../support/io.js';

const DEMO_DIR = ['111122223333', '2026-10'];

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'kms-report-sources-'));
}

/** The demo report with `argv` and `env`; the files written, sorted. */
async function demo(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out = await tempDir();
  const io = captureIo({ env });
  const code = await runCli(['--demo', '--out', out, ...argv], io);
  const files = await readdir(join(out, ...DEMO_DIR)).catch(() => [] as string[]);
  return { code, io, files: files.sort(), out };
}

async function configFile(text: string): Promise<string> {
  const file = join(await tempDir(), 'kms-report.yaml');
  await writeFile(file, text);
  return file;
}

describe('options from the environment (KMS_REPORT_<OPTION>)', () => {
  it('KMS_REPORT_FORMAT=json writes only report.json (and the evidence)', async () => {
    const { code, files } = await demo([], { KMS_REPORT_FORMAT: 'json' });
    expect(code).toBe(ExitCode.Ok);
    expect(files).toContain('report.json');
    expect(files).not.toContain('report.md');
    expect(files).not.toContain('keys.csv');
  });

  it('the command line wins over the environment', async () => {
    const { files } = await demo(['--format', 'md'], { KMS_REPORT_FORMAT: 'json' });
    expect(files).toContain('report.md');
    expect(files).not.toContain('report.json');
  });

  it('a flag: KMS_REPORT_QUIET=1 silences the summary, KMS_REPORT_QUIET=false does not', async () => {
    expect((await demo([], { KMS_REPORT_QUIET: '1' })).io.stdoutText()).toBe('');
    expect((await demo([], { KMS_REPORT_QUIET: 'false' })).io.stdoutText()).toContain('estimated cost');
  });

  it('a bad value is refused with exit 2, naming the variable and the flag, and nothing is written', async () => {
    const { code, io, files } = await demo([], { KMS_REPORT_FAIL_ON: 'severe' });
    expect(code).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toBe(
      'kms-report: KMS_REPORT_FAIL_ON (--fail-on): expected one of critical, high, medium, low, informational, got "severe"\n',
    );
    expect(files).toEqual([]);
  });

  it('a flag with a value that is not yes or no is refused', async () => {
    const { code, io } = await demo([], { KMS_REPORT_FAIL_ON_GAPS: 'sometimes' });
    expect(code).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain('KMS_REPORT_FAIL_ON_GAPS (--fail-on-gaps): expected 1, true, yes, on');
  });

  it('every variable is documented in the README, and the README names no other', async () => {
    const program = buildProgram(captureIo(), () => {});
    const all = (c: typeof program): string[] => [
      ...environmentOptions(c).map((o) => o.variable),
      ...c.commands.flatMap((s) => all(s)),
    ];
    const variables = new Set(all(program));
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const documented = new Set(readme.match(/KMS_REPORT_[A-Z_]*[A-Z]/g));
    documented.delete('KMS_REPORT_OPTION');
    expect([...documented].sort()).toEqual([...variables].sort());
  });
});

describe('options from the options: section of the --config file', () => {
  it('fills what the command line and the environment did not give', async () => {
    const config = await configFile('requiredTags: [Owner]\noptions:\n  format: [csv]\n  failOn: high\n');
    const { code, files, io } = await demo(['--config', config, '--quiet']);
    expect(code).toBe(ExitCode.Findings);
    expect(files).toContain('keys.csv');
    expect(files).not.toContain('report.md');
    expect(io.stderrText()).toContain('exit 3 (--fail-on high)');
  });

  it('the environment wins over the file, the command line over both; KMS_REPORT_CONFIG names the file', async () => {
    const config = await configFile('options:\n  failOn: low\n  format: md\n');
    const env = { KMS_REPORT_CONFIG: config, KMS_REPORT_FAIL_ON: 'critical' };
    const fromEnv = await demo(['--quiet'], env);
    expect(fromEnv.io.stderrText()).toContain('exit 3 (--fail-on critical)');
    expect(fromEnv.files).toContain('report.md');
    const fromCli = await demo(['--quiet', '--fail-on', 'high'], env);
    expect(fromCli.io.stderrText()).toContain('exit 3 (--fail-on high)');
  });

  it('an unknown field is refused with its line, and nothing is written', async () => {
    const config = await configFile('requiredTags: [Owner]\noptions:\n  format: md\n  colour: false\n');
    const { code, io, files } = await demo(['--config', config]);
    expect(code).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toBe(`kms-report: ${config}: line 4: options.colour: unknown field\n`);
    expect(files).toEqual([]);
  });

  it('a bad value is refused with its field and line, by the same rule as the flag', async () => {
    const config = await configFile('options:\n  regions: [eu-west-1, Paris]\n');
    const { code, io } = await demo(['--config', config]);
    expect(code).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toBe(
      `kms-report: ${config}: line 2: options.regions: "Paris" is not a region name (expected something like us-east-1)\n`,
    );
  });
});

describe('one vocabulary: the old spellings still work, with a notice', () => {
  it('pricing show --dir is --pricing, and says so on stderr', async () => {
    const dir = await tempDir();
    await cp(DEFAULT_PRICING_DIR, dir, { recursive: true });
    const io = captureIo({ env: {}, now: () => new Date('2026-11-29T10:00:00Z') });
    expect(await runCli(['pricing', 'show', '--dir', dir], io)).toBe(ExitCode.Ok);
    expect(io.stdoutText()).toMatch(/^Pricing table aws-kms\.2024-04-01 \(file aws-kms\.2024-04-01\.json\)/);
    expect(io.stderrText()).toBe(
      'kms-report: --dir is deprecated and will be removed: use --pricing (same meaning)\n',
    );
  });

  it('the old and the new spelling together are refused', async () => {
    const io = captureIo({ env: {} });
    expect(await runCli(['pricing', 'show', '--dir', 'a', '--pricing', 'b'], io)).toBe(ExitCode.BadInput);
    expect(io.stderrText()).toContain('--dir: is the old spelling of --pricing: give --pricing only');
  });

  it('--no-color and NO_COLOR are accepted everywhere, and nothing drives the terminal', async () => {
    const root = await demo(['--no-color'], { NO_COLOR: '1' });
    expect(root.code).toBe(ExitCode.Ok);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no escape sequence may be printed
    expect(root.io.stdoutText()).not.toMatch(/\u001b/);
    const io = captureIo({ env: { KMS_REPORT_NO_COLOR: '1' }, now: () => new Date('2026-11-29T10:00:00Z') });
    expect(await runCli(['pricing', 'show', '--no-color'], io)).toBe(ExitCode.Ok);
  });
});
