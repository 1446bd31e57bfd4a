import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The GitHub Action (action.yml): its declaration, and its shell steps run here with bash as the
 * runner would, against the real CLI (through tsx) and the demo account.
 */

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly shell?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}
interface Action {
  readonly inputs: Record<string, { readonly description: string; readonly default?: string }>;
  readonly outputs: Record<string, { readonly value: string }>;
  readonly runs: { readonly using: string; readonly steps: readonly Step[] };
}

const action = parse(await readFile(resolve('action.yml'), 'utf8')) as Action;
const steps = action.runs.steps;
const step = (name: string): Step => {
  const found = steps.find((s) => s.name === name);
  if (!found) throw new Error(`action.yml has no step named "${name}"`);
  return found;
};
const TSX = resolve('node_modules/tsx/dist/esm/index.mjs');
const MAIN = resolve('src/cli/main.ts');

interface Ran {
  readonly code: number;
  readonly output: string;
}
function bash(script: string, cwd: string, env: Record<string, string>): Promise<Ran> {
  return new Promise((done) => {
    // As the runner runs a composite step with shell: bash.
    execFile(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script],
      { cwd, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, output: stdout + stderr });
      },
    );
  });
}

/** A job's workspace with `kms-report` on PATH (the CLI from the sources) and the runner's files. */
async function workspace() {
  const root = await mkdtemp(join(tmpdir(), 'kms-report-action-'));
  const bin = join(root, 'bin');
  const temp = join(root, 'runner-temp');
  const cwd = join(root, 'workspace');
  await Promise.all([mkdir(bin), mkdir(temp), mkdir(cwd)]);
  await writeFile(
    join(bin, 'kms-report'),
    `#!/bin/sh\nexec "${process.execPath}" --import "${TSX}" "${MAIN}" "$@"\n`,
  );
  await chmod(join(bin, 'kms-report'), 0o755);
  const env = {
    PATH: `${bin}${delimiter}${process.env.PATH}`,
    RUNNER_TEMP: temp,
    GITHUB_STEP_SUMMARY: join(temp, 'summary.md'),
    GITHUB_OUTPUT: join(temp, 'output.txt'),
  };
  const outputs = async () =>
    Object.fromEntries(
      (await readFile(env.GITHUB_OUTPUT, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  return { cwd, env, outputs, summary: () => readFile(env.GITHUB_STEP_SUMMARY, 'utf8') };
}

/** The run step's environment as the runner sets it from the inputs (defaults where not given). */
function inputsEnv(given: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(step('Run kms-report').env ?? {})) {
    const input = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(value)?.[1];
    env[name] = input === undefined ? value : (given[input] ?? action.inputs[input]?.default ?? '');
  }
  return env;
}

describe('the GitHub Action', () => {
  it('is a composite action with the inputs the README documents', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining(['month', 'regions', 'config', 'fail-on', 'out']),
    );
    expect(action.inputs.out?.default).toBe('reports');
    expect(action.inputs.month?.default).toBe('');
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['exit-code', 'report-dir']));
  });

  it('sets up Node 20, uploads the report set even when the run fails, and exits with its code last', () => {
    const setup = steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setup?.with?.['node-version']).toBe(20);
    const upload = step('Upload the report set');
    expect(upload.uses).toBe('actions/upload-artifact@v4');
    expect(upload.if).toBe('always()');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
    expect(upload.with?.path).toBe('${{ inputs.out }}');
    expect(steps.at(-1)?.name).toBe("Exit with kms-report's code");
    expect(steps.indexOf(upload)).toBeLessThan(steps.length - 1);
  });

  it('passes inputs to its scripts only through the environment (no expression is pasted into a script)', () => {
    for (const s of steps) {
      if (s.run !== undefined) {
        expect(s.shell, s.name).toBe('bash');
        expect(s.run, s.name).not.toContain('${{');
      }
    }
  });

  it('runs kms-report, writes the report head to the job summary and keeps exit 3 of --fail-on', {
    timeout: 120_000,
  }, async () => {
    const ws = await workspace();
    const env = { ...ws.env, ...inputsEnv({ 'fail-on': 'high', regions: 'all', args: '--demo' }) };
    const ran = await bash(step('Run kms-report').run as string, ws.cwd, env);
    expect(ran.code, ran.output).toBe(0);
    expect(ran.output).toContain('2026-10 for 111122223333 (demo data)');

    const outputs = await ws.outputs();
    expect(outputs).toEqual({ 'exit-code': '3', 'report-dir': 'reports/111122223333/2026-10' });
    const summary = await ws.summary();
    expect(summary).toContain('## kms-report: exit 3, a finding at or above --fail-on high');
    expect(summary).toContain('## KMS cost and compliance: October 2026');
    expect(summary).toContain('### Summary');
    expect(summary).toContain('20 failing findings (3 critical, 3 high, 5 medium, 9 low)');
    expect(summary).not.toContain('## Findings');
    expect(summary).toContain('is in the artifact `kms-report`');
    expect(await readFile(join(ws.cwd, outputs['report-dir'] as string, 'report.md'), 'utf8')).toContain(
      'Demo data',
    );

    const exit = await bash(step("Exit with kms-report's code").run as string, ws.cwd, {
      KMS_REPORT_EXIT: '3',
    });
    expect(exit.code).toBe(3);
  });

  it('summarises a run that wrote no report with its error, and exits 2', { timeout: 120_000 }, async () => {
    const ws = await workspace();
    const env = { ...ws.env, ...inputsEnv({ month: '2026-13', args: '--demo' }) };
    const ran = await bash(step('Run kms-report').run as string, ws.cwd, env);
    expect(ran.code, ran.output).toBe(0);
    expect(await ws.outputs()).toEqual({ 'exit-code': '2', 'report-dir': '' });
    const summary = await ws.summary();
    expect(summary).toContain('## kms-report: exit 2, bad input, nothing was written');
    // The CLI's own error, naming the option.
    expect(summary).toMatch(/^kms-report: .*--month/m);
    expect(summary).not.toContain('KMS cost and compliance');
    const exit = await bash(step("Exit with kms-report's code").run as string, ws.cwd, {
      KMS_REPORT_EXIT: '2',
    });
    expect(exit.code).toBe(2);
  });
});
