import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.js';
import type { MonthlyReport } from '../../../src/model/report.js';
import { captureIo } from '../../support/io.js';

/** The demo's report set with extra flags: exit code, report.json and report.md. */
async function demo(...flags: string[]) {
  const out = await mkdtemp(join(tmpdir(), 'kms-report-view-'));
  const io = captureIo();
  const code = await runCli(['--demo', '--out', out, '--quiet', '--format', 'md,csv,json', ...flags], io);
  const dir = join(out, '111122223333', '2026-10');
  const read = async (name: string) => readFile(join(dir, name), 'utf8').catch(() => null);
  const json = await read('report.json');
  return {
    code,
    stderr: io.stderrText(),
    report: json ? (JSON.parse(json) as MonthlyReport) : null,
    md: await read('report.md'),
    read,
  };
}

describe('CLI: --rules, --severity, --status narrow the report and what --fail-on sees', () => {
  it('an unfiltered demo fails --fail-on low; filtered to PASS it does not', async () => {
    expect((await demo('--fail-on', 'low')).code).toBe(3);
    const passed = await demo('--status', 'pass', '--fail-on', 'low');
    expect(passed.code).toBe(0);
    expect(passed.report?.findings.every((f) => f.status === 'PASS')).toBe(true);
    expect(passed.report?.filters).toEqual({ rules: null, severities: null, statuses: ['PASS'] });
  }, 60_000);

  it('--rules keeps one rule, and --fail-on judges only its severity', async () => {
    const rot = await demo('--rules', 'KMS-ROT-01', '--fail-on', 'high');
    expect(rot.code).toBe(0);
    expect(new Set(rot.report?.findings.map((f) => f.ruleId))).toEqual(new Set(['KMS-ROT-01']));
    expect(Object.keys(rot.report?.rules ?? {})).toEqual(['KMS-ROT-01']);
    expect((await demo('--rules', 'KMS-ROT-01', '--fail-on', 'medium')).code).toBe(3);
  }, 60_000);

  it('says in report.md and in every file of findings that the report is filtered', async () => {
    const r = await demo(
      '--severity',
      'critical,high',
      '--rules',
      'KMS-POL-01',
      '--rules',
      'KMS-DEL-01',
      '--compliance',
      'cis-3.0',
      '--format',
      'md,csv,json,ocsf,asff',
    );
    const said = 'rules KMS-DEL-01, KMS-POL-01; severity critical, high';
    expect(r.md).toContain(`> **Filtered report**: only the findings of ${said} are in this report`);
    expect(r.report?.findings.every((f) => f.severity === 'critical' || f.severity === 'high')).toBe(true);
    // The CSVs stay one table each: a FILTER column, on every row.
    const findingsCsv = parse((await r.read('findings.csv')) ?? '', { columns: true }) as Record<
      string,
      string
    >[];
    expect(findingsCsv).toHaveLength(r.report?.findings.length ?? -1);
    expect(findingsCsv.length).toBeGreaterThan(0);
    for (const row of findingsCsv) expect(row.FILTER).toBe(said);
    const frameworksCsv = parse((await r.read('frameworks.csv')) ?? '', { columns: true }) as Record<
      string,
      string
    >[];
    expect(frameworksCsv.length).toBeGreaterThan(0);
    for (const row of frameworksCsv) expect(row.FILTER).toBe(said);
    const ocsf = JSON.parse((await r.read('findings.ocsf.json')) ?? '[]') as {
      metadata: { labels?: string[] };
    }[];
    expect(ocsf.length).toBeGreaterThan(0);
    for (const e of ocsf) expect(e.metadata.labels).toEqual([`kms-report filter: ${said}`]);
    const asff = JSON.parse((await r.read('findings.asff.json')) ?? '[]') as {
      ProductFields: Record<string, string>;
    }[];
    expect(asff.length).toBeGreaterThan(0);
    for (const f of asff) expect(f.ProductFields['kms-report/Filter']).toBe(said);
    // A full report carries no mark.
    const full = await demo('--format', 'csv,asff');
    const fullRows = parse((await full.read('findings.csv')) ?? '', { columns: true }) as Record<
      string,
      string
    >[];
    expect(fullRows.every((row) => row.FILTER === '')).toBe(true);
    expect((await full.read('findings.asff.json')) ?? '').not.toContain('kms-report/Filter');
  }, 60_000);

  it('says so in the summary on the terminal', async () => {
    const io = captureIo();
    const out = await mkdtemp(join(tmpdir(), 'kms-report-view-'));
    expect(await runCli(['--demo', '--out', out, '--status', 'FAIL', '--severity', 'critical'], io)).toBe(0);
    expect(io.stdoutText()).toContain(
      '  3 failing findings (3 critical), 0 muted, 0 unknown\n  filtered: only severity critical; status FAIL\n',
    );
  });

  it('refuses an unknown rule id before anything is read, listing the valid ones (exit 2)', async () => {
    const r = await demo('--rules', 'KMS-ROT-01,KMS-FOO-01');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--rules: unknown value "KMS-FOO-01"; expected one of KMS-ROT-01, .*KMS-MR-01/);
  });
});

describe('CLI: --compliance and kms-report frameworks', () => {
  it('adds the framework tables to report.json, report.md and frameworks.csv', async () => {
    const r = await demo('--compliance', 'cis-3.0', '--compliance', 'pci-dss-4.0');
    expect(r.code).toBe(0);
    expect(r.report?.frameworks?.map((f) => f.id)).toEqual(['cis-3.0', 'pci-dss-4.0']);
    expect(r.md).toContain('### CIS Amazon Web Services Foundations Benchmark 3.0.0 (cis-3.0)');
    expect(await r.read('frameworks.csv')).toMatch(/^FRAMEWORK_ID,FRAMEWORK,VERSION,REQUIREMENT/);
    const plain = await demo();
    expect(plain.report?.frameworks).toBeNull();
    expect(await plain.read('frameworks.csv')).toBeNull();
  }, 60_000);

  it('refuses an unknown framework, naming it and the valid ones (exit 2)', async () => {
    const r = await demo('--compliance', 'cis-9.9');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--compliance: unknown framework "cis-9\.9"; the frameworks are: aws-fsbp, .*cis-3\.0, .*pci-dss-4\.0/,
    );
  });

  it('lists the frameworks: id, name, version, requirements and rules', async () => {
    const io = captureIo();
    expect(await runCli(['frameworks'], io)).toBe(0);
    const lines = io.stdoutText().split('\n');
    expect(lines[0]).toMatch(/^ID\s+FRAMEWORK\s+VERSION\s+REQUIREMENTS\s+RULES$/);
    expect(lines.find((l) => l.startsWith('cis-3.0 '))).toMatch(
      /^cis-3\.0\s+CIS Amazon Web Services Foundations Benchmark\s+3\.0\.0\s+2\s+KMS-ROT-01 KMS-ROT-02$/,
    );
    const json = captureIo();
    expect(await runCli(['frameworks', '--json'], json)).toBe(0);
    expect(JSON.parse(json.stdoutText())).toContainEqual(
      expect.objectContaining({ id: 'nist-800-53', requirements: ['SC-12', 'SC-12(2)', 'SC-28(3)'] }),
    );
  });
});
