import { runCompliance } from '../../src/compliance/engine.js';
import { DEMO_MONTH, demoComplianceConfig, demoSnapshot, demoUsage } from '../../src/demo/sample.js';
import type { InventorySnapshot } from '../../src/model/inventory.js';
import type { MonthlyReport } from '../../src/model/report.js';
import { priceMonth } from '../../src/pricing/engine.js';
import { loadPricingTables } from '../../src/pricing/load.js';
import { buildMonthlyReport } from '../../src/report/build.js';

/**
 * The demo account's October report, built by the real pipeline (pricing, compliance, report);
 * from another inventory of the same account (the demo's, altered) when `snapshot` is given.
 */
export async function demoMonthlyReport(
  snapshot: InventorySnapshot = demoSnapshot(),
): Promise<MonthlyReport> {
  const usage = demoUsage();
  const generatedAt = '2026-11-01T02:05:00.000Z';
  const cost = priceMonth({ month: DEMO_MONTH, snapshot, usage, tables: await loadPricingTables() });
  const compliance = runCompliance(snapshot, {
    config: demoComplianceConfig(),
    usage,
    month: DEMO_MONTH,
    clock: { now: () => Date.parse(generatedAt) },
  });
  return buildMonthlyReport({
    month: DEMO_MONTH,
    monthToDate: false,
    period: { start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z' },
    snapshot,
    usage,
    cost,
    compliance,
    generatedAt,
  });
}
