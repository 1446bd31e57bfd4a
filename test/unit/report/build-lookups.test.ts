import { describe, expect, it } from 'vitest';
import { demoSnapshot } from '../../../src/demo/sample.js';
import type { Finding } from '../../../src/model/findings.js';
import type { KeyRecord } from '../../../src/model/inventory.js';
import { collected, collectedValue } from '../../../src/model/observed.js';
import type { KeyRow, MonthlyReport, WasteRow } from '../../../src/model/report.js';
import { dec } from '../../../src/pricing/money.js';
import { keyName } from '../../../src/report/build.js';
import { compareText } from '../../../src/util/compare.js';
import { demoMonthlyReport } from '../../support/demo-report.js';

/** The waste table as it was computed before (a scan of the findings per pending-deletion key). */
function wasteByScan(rows: readonly KeyRow[], findings: readonly Finding[]): WasteRow[] {
  const reasons = new Map<string, string[]>();
  const add = (arn: string, reason: string) => reasons.set(arn, [...(reasons.get(arn) ?? []), reason]);
  for (const f of findings) {
    if (f.status !== 'FAIL' && f.status !== 'MUTED') continue;
    if (f.ruleId === 'KMS-LIFE-01') add(f.keyArn, 'disabled all month, still billed');
    if (f.ruleId === 'KMS-LIFE-02') add(f.keyArn, `unused: ${f.reason}`);
  }
  for (const row of rows) {
    if (row.keyState !== 'PendingDeletion') continue;
    const details = findings.find((f) => f.keyArn === row.arn && f.ruleId === 'KMS-DEL-01')?.details;
    const date = details?.deletionDate;
    const daysLeft = details?.daysLeft;
    add(
      row.arn,
      typeof date === 'string'
        ? `pending deletion: deleted on ${date.slice(0, 10)}${typeof daysLeft === 'number' ? ` (${daysLeft} days after the evidence was collected)` : ''}`
        : 'pending deletion',
    );
  }
  return rows
    .filter((r) => reasons.has(r.arn))
    .map((r) => ({
      arn: r.arn,
      name: keyName(r),
      reason: (reasons.get(r.arn) ?? []).join('; '),
      cost: r.total,
    }))
    .sort((a, b) => dec(b.cost).comparedTo(a.cost) || compareText(a.arn, b.arn));
}

const mostExpensiveBySort = (report: MonthlyReport) =>
  report.keys
    .filter((r) => dec(r.total).greaterThan(0))
    .sort((a, b) => dec(b.total).comparedTo(a.total) || compareText(a.arn, b.arn))
    .slice(0, 10)
    .map((r) => r.arn);

/** The demo with more keys pending deletion, disabled or unused, and equal costs (ties by ARN). */
function busierSnapshot() {
  const snapshot = demoSnapshot();
  const keys = snapshot.keys.map((k, i): KeyRecord => {
    const meta = collectedValue(k.metadata);
    if (meta?.keyManager !== 'CUSTOMER' || i % 3 !== 0) return k;
    return {
      ...k,
      metadata: collected({
        ...meta,
        keyState: 'PendingDeletion',
        enabled: false,
        deletionDate: '2026-11-20T00:00:00.000Z',
        pendingDeletionWindowInDays: 30,
      }),
    };
  });
  return { ...snapshot, keys };
}

describe('buildMonthlyReport look-ups', () => {
  it('the waste table and most expensive keys are those of the scans they replace', async () => {
    for (const report of [await demoMonthlyReport(), await demoMonthlyReport(busierSnapshot())]) {
      expect(report.summary.waste.length).toBeGreaterThan(0);
      expect(report.summary.waste).toEqual(wasteByScan(report.keys, report.findings));
      expect(report.summary.mostExpensive).toEqual(mostExpensiveBySort(report));
    }
    const busy = await demoMonthlyReport(busierSnapshot());
    expect(
      busy.summary.waste.filter((w) => w.reason.includes('pending deletion: deleted on')).length,
    ).toBeGreaterThan(2);
  });
});
