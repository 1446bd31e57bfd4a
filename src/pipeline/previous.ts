import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { MonthlyReport } from '../model/report.js';
import {
  COMPARABLE_SCHEMA_VERSIONS,
  isComparableReport,
  type PreviousReport,
  previousReportSchema,
} from '../model/report-schema.js';
import { firstZodIssue } from '../util/versioned-file.js';

/**
 * Last month's report.json is read whole to compare with; past this size it is not (a schema-2
 * report of ~28,000 keys or more at ~9.3 KB a key, a schema-1 report of ~12,000: the text would
 * approach V8's longest string and the parse take GBs), and the report says so instead of
 * comparing.
 */
export const MAX_PREVIOUS_REPORT_BYTES = 256 * 1024 * 1024;

/** Last month's report to compare with, or why it cannot be (both null: there is none). */
export interface Previous {
  readonly report: PreviousReport | null;
  readonly problem: string | null;
}

/** No previous report: none was looked for, or there is none. */
export const NO_PREVIOUS: Previous = { report: null, problem: null };

const unreadable = (name: string, error: unknown): Previous => ({
  report: null,
  problem: `${name} could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
});

/** Last month's report in its folder `dir`, checked before it is compared with. */
export async function readPrevious(dir: string): Promise<Previous> {
  const path = join(dir, 'report.json');
  // Named in the report as `<account>/<YYYY-MM>/report.json`: the local output folder stays out of a ticket.
  const name = `${basename(dirname(dir))}/${basename(dir)}/report.json`;
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return NO_PREVIOUS;
    return unreadable(name, error);
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
    return unreadable(name, error);
  }
  return previousOf(text, name);
}

/** The report in `text`, if it is one kms-report can compare with. */
function previousOf(text: string, name: string): Previous {
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
