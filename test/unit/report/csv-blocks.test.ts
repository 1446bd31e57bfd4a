import { describe, expect, it } from 'vitest';
import type { MonthlyReport } from '../../../src/model/report.js';
import {
  costsCsvChunks,
  findingsCsvChunks,
  keysCsvChunks,
  renderCostsCsv,
  renderFindingsCsv,
  renderKeysCsv,
} from '../../../src/report/csv.js';
import { demoMonthlyReport } from '../../support/demo-report.js';

/** The report with every key, cost line and finding repeated `times` times. */
function repeated(report: MonthlyReport, times: number): MonthlyReport {
  const many = <T>(list: readonly T[]) => Array.from({ length: times }, () => list).flat();
  return {
    ...report,
    keys: many(report.keys),
    findings: many(report.findings),
    cost: { ...report.cost, keys: many(report.cost.keys), unattributed: [], credits: [] },
  };
}

const split = (csv: string) => {
  const at = csv.indexOf('\r\n') + 2;
  return { header: csv.slice(0, at), body: csv.slice(at) };
};

describe('CSV files written a block of rows at a time', () => {
  it('are the same text however many blocks the rows span', async () => {
    const report = await demoMonthlyReport();
    const times = Math.ceil(2_000 / report.findings.length);
    const big = repeated(report, times);
    // The account-level lines (unattributed, credits) are not repeated: compare without them.
    const once = { ...report, cost: { ...report.cost, unattributed: [], credits: [] } };
    for (const render of [renderKeysCsv, renderFindingsCsv, renderCostsCsv]) {
      const one = split(render(once));
      const many = split(render(big));
      expect(many.header).toBe(one.header);
      expect(many.body).toBe(one.body.repeat(times));
    }
  });

  it('never hold more than a block of rows in one piece, and each piece ends at a row boundary', async () => {
    const big = repeated(await demoMonthlyReport(), 40);
    for (const chunks of [keysCsvChunks(big), costsCsvChunks(big), findingsCsvChunks(big)]) {
      const pieces = [...chunks];
      expect(pieces.length).toBeGreaterThan(2);
      for (const piece of pieces) {
        expect(piece.endsWith('\r\n')).toBe(true);
        // The demo's cells hold no CRLF, so each CRLF ends a row.
        expect(piece.split('\r\n').length - 1).toBeLessThanOrEqual(512);
      }
    }
  });
});
