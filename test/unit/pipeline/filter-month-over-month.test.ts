import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MonthlyReport } from '../../../src/model/report.js';
import { runMonthlyReport } from '../../../src/pipeline/run.js';

describe('month over month of a filtered report', () => {
  it("judges last month's findings by their own severity: the same evidence opens and resolves nothing", async () => {
    const out = await mkdtemp(join(tmpdir(), 'kms-report-mom-'));
    const september = await runMonthlyReport({ evidence: { kind: 'demo' }, output: { dir: out } });
    // KMS-POL-05 judges a key with only administrators' wildcard grants lower than the rule's own severity.
    const lowered = september.report.findings.filter(
      (f) =>
        f.ruleId === 'KMS-POL-05' &&
        f.status === 'FAIL' &&
        f.severity !== september.report.rules['KMS-POL-05']?.severity,
    );
    expect(lowered.length).toBeGreaterThan(0);
    // The same evidence, as last month's report.
    const json = JSON.parse(await readFile(join(september.dir, 'report.json'), 'utf8')) as MonthlyReport;
    const previousDir = join(out, json.scope.accounts[0] as string, '2026-09');
    await mkdir(previousDir, { recursive: true });
    await writeFile(join(previousDir, 'report.json'), JSON.stringify({ ...json, month: '2026-09' }));

    const rule = september.report.rules['KMS-POL-05']?.severity as string;
    const { report } = await runMonthlyReport({
      evidence: { kind: 'demo' },
      output: { dir: out },
      filter: { severities: [rule] },
    });

    expect(report.monthOverMonth?.previousMonth).toBe('2026-09');
    expect(report.monthOverMonth?.findingsOpened).toEqual([]);
    expect(report.monthOverMonth?.findingsResolved).toEqual([]);
  });
});
