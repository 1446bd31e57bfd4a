import type { CallerDriver, Recommendation } from '../model/advice.js';
import type { MonthlyReport } from '../model/report.js';
import { type Column, csvChunks } from './csv.js';

/**
 * `drivers.csv` and `recommendations.csv`: the report's cost drivers and recommendations, one row
 * each, through the same CSV machinery as the other files (caller names and ARNs are hostile
 * text: escaped, formula-neutralised).
 */

interface AdviceContext {
  readonly month: string;
  readonly currency: string;
}

const contextOf = (report: MonthlyReport): AdviceContext => ({
  month: report.month,
  currency: report.cost.currency,
});

/** A drivers.csv row: the overall list (SCOPE `overall`), then the per-key list (`key`). */
export interface DriversCsvRow {
  readonly scope: 'overall' | 'key';
  readonly driver: CallerDriver;
}

const DRIVER_COLUMNS: readonly Column<DriversCsvRow, AdviceContext>[] = [
  { name: 'MONTH', value: (_, c) => c.month },
  { name: 'SCOPE', value: (r) => r.scope },
  { name: 'KEY_ARN', value: (r) => r.driver.keyArn },
  { name: 'CALLER', value: (r) => r.driver.caller },
  { name: 'CALLER_TYPE', value: (r) => r.driver.callerType },
  { name: 'CALLER_ACCOUNT', value: (r) => r.driver.callerAccount },
  { name: 'INVOKED_BY', value: (r) => r.driver.invokedBy },
  { name: 'BUCKET_ARN', value: (r) => r.driver.bucketArn },
  { name: 'BILLED_ACCOUNT', value: (r) => r.driver.billedAccount },
  { name: 'IN_REPORT_TOTAL', value: (r) => r.driver.billedToReport, numeric: true },
  { name: 'REQUESTS', value: (r) => r.driver.requests, numeric: true },
  { name: 'CURRENCY', value: (_, c) => c.currency },
  { name: 'COST', value: (r) => r.driver.cost, numeric: true },
  { name: 'PREVIOUS_REQUESTS', value: (r) => r.driver.previousRequests, numeric: true },
  { name: 'PREVIOUS_COST', value: (r) => r.driver.previousCost, numeric: true },
  { name: 'COST_CHANGE', value: (r) => r.driver.costChange, numeric: true },
];

export function* driversCsvRows(report: MonthlyReport): Generator<DriversCsvRow> {
  for (const driver of report.drivers?.overall ?? []) yield { scope: 'overall', driver };
  for (const driver of report.drivers?.perKey ?? []) yield { scope: 'key', driver };
}

/** `drivers.csv`: the costliest callers overall, then per key; empty cells are unknown, never zero. */
export function driversCsvChunks(report: MonthlyReport): Iterable<string> {
  return csvChunks(DRIVER_COLUMNS, driversCsvRows(report), contextOf(report));
}

const RECOMMENDATION_COLUMNS: readonly Column<Recommendation, AdviceContext>[] = [
  { name: 'MONTH', value: (_, c) => c.month },
  { name: 'ID', value: (r) => r.id },
  { name: 'KIND', value: (r) => r.kind },
  { name: 'TITLE', value: (r) => r.title },
  { name: 'SUBJECT', value: (r) => r.subject },
  { name: 'EVIDENCE', value: (r) => r.evidence },
  { name: 'KEY_ARNS', value: (r) => r.keyArns.join(' ') },
  { name: 'REQUESTS', value: (r) => r.requests, numeric: true },
  { name: 'CURRENCY', value: (_, c) => c.currency },
  { name: 'MONTHLY_SAVING', value: (r) => r.monthlySaving, numeric: true },
  { name: 'YEARLY_SAVING', value: (r) => r.yearlySaving, numeric: true },
  { name: 'SAVING_BASIS', value: (r) => r.savingBasis },
  { name: 'HOW', value: (r) => r.apply.text },
  { name: 'CONSOLE', value: (r) => r.apply.console },
  { name: 'CLI', value: (r) => r.apply.cli },
  { name: 'TERRAFORM', value: (r) => r.apply.terraform },
];

/** `recommendations.csv`: one row per recommendation, largest saving first. */
export function recommendationsCsvChunks(report: MonthlyReport): Iterable<string> {
  return csvChunks(RECOMMENDATION_COLUMNS, report.recommendations?.items ?? [], contextOf(report));
}

/** drivers.csv as one string. */
export function renderDriversCsv(report: MonthlyReport): string {
  return [...driversCsvChunks(report)].join('');
}

/** recommendations.csv as one string. */
export function renderRecommendationsCsv(report: MonthlyReport): string {
  return [...recommendationsCsvChunks(report)].join('');
}
