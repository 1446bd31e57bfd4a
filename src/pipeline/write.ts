import type { InventorySnapshot } from '../model/inventory.js';
import type { MonthlyReport } from '../model/report.js';
import { asffFileChunks } from '../report/asff.js';
import { costsCsvChunks, findingsCsvChunks, keysCsvChunks, rulesCsvChunks } from '../report/csv.js';
import { driversCsvChunks, recommendationsCsvChunks } from '../report/csv-advice.js';
import { renderHtml } from '../report/html.js';
import { renderMarkdown } from '../report/markdown.js';
import { ocsfFileChunks } from '../report/ocsf.js';
import { reconciliationCsvChunks } from '../report/reconciliation-csv.js';
import { renderFrameworksCsv } from '../report/sections/frameworks.js';
import { explainWriteError } from '../util/fs-errors.js';
import { jsonFileChunks } from '../util/json-chunks.js';
import { type Month, previousMonthId } from '../util/month.js';
import { pathInside } from '../util/paths.js';
import { TOOL_VERSION } from '../version.js';
import type { Evidence } from './evidence/source.js';
import { DEFAULT_REPORT_FORMATS } from './formats.js';
import type { OutputOptions } from './options.js';
import { type Previous, readPrevious } from './previous.js';
import { type Manifest, type ReportFile, writeReportSet } from './writer.js';

/** The folder a report set goes to, and last month's report found beside it. */
export interface ReportFolder {
  readonly dir: string;
  readonly previous: Previous;
}

/**
 * `<outDir>/<account>/<YYYY-MM>`, or `<outDir>/organization/<YYYY-MM>` for an organisation-wide
 * run (even one narrowed to one account). The folder is named by the evidence (the account): it
 * must resolve inside the output folder, as must last month's.
 */
export async function reportFolder(
  outDir: string,
  snapshot: InventorySnapshot,
  month: Month,
): Promise<ReportFolder> {
  const scope =
    snapshot.accounts.length === 1 && !snapshot.organization
      ? (snapshot.accounts[0] as string)
      : 'organization';
  const dir = await pathInside(outDir, scope, month.month);
  const previous = await readPrevious(await pathInside(outDir, scope, previousMonthId(month)));
  return { dir, previous };
}

/** The report set's files: the formats asked for, and the evidence, which always travels with the report. */
export function reportFiles(
  report: MonthlyReport,
  evidence: Evidence,
  output: OutputOptions = {},
): ReportFile[] {
  const formats = output.formats ?? DEFAULT_REPORT_FORMATS;
  const page = { maxTableRows: output.markdownMaxRows, formats };
  const files: ReportFile[] = [];
  if (formats.includes('md')) files.push({ name: 'report.md', contents: renderMarkdown(report, page) });
  if (formats.includes('html')) files.push({ name: 'report.html', contents: renderHtml(report, page) });
  if (formats.includes('csv'))
    files.push(
      // Rendered a block of rows at a time while they are written: a large estate's
      // findings.csv is longer than a JavaScript string can be.
      { name: 'keys.csv', contents: keysCsvChunks(report) },
      { name: 'costs.csv', contents: costsCsvChunks(report) },
      { name: 'findings.csv', contents: findingsCsvChunks(report, { rows: output.findingsCsv }) },
      // Each rule's text once: findings.csv names the rule by RULE_ID.
      { name: 'rules.csv', contents: rulesCsvChunks(report) },
      { name: 'drivers.csv', contents: driversCsvChunks(report) },
      { name: 'recommendations.csv', contents: recommendationsCsvChunks(report) },
    );
  if (formats.includes('csv') && report.frameworks)
    files.push({ name: 'frameworks.csv', contents: renderFrameworksCsv(report) });
  if (formats.includes('csv') && report.bill)
    files.push({ name: 'reconciliation.csv', contents: reconciliationCsvChunks(report.bill) });
  if (formats.includes('json')) files.push({ name: 'report.json', contents: jsonFileChunks(report) });
  if (formats.includes('ocsf')) files.push({ name: 'findings.ocsf.json', contents: ocsfFileChunks(report) });
  if (formats.includes('asff')) files.push({ name: 'findings.asff.json', contents: asffFileChunks(report) });
  // The same text as serializeSnapshot and serializeUsageEvidence, written in pieces.
  files.push({ name: 'snapshot.json', contents: jsonFileChunks(evidence.snapshot) });
  if (evidence.usageFile) files.push({ name: 'usage.json', contents: jsonFileChunks(evidence.usageFile) });
  return files;
}

/** Writes the files atomically into `dir` with their manifest; a file-system failure names the folder. */
export async function writeReport(
  dir: string,
  files: readonly ReportFile[],
  generatedAt: string,
  signal: AbortSignal | undefined,
): Promise<Manifest> {
  return writeReportSet(dir, files, { generatedAt, toolVersion: TOOL_VERSION }, { signal }).catch(
    async (error: unknown) => {
      throw await explainWriteError(error, dir);
    },
  );
}
