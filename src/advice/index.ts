import type { CostDrivers, Recommendations } from '../model/advice.js';
import type { Finding, RuleTable } from '../model/findings.js';
import type { Money, MonthCost } from '../model/pricing.js';
import type { KeyRow, WasteRow } from '../model/report.js';
import type { PreviousReport } from '../model/report-schema.js';
import type { MonthUsage } from '../model/usage.js';
import { callerCosts } from './attribute.js';
import { costDrivers } from './drivers.js';
import { recommend } from './recommend.js';

export { ATTRIBUTION_METHOD, accountsInTotal } from './attribute.js';
export * from './constants.js';
export { RECOMMENDATIONS_METHOD } from './recommend.js';

/** What {@link adviseMonth} reads: the month's usage and cost, and what the report already made of them. */
export interface AdviceInput {
  /** The month's usage, with per-caller counts (`callers`) when the source recorded them. */
  readonly usage: MonthUsage | null;
  readonly cost: MonthCost;
  /** The report's key rows (`MonthlyReport.keys`). */
  readonly keys: readonly KeyRow[];
  /** The keys that cost money for nothing (`MonthlyReport.summary.waste`). */
  readonly waste: readonly WasteRow[];
  readonly findings: readonly Finding[];
  readonly rules: RuleTable;
  /** Last month's report, to show each caller's change (its `drivers`, when it has them). */
  readonly previous?: Pick<PreviousReport, 'month' | 'drivers'> | null;
  /**
   * The ECC GenerateDataKeyPair price per 10,000 requests, by region (from the month's pricing
   * table). A region missing: the saving of moving its RSA pairs to ECC is unknown.
   */
  readonly eccPairPricesPer10k?: Readonly<Record<string, Money>>;
}

/** The month's cost drivers (with why callers are unknown, when they are) and recommendations. */
export interface Advice {
  readonly drivers: CostDrivers;
  readonly recommendations: Recommendations;
}

/**
 * Who drives the month's request bill, and what would cut it, in dollars: a pure function of the
 * month's usage (its per-caller counts), its priced lines and the report's key rows, waste list
 * and findings. Nothing is priced again: each caller's dollars are its share of its request line.
 *
 * @example
 * ```ts
 * const { drivers, recommendations } = adviseMonth({ usage, cost, keys: report.keys,
 *   waste: report.summary.waste, findings: report.findings, rules: report.rules });
 * for (const r of recommendations.items) console.log(r.title, r.monthlySaving);
 * ```
 */
export function adviseMonth(input: AdviceInput): Advice {
  const costs = callerCosts(input.usage, input.cost);
  const previous = input.previous ?? null;
  return {
    drivers: costDrivers(input.usage, costs, previous?.drivers ?? null, previous?.month ?? null),
    recommendations: recommend({
      costs,
      keys: input.keys,
      waste: input.waste,
      findings: input.findings,
      rules: input.rules,
      eccPairPricesPer10k: input.eccPairPricesPer10k ?? {},
    }),
  };
}
