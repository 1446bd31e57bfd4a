import { runCompliance } from '../compliance/engine.js';
import { filterCompliance, parseFindingFilter } from '../compliance/filter.js';
import { parseFrameworkIds } from '../compliance/frameworks.js';
import { InputError } from '../errors.js';
import type { ComplianceResult } from '../model/findings.js';
import type { FindingFilter } from '../model/frameworks.js';
import type { MonthCost } from '../model/pricing.js';
import type { BillReconciliation } from '../model/reconciliation.js';
import type { MonthlyReport } from '../model/report.js';
import { importToSecurityHub, type SecurityHubImport } from '../publish/security-hub.js';
import { buildMonthlyReport } from '../report/build.js';
import { type Month, resolveReportMonth } from '../util/month.js';
import { inventoryAsOf, type MonthInventory } from './as-of.js';
import { billReconciliation } from './bill.js';
import { evidenceSource } from './evidence/index.js';
import type { Evidence } from './evidence/source.js';
import { gatherEvidence } from './gather.js';
import { DEFAULT_OUT_DIR, type MonthlyReportOptions } from './options.js';
import { NO_PREVIOUS, type Previous } from './previous.js';
import { eccPairPrices, loadTables, priceEvidence } from './price.js';
import { reportFiles, reportFolder, writeReport } from './write.js';
import type { Manifest } from './writer.js';

export interface MonthlyReportResult {
  readonly report: MonthlyReport;
  /** The folder the report set was written to. */
  readonly dir: string;
  readonly manifest: Manifest;
  /** What `securityHub` imported, per account and region; null when no import was asked for. */
  readonly securityHub: SecurityHubImport | null;
}

/**
 * The monthly job: gathers the evidence (live from AWS, from an organisation's accounts, from
 * saved files, or the demo), prices the month, judges every key, and writes the report set
 * atomically under `<dir>/<account>/<YYYY-MM>/` with a manifest of SHA-256 sums. An
 * organisation's accounts go into one report set under `<dir>/organization/<YYYY-MM>/`, with an
 * organisation view. See {@link MonthlyReportOptions} for the common cases.
 *
 * @example
 * ```ts
 * import { runMonthlyReport } from 'kms-report';
 *
 * const { report, dir } = await runMonthlyReport({
 *   month: '2026-10',
 *   evidence: { kind: 'live', regions: ['us-east-1'] },
 * });
 * console.log(`${dir}: ${report.summary.cost.total.amount} USD, ${report.summary.findings.byStatus.FAIL} failing`);
 * ```
 */
export async function runMonthlyReport(options: MonthlyReportOptions = {}): Promise<MonthlyReportResult> {
  return (await monthlyReport(options, true)) as MonthlyReportResult;
}

/**
 * The monthly report as {@link runMonthlyReport} makes it, written nowhere: no folder is made,
 * and last month's report is not looked for (there is no output folder to find it in). For
 * `kms-report --out -`, which prints report.json.
 *
 * @example
 * ```ts
 * const report = await renderMonthlyReport({ evidence: { kind: 'demo' } });
 * ```
 */
export async function renderMonthlyReport(options: MonthlyReportOptions = {}): Promise<MonthlyReport> {
  return (await monthlyReport(options, false)).report;
}

/** How the library's filter options are named in its errors. */
const FILTER_INPUTS = { rules: 'filter.rules', severities: 'filter.severities', statuses: 'filter.statuses' };

/** gather evidence → price → judge → build → render → write. */
async function monthlyReport(
  options: MonthlyReportOptions,
  write: boolean,
): Promise<MonthlyReportResult | { report: MonthlyReport }> {
  // Checked before anything is collected: a typo costs no AWS calls.
  const filters = parseFindingFilter(options.filter, FILTER_INPUTS);
  const frameworks = options.frameworks?.length ? parseFrameworkIds(options.frameworks, 'frameworks') : null;
  const source = evidenceSource(options.evidence);
  checkSecurityHub(options, source.demo, write);
  const at = source.clock(options.now?.() ?? new Date());
  const month = source.month(options.month, at);
  checkSecurityHubMonth(options, month, at);
  const tables = await loadTables(options.pricing?.tables);
  const evidence = await gatherEvidence(source, month, {
    configFile: options.configFile,
    network: options.network,
    signal: options.signal,
    deadlineMs: options.deadlineMs,
    progress: options.progress,
  });
  const inventory = inventoryAsOf(evidence.snapshot, month, source.name);
  const generatedAt = at.toISOString();
  const cost = priceEvidence(month, inventory.snapshot, evidence, tables, options.pricing);
  const judged = runCompliance(inventory.snapshot, {
    config: evidence.config,
    usage: evidence.usage ?? undefined,
    month,
    clock: { now: () => at.getTime() },
  });
  const compliance = filterCompliance(judged, filters);
  const bill = await billReconciliation(options, month, inventory.snapshot, cost);
  const folder = write
    ? await reportFolder(options.output?.dir ?? DEFAULT_OUT_DIR, inventory.snapshot, month)
    : null;
  const eccPrices = eccPairPrices(month, cost, tables);
  const assessed = {
    month,
    evidence,
    inventory,
    cost,
    compliance,
    generatedAt,
    demo: source.demo,
    filters,
    frameworks,
    bill,
    eccPrices,
  };
  const report = buildReport(assessed, folder?.previous ?? NO_PREVIOUS);
  if (!folder) return { report };
  const files = reportFiles(report, evidence, options.output);
  const manifest = await writeReport(folder.dir, files, generatedAt, options.signal);
  // After the report set is written: whatever Security Hub says, the report is there. Security
  // Hub gets every finding, whatever the filters: one left out would be archived as resolved.
  const toImport = filters
    ? buildReport({ ...assessed, compliance: judged, filters: null }, NO_PREVIOUS)
    : report;
  const securityHub = options.securityHub
    ? await importToSecurityHub(toImport, {
        profile: options.evidence?.kind === 'live' ? options.evidence.profile : undefined,
        network: options.network,
        signal: options.signal,
        ...options.securityHub,
      })
    : null;
  return { report, dir: folder.dir, manifest, securityHub };
}

/** Security Hub takes an account's findings only from that account: not the demo's, not an organisation's. */
function checkSecurityHub(options: MonthlyReportOptions, demo: boolean, write: boolean): void {
  if (!options.securityHub) return;
  const refuse = (why: string) => {
    throw new InputError('--security-hub', why);
  };
  if (!write) refuse('imports the report set it writes: it cannot be combined with --out - or --stdout');
  if (demo) refuse('imports into your account: it cannot be combined with --demo (sample data)');
  if (options.evidence?.kind === 'organization')
    refuse(
      "Security Hub takes an account's findings only from that account: run it in each account, not with --org or --accounts",
    );
  if (options.evidence?.kind === 'saved')
    refuse(
      'imports what the account holds now: it cannot be combined with --snapshot (saved evidence would overwrite newer findings and archive the keys made since)',
    );
}

/** Security Hub holds the latest state: an earlier month's report would overwrite it (and archive later keys). */
function checkSecurityHubMonth(options: MonthlyReportOptions, month: Month, at: Date): void {
  if (!options.securityHub) return;
  const latest = resolveReportMonth(undefined, at).month;
  if (month.month < latest)
    throw new InputError(
      '--security-hub',
      `imports the latest month only (${latest}, or the current month to date): ${month.month} would overwrite newer findings`,
    );
}

/** What the report is built from: the evidence, priced and judged. */
interface Assessed {
  readonly month: Month;
  readonly evidence: Evidence;
  readonly inventory: MonthInventory;
  readonly cost: MonthCost;
  readonly compliance: ComplianceResult;
  readonly generatedAt: string;
  readonly demo: boolean;
  readonly filters: FindingFilter | null;
  readonly frameworks: readonly string[] | null;
  readonly bill: BillReconciliation | null;
  /** The ECC data key pair price by region, for the recommendations. */
  readonly eccPrices: Readonly<Record<string, string>>;
}

function buildReport(a: Assessed, previous: Previous): MonthlyReport {
  return buildMonthlyReport({
    month: a.month.month,
    monthToDate: a.month.monthToDate,
    period: { start: a.month.start.toISOString(), end: a.month.end.toISOString() },
    snapshot: a.inventory.snapshot,
    usage: a.evidence.usage,
    reconciliation: a.evidence.usageFile?.reconciliation ?? [],
    cost: a.cost,
    compliance: a.compliance,
    keysCreatedAfterMonth: a.inventory.later,
    previous: previous.report,
    previousProblem: previous.problem,
    generatedAt: a.generatedAt,
    demo: a.demo,
    ownerTag: a.evidence.config.ownerTag,
    filters: a.filters,
    frameworks: a.frameworks,
    bill: a.bill,
    eccPairPricesPer10k: a.eccPrices,
  });
}
