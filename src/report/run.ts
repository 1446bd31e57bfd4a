import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { NetworkOptions } from '../collect/client-defaults.js';
import type { ClientFactory, InventoryClients, UsageClients } from '../collect/clients.js';
import type { RegionProgress } from '../collect/kms.js';
import {
  type ComplianceConfig,
  DEFAULT_COMPLIANCE_CONFIG,
  loadComplianceConfig,
} from '../compliance/config.js';
import { runCompliance } from '../compliance/engine.js';
import { DEMO_MONTH, demoComplianceConfig, demoSnapshot, demoUsageEvidence } from '../demo/sample.js';
import { InputError, InterruptedError } from '../errors.js';
import type { InventorySnapshot } from '../model/inventory.js';
import { collectedValue } from '../model/observed.js';
import type { FreeTierScope } from '../model/pricing.js';
import type { MonthlyReport } from '../model/report.js';
import {
  COMPARABLE_SCHEMA_VERSIONS,
  isComparableReport,
  type PreviousReport,
  previousReportSchema,
} from '../model/report-schema.js';
import type { MonthUsage } from '../model/usage.js';
import type { AccountSpec } from '../org/accounts.js';
import { collectInventory } from '../org/collect.js';
import type { AccountProgress } from '../org/targets.js';
import { collectMonthUsage } from '../org/usage.js';
import { priceMonth } from '../pricing/engine.js';
import { loadPricingTables, readPricingTable } from '../pricing/load.js';
import type { PricingTable } from '../pricing/table.js';
import { readSnapshot } from '../snapshot.js';
import type { UsageSourceOption } from '../usage/collect.js';
import { readUsageEvidence, type UsageEvidence } from '../usage/evidence.js';
import type { UsageProgress } from '../usage/source.js';
import { startDeadline } from '../util/deadline.js';
import { explainWriteError } from '../util/fs-errors.js';
import { jsonFileChunks } from '../util/json-chunks.js';
import { type Month, previousMonthId, resolveReportMonth } from '../util/month.js';
import { pathInside } from '../util/paths.js';
import { firstZodIssue } from '../util/versioned-file.js';
import { TOOL_VERSION } from '../version.js';
import { buildMonthlyReport } from './build.js';
import {
  costsCsvChunks,
  type FindingsCsvRows,
  findingsCsvChunks,
  keysCsvChunks,
  rulesCsvChunks,
} from './csv.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { type Manifest, type ReportFile, writeReportSet } from './writer.js';

export type ReportFormat = 'md' | 'csv' | 'json' | 'html';
/** Every format `--format` takes. */
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'csv', 'json', 'html'];
/** The formats written when none is asked for (report.html is written on request: `--format html`). */
export const DEFAULT_REPORT_FORMATS: readonly ReportFormat[] = ['md', 'csv', 'json'];

/** The month a report covers: see {@link Month}. */
export type ReportMonth = Month;
export { resolveReportMonth };

export function parseFormats(input: string, flag = '--format'): ReportFormat[] {
  const formats = [...new Set(input.split(',').map((f) => f.trim().toLowerCase()))].filter(Boolean);
  const known = REPORT_FORMATS.join(', ');
  if (formats.length === 0) throw new InputError(flag, `expected one or more of ${known}`);
  for (const f of formats)
    if (!(REPORT_FORMATS as readonly string[]).includes(f))
      throw new InputError(flag, `unknown format "${f}" (expected ${known})`);
  return formats as ReportFormat[];
}

/** An organisation-wide run: which accounts, and how to enter them. */
export interface OrganizationReportOptions {
  /** Read the accounts from AWS Organizations (`--org`); else `accounts` names them. */
  readonly fromOrganization: boolean;
  /** `--accounts`: narrows the organisation, or names the accounts (ids or role ARNs). */
  readonly accounts?: readonly AccountSpec[];
  /** The role assumed in each account (`--role-name`). */
  readonly roleName?: string;
  readonly externalId?: string;
  /** Accounts read at once. */
  readonly accountConcurrency?: number;
  readonly clients?: ClientFactory;
  readonly onAccount?: (p: AccountProgress) => void;
}

export interface MonthlyReportOptions {
  /** `YYYY-MM`; default the previous calendar month. */
  readonly month?: string;
  /**
   * Where report sets go: `<outDir>/<account>/<YYYY-MM>/`. Default `reports`. A folder that would
   * resolve outside it (a symbolic link out) is refused.
   */
  readonly outDir?: string;
  readonly formats?: readonly ReportFormat[];
  /** Rows per table in report.md (default `DEFAULT_MARKDOWN_TABLE_ROWS`, 1,000); 0 for no limit. */
  readonly markdownMaxRows?: number;
  /** Which findings findings.csv holds: `all` (default, every verdict) or `not-passed` (PASS rows left out). */
  readonly findingsCsv?: FindingsCsvRows;
  /** Render the sample account that ships with kms-report (no AWS calls). */
  readonly demo?: boolean;
  /** Render from a saved inventory snapshot instead of collecting (no AWS calls for the inventory). */
  readonly snapshotFile?: string;
  /** A saved usage evidence file (`kms-report usage`) to use with `snapshotFile`. */
  readonly usageFile?: string;
  /** Compliance configuration (rules, thresholds, suppressions). */
  readonly configFile?: string;
  /** A pricing table file, or a folder of them. Default: the tables shipped in `pricing/`. */
  readonly pricing?: string;
  /**
   * How the request free tier is applied. Default: `organization` for a run over AWS
   * Organizations (`organization.fromOrganization`, or a snapshot of one: consolidated billing
   * gives the organisation one free tier), else `account`. The report says which was used.
   */
  readonly freeTierScope?: FreeTierScope;
  /** For live collection. */
  readonly regions?: readonly string[] | 'all';
  readonly profile?: string;
  readonly usageSources?: readonly UsageSourceOption[];
  readonly bucket?: string;
  readonly prefix?: string;
  readonly lastUsage?: boolean;
  /** Report on several accounts (one report set under `<outDir>/organization/<YYYY-MM>/`). */
  readonly organization?: OrganizationReportOptions;
  readonly inventoryClients?: InventoryClients;
  readonly usageClients?: UsageClients;
  /** Timeouts of every AWS client the run makes (not of injected clients); see `networkConfig`. */
  readonly network?: NetworkOptions;
  /** Ctrl-C: stops the collection and writes nothing (rejects with an InterruptedError). */
  readonly signal?: AbortSignal;
  /**
   * The run's deadline in milliseconds, from the start of the run (`--deadline 30m`). When it
   * passes, the collectors start nothing new and cut what is in flight; what was not read becomes
   * gaps and partial usage coverage, and the report is written with its coverage incomplete.
   * Unlike {@link signal}, something is written. Default: none.
   */
  readonly deadlineMs?: number;
  readonly now?: () => Date;
  readonly onInventoryProgress?: (p: RegionProgress) => void;
  readonly onUsageProgress?: (p: UsageProgress) => void;
}

export interface MonthlyReportResult {
  readonly report: MonthlyReport;
  /** The folder the report set was written to. */
  readonly dir: string;
  readonly manifest: Manifest;
}

/** Default usage sources of a live run: per-key counts from Event history, totals from CloudWatch. */
export const DEFAULT_USAGE_SOURCES: readonly UsageSourceOption[] = ['lookup', 'cloudwatch'];

/**
 * Last month's report.json is read whole to compare with; past this size it is not (a report of
 * ~20,000 keys or more: the text would approach V8's longest string and the parse take GBs), and
 * the report says so instead of comparing.
 */
export const MAX_PREVIOUS_REPORT_BYTES = 256 * 1024 * 1024;

/** Last month's report to compare with, or why it cannot be (null, null: there is none). */
async function readPrevious(dir: string): Promise<{ report: PreviousReport | null; problem: string | null }> {
  const path = join(dir, 'report.json');
  // Named in the report as `<account>/<YYYY-MM>/report.json`: the local output folder stays out of a ticket.
  const name = `${basename(dirname(dir))}/${basename(dir)}/report.json`;
  const none = { report: null, problem: null };
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return none;
    return {
      report: null,
      problem: `${name} could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    };
  }
  if (size > MAX_PREVIOUS_REPORT_BYTES)
    return {
      report: null,
      problem: `${name} is ${Math.round(size / 1048576)} MiB, more than the ${MAX_PREVIOUS_REPORT_BYTES / 1048576} MiB kms-report reads to compare months; compare keys.csv and findings.csv of both months instead`,
    };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return {
      report: null,
      problem: `${name} could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { report: null, problem: `${name} is not valid JSON (${(error as Error).message})` };
  }
  // A report of another kind or version is not compared with, but not an error either.
  const head =
    typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Partial<MonthlyReport>) : {};
  if (!isComparableReport(head))
    return {
      report: null,
      problem: `${name} is not a kms-report report of schema version ${COMPARABLE_SCHEMA_VERSIONS.join(' or ')} (kind ${JSON.stringify(head.kind ?? null)}, version ${JSON.stringify(head.schemaVersion ?? null)})`,
    };
  // Of the right kind, but perhaps edited or cut short: what the comparison reads is checked first.
  const checked = previousReportSchema.safeParse(data);
  if (!checked.success) {
    const { field, message } = firstZodIssue(checked.error);
    return { report: null, problem: `${name} cannot be compared: ${field}: ${message}` };
  }
  return { report: checked.data, problem: null };
}

async function loadTables(pricing: string | undefined): Promise<PricingTable[]> {
  if (pricing?.endsWith('.json')) return [await readPricingTable(pricing)];
  return loadPricingTables(pricing);
}

interface Evidence {
  snapshot: InventorySnapshot;
  usage: MonthUsage | null;
  usageFile: UsageEvidence | null;
  config: ComplianceConfig;
}

async function gatherEvidence(
  options: MonthlyReportOptions,
  month: ReportMonth,
  deadline: AbortSignal | undefined,
): Promise<Evidence> {
  const config = options.configFile
    ? await loadComplianceConfig(options.configFile)
    : options.demo
      ? demoComplianceConfig()
      : DEFAULT_COMPLIANCE_CONFIG;
  if (options.demo) {
    const usageFile = demoUsageEvidence();
    return { snapshot: demoSnapshot(), usage: usageFile.usage, usageFile, config };
  }
  if (options.snapshotFile) {
    const snapshot = await readSnapshot(options.snapshotFile);
    let usageFile: UsageEvidence | null = null;
    if (options.usageFile) {
      // Size-checked before reading, validated, repeated rows refused (as for the snapshot).
      usageFile = await readUsageEvidence(options.usageFile);
      if (usageFile.usage.month !== month.month)
        throw new InputError(options.usageFile, `holds ${usageFile.usage.month}, not ${month.month}`);
    }
    return { snapshot, usage: usageFile?.usage ?? null, usageFile, config };
  }
  if (options.organization)
    return gatherOrganizationEvidence(options, options.organization, month, config, deadline);
  const { snapshot } = await collectInventory({
    regions: options.regions,
    profile: options.profile,
    clients: options.inventoryClients,
    network: options.network,
    lastUsage: options.lastUsage,
    onProgress: options.onInventoryProgress,
    signal: options.signal,
    deadline,
  });
  const sources = options.usageSources ?? DEFAULT_USAGE_SOURCES;
  if (sources.length === 0) return { snapshot, usage: null, usageFile: null, config };
  const result = await collectMonthUsage({
    month,
    regions: snapshot.regions.filter((r) => r.status !== 'failed').map((r) => r.region),
    sources,
    account: snapshot.accounts[0],
    clients: options.usageClients,
    network: options.network,
    profile: options.profile,
    bucket: options.bucket,
    prefix: options.prefix,
    signal: options.signal,
    deadline,
    onProgress: options.onUsageProgress,
  });
  return { snapshot, usage: result.usage, usageFile: result.evidence, config };
}

async function gatherOrganizationEvidence(
  options: MonthlyReportOptions,
  org: OrganizationReportOptions,
  month: ReportMonth,
  config: ComplianceConfig,
  deadline: AbortSignal | undefined,
): Promise<Evidence> {
  const { snapshot, sessions } = await collectInventory({
    group: {
      organization: org.fromOrganization,
      accounts: org.accounts,
      roleName: org.roleName,
      externalId: org.externalId,
      accountConcurrency: org.accountConcurrency,
      onAccount: org.onAccount,
    },
    regions: options.regions,
    profile: options.profile,
    clients: org.clients,
    network: options.network,
    lastUsage: options.lastUsage,
    onProgress: options.onInventoryProgress,
    signal: options.signal,
    deadline,
  });
  const sources = options.usageSources ?? DEFAULT_USAGE_SOURCES;
  if (sources.length === 0 || sessions.every((s) => s.regions.length === 0))
    return { snapshot, usage: null, usageFile: null, config };
  const result = await collectMonthUsage({
    month,
    sources,
    sessions,
    clients: org.clients,
    accountConcurrency: org.accountConcurrency,
    profile: options.profile,
    network: options.network,
    bucket: options.bucket,
    prefix: options.prefix,
    signal: options.signal,
    deadline,
    onProgress: options.onUsageProgress,
  });
  return { snapshot, usage: result.usage, usageFile: result.evidence, config };
}

/** Leaves out keys created after the month: the month is reported as it was. */
function asOfMonth(snapshot: InventorySnapshot, end: Date): { snapshot: InventorySnapshot; later: string[] } {
  const later = snapshot.keys
    .filter((k) => {
      const created = collectedValue(k.metadata)?.creationDate;
      return created !== null && created !== undefined && Date.parse(created) >= end.getTime();
    })
    .map((k) => k.arn);
  if (later.length === 0) return { snapshot, later };
  const drop = new Set(later);
  return { snapshot: { ...snapshot, keys: snapshot.keys.filter((k) => !drop.has(k.arn)) }, later };
}

/**
 * The monthly job: gathers the evidence (live from AWS, from saved files, or the demo),
 * prices the month, judges every key, and writes the report set atomically under
 * `<outDir>/<account>/<YYYY-MM>/` with a manifest of SHA-256 sums. With `organization`, every
 * account of the organisation (or those named) goes into one report set under
 * `<outDir>/organization/<YYYY-MM>/`, with an organisation view.
 *
 * @example
 * ```ts
 * import { runMonthlyReport } from 'kms-report';
 *
 * const { report, dir } = await runMonthlyReport({ month: '2026-10', regions: ['us-east-1'] });
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
 */
export async function renderMonthlyReport(options: MonthlyReportOptions = {}): Promise<MonthlyReport> {
  return (await monthlyReport(options, false)).report;
}

async function monthlyReport(
  options: MonthlyReportOptions,
  write: boolean,
): Promise<MonthlyReportResult | { report: MonthlyReport }> {
  const now = options.now?.() ?? new Date();
  const monthInput = options.month ?? (options.demo ? DEMO_MONTH : undefined);
  if (options.demo && monthInput !== DEMO_MONTH)
    throw new InputError(
      '--month',
      `the demo data is for ${DEMO_MONTH}; run --demo without --month, or with --month ${DEMO_MONTH}`,
    );
  // The demo is dated as if run on the 1st of the next month.
  const month = resolveReportMonth(monthInput, options.demo ? new Date('2026-11-01T02:05:00.000Z') : now);
  const formats = options.formats ?? DEFAULT_REPORT_FORMATS;
  const tables = await loadTables(options.pricing);
  // The deadline runs from here; it bounds the collection, not the writing that follows it.
  const deadline = options.deadlineMs === undefined ? undefined : startDeadline(options.deadlineMs);
  const evidence = await gatherEvidence(options, month, deadline?.signal)
    .catch((error: unknown) => {
      if (error instanceof InterruptedError) throw interrupted();
      throw error;
    })
    .finally(() => deadline?.clear());
  // Stopped while collecting: the usage sources ended early, so the month is not whole. A report
  // of part of a month must not stand in for the month: write nothing.
  if (options.signal?.aborted) throw interrupted();
  if (evidence.usage && evidence.usage.month !== month.month)
    throw new InputError('usage', `the usage evidence holds ${evidence.usage.month}, not ${month.month}`);

  // A month to date is priced up to the inventory's time: one taken before the month began saw
  // none of it (every fee would be for 0 hours), so it cannot price the month.
  const takenAt = evidence.snapshot.collection.finishedAt;
  if (month.monthToDate && Date.parse(takenAt) < month.start.getTime())
    throw new InputError(
      options.snapshotFile ?? 'snapshot',
      `the inventory was taken at ${takenAt}, before ${month.month} began: it cannot price ${month.month} to date; collect the inventory again (or give a snapshot taken during ${month.month})`,
    );
  const { snapshot, later } = asOfMonth(evidence.snapshot, month.end);
  const generatedAt = (options.demo ? new Date('2026-11-01T02:05:00.000Z') : now).toISOString();
  const cost = priceMonth({
    month: month.month,
    snapshot,
    usage: evidence.usage ?? undefined,
    tables,
    // A month to date is priced up to the evidence time (when the inventory was taken).
    options: {
      freeTierScope: options.freeTierScope ?? defaultFreeTierScope(options, snapshot),
      asOf: month.monthToDate ? snapshot.collection.finishedAt : undefined,
    },
  });
  const compliance = runCompliance(snapshot, {
    config: evidence.config,
    usage: evidence.usage ?? undefined,
    month: month.month,
    clock: { now: () => Date.parse(generatedAt) },
  });
  // An organisation-wide run writes under `organization/` (even when narrowed to one account).
  const scope =
    snapshot.accounts.length === 1 && !snapshot.organization
      ? (snapshot.accounts[0] as string)
      : 'organization';
  // The folder is named by the evidence (the account): it must resolve inside the output folder.
  const outDir = options.outDir ?? 'reports';
  const dir = write ? await pathInside(outDir, scope, month.month) : '';
  const previous = write
    ? await readPrevious(await pathInside(outDir, scope, previousMonthId(month)))
    : { report: null, problem: null };
  const report = buildMonthlyReport({
    month: month.month,
    monthToDate: month.monthToDate,
    period: { start: month.start.toISOString(), end: month.end.toISOString() },
    snapshot,
    usage: evidence.usage,
    reconciliation: evidence.usageFile?.reconciliation ?? [],
    cost,
    compliance,
    keysCreatedAfterMonth: later,
    previous: previous.report,
    previousProblem: previous.problem,
    generatedAt,
    demo: options.demo,
    ownerTag: evidence.config.ownerTag,
  });
  if (!write) return { report };

  const files: ReportFile[] = [];
  if (formats.includes('md'))
    files.push({
      name: 'report.md',
      contents: renderMarkdown(report, { maxTableRows: options.markdownMaxRows, formats }),
    });
  if (formats.includes('html'))
    files.push({
      name: 'report.html',
      contents: renderHtml(report, { maxTableRows: options.markdownMaxRows, formats }),
    });
  if (formats.includes('csv'))
    files.push(
      // Rendered a block of rows at a time while they are written: a large estate's
      // findings.csv is longer than a JavaScript string can be.
      { name: 'keys.csv', contents: keysCsvChunks(report) },
      { name: 'costs.csv', contents: costsCsvChunks(report) },
      { name: 'findings.csv', contents: findingsCsvChunks(report, { rows: options.findingsCsv }) },
      // Each rule's text once: findings.csv names the rule by RULE_ID.
      { name: 'rules.csv', contents: rulesCsvChunks(report) },
    );
  if (formats.includes('json')) files.push({ name: 'report.json', contents: jsonFileChunks(report) });
  // The evidence always travels with the report (the same text as serializeSnapshot and
  // serializeUsageEvidence, written in pieces).
  files.push({ name: 'snapshot.json', contents: jsonFileChunks(evidence.snapshot) });
  if (evidence.usageFile) files.push({ name: 'usage.json', contents: jsonFileChunks(evidence.usageFile) });
  const manifest = await writeReportSet(
    dir,
    files,
    { generatedAt, toolVersion: TOOL_VERSION },
    { signal: options.signal },
  ).catch(async (error: unknown) => {
    throw await explainWriteError(error, dir);
  });
  return { report, dir, manifest };
}

/**
 * One free tier for an organisation (consolidated billing, the common case), one per account
 * otherwise. Read from the evidence, so that a report rendered again from its own `snapshot.json`
 * prices the month as the live run did: a snapshot whose accounts were listed from AWS
 * Organizations (`--org`) records the organisation's id (`organization.id`); accounts named with
 * `--accounts` alone record none.
 */
export function defaultFreeTierScope(
  options: Pick<MonthlyReportOptions, 'organization'>,
  snapshot?: Pick<InventorySnapshot, 'organization'>,
): FreeTierScope {
  const listedFromOrganizations = snapshot?.organization?.id != null;
  return options.organization?.fromOrganization || listedFromOrganizations ? 'organization' : 'account';
}

function interrupted(): InterruptedError {
  return new InterruptedError(
    'stopped (Ctrl-C) while collecting: no report was written, the previous one is intact',
  );
}
