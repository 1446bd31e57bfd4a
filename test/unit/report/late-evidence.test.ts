import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.js';
import { demoSnapshot } from '../../../src/demo/sample.js';
import type { InventorySnapshot } from '../../../src/model/inventory.js';
import type { MonthlyReport } from '../../../src/model/report.js';
import { LATE_EVIDENCE_DAYS } from '../../../src/report/build.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { writeSnapshot } from '../../../src/snapshot.js';
import { demoMonthlyReport } from '../../support/demo-report.js';
import { captureIo } from '../../support/io.js';

/** The demo's inventory, as if collected at `finishedAt` (October 2026 ended on 2026-11-01T00:00Z). */
function takenAt(finishedAt: string): InventorySnapshot {
  return { ...demoSnapshot(), collection: { startedAt: finishedAt, finishedAt } };
}

describe('evidence taken long after the month', () => {
  it(`is not flagged up to ${LATE_EVIDENCE_DAYS} days after the month's end`, async () => {
    const report = await demoMonthlyReport(takenAt('2026-11-08T00:00:00.000Z'));
    expect(report.evidence.late).toBeNull();
    expect(renderMarkdown(report)).not.toContain('Late evidence');
  });

  it('warns in report.md and report.json past that, and says to run on the 1st', async () => {
    const report = await demoMonthlyReport(takenAt('2026-11-20T14:00:00.000Z'));
    expect(report.evidence.late).toMatchObject({ daysAfterMonthEnd: 19, limitDays: LATE_EVIDENCE_DAYS });
    const json = JSON.parse(JSON.stringify(report)) as MonthlyReport;
    expect(json.evidence.late?.warning).toMatch(/keys deleted since the month's end are not in it/);
    const md = renderMarkdown(report);
    expect(md).toContain(
      '> **Late evidence.** The inventory was taken on 2026-11-20, 19 days after 2026-10 ended (more than 7)',
    );
    expect(md).toContain('run the report on the 1st of the next month');
  });

  it('is named in the summary the scheduled job prints', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kms-report-late-'));
    const file = join(dir, 'inventory.json');
    await writeSnapshot(file, takenAt('2026-11-20T14:00:00.000Z'));
    const io = captureIo({ now: () => new Date('2026-11-20T15:00:00.000Z') });
    const code = await runCli(['--month', '2026-10', '--snapshot', file, '--out', join(dir, 'out')], io);
    expect(code).toBe(0);
    expect(io.stdoutText()).toContain(
      'late evidence: the inventory was taken 19 days after the month ended; keys deleted since may be missing (run on the 1st)',
    );
    const md = await readFile(join(dir, 'out', '111122223333', '2026-10', 'report.md'), 'utf8');
    expect(md).toContain('**Late evidence.**');
  });
});
