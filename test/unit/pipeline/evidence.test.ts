import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_EVIDENCE_TIME, DEMO_MONTH, demoSnapshot, demoUsageEvidence } from '../../../src/demo/sample.js';
import { InputError } from '../../../src/errors.js';
import type { EvidenceOptions } from '../../../src/pipeline/options.js';
import { renderMonthlyReport } from '../../../src/pipeline/run.js';
import { serializeSnapshot } from '../../../src/snapshot.js';
import { serializeUsageEvidence } from '../../../src/usage/evidence.js';

/** The demo's evidence saved as files, as a report set holds it beside report.json. */
async function savedDemo(): Promise<{ snapshotFile: string; usageFile: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kms-report-evidence-'));
  const snapshotFile = join(dir, 'snapshot.json');
  const usageFile = join(dir, 'usage.json');
  await writeFile(snapshotFile, serializeSnapshot(demoSnapshot()));
  await writeFile(usageFile, serializeUsageEvidence(demoUsageEvidence()));
  return { snapshotFile, usageFile };
}

describe('the demo evidence', () => {
  it('is dated by its own evidence time and month, whenever it runs', async () => {
    const report = await renderMonthlyReport({
      evidence: { kind: 'demo' },
      now: () => new Date('2031-05-17T12:00:00Z'),
    });
    expect(report).toMatchObject({ month: DEMO_MONTH, monthToDate: false, demo: true });
    expect(report.generatedAt).toBe(DEMO_EVIDENCE_TIME);
  });

  it('refuses another month, naming --month', async () => {
    const running = renderMonthlyReport({ month: '2026-09', evidence: { kind: 'demo' } });
    await expect(running).rejects.toThrow(InputError);
    await expect(running).rejects.toThrow('--month: the demo data is for 2026-10');
  });
});

describe('saved evidence', () => {
  it('renders the month of its files at the run’s time, not labelled demo data', async () => {
    const files = await savedDemo();
    const report = await renderMonthlyReport({
      month: '2026-10',
      evidence: { kind: 'saved', ...files },
      now: () => new Date('2026-11-03T09:00:00Z'),
    });
    expect(report).toMatchObject({ month: '2026-10', demo: false, generatedAt: '2026-11-03T09:00:00.000Z' });
    expect(report.evidence.usageSources).toEqual(['sample']);
  });

  it('refuses a usage file of another month, naming the file', async () => {
    const { snapshotFile, usageFile } = await savedDemo();
    const running = renderMonthlyReport({
      month: '2026-09',
      evidence: { kind: 'saved', snapshotFile, usageFile },
      now: () => new Date('2026-11-03T09:00:00Z'),
    });
    await expect(running).rejects.toThrow(`${usageFile}: holds 2026-10, not 2026-09`);
  });
});

describe('evidence options from JavaScript', () => {
  it('refuses an unknown kind, naming evidence.kind', async () => {
    const running = renderMonthlyReport({ evidence: { kind: 'file' } as unknown as EvidenceOptions });
    await expect(running).rejects.toThrow(InputError);
    await expect(running).rejects.toThrow(
      'evidence.kind: expected live, organization, saved or demo, got "file"',
    );
  });
});
