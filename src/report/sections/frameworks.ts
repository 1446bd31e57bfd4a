import { stringify } from 'csv-stringify/sync';
import { describeFilter } from '../../compliance/filter.js';
import type { FrameworkView, RequirementView } from '../../model/frameworks.js';
import type { KeyRow, MonthlyReport } from '../../model/report.js';
import { keyName } from '../build.js';
import { escapeMarkdown as e, escapeCsvText } from '../escape.js';
import { keysByArn } from '../finding-formats.js';
import { type Escape, markdownTable, num, type TableData } from '../views.js';

/**
 * The per-framework view (`--compliance`) and the filters notice, as report.md, report.html and
 * frameworks.csv show them. Everything here reads `report.frameworks` and `report.filters`: the
 * counts are computed once, by `frameworkViews`.
 */

/** Failing keys named in one table cell before "and N more" (frameworks.csv and report.json list them all). */
export const FAILING_KEYS_SHOWN = 10;

/** What a requirement without a text in the catalogue shows instead (never an invented text). */
export const NO_REQUIREMENT_TEXT = "(no text in kms-report's catalogue)";

/** `CIS Amazon Web Services Foundations Benchmark 3.0.0 (cis-3.0)`. */
export function frameworkTitle(view: FrameworkView): string {
  return `${view.framework}${view.version ? ` ${view.version}` : ''} (${view.id})`;
}

/** The sentence that says a report is filtered, or null for a full report. */
export function filtersText(report: MonthlyReport): string | null {
  if (!report.filters) return null;
  return `Filtered report: only the findings of ${describeFilter(report.filters)} are in this report, its files and its exit code (--fail-on); the counts and tables leave the others out.`;
}

function failingCell(rows: ReadonlyMap<string, KeyRow>, r: RequirementView, u: Escape): string {
  if (r.failingKeys.length === 0) return '';
  const names = r.failingKeys.slice(0, FAILING_KEYS_SHOWN).map((arn) => {
    const row = rows.get(arn);
    return u(row ? keyName(row) : arn);
  });
  const more = r.failingKeys.length - names.length;
  return `${names.join(', ')}${more > 0 ? `, and ${more} more` : ''}`;
}

/** One framework's table: a row per requirement. */
export function frameworkTable(report: MonthlyReport, view: FrameworkView, u: Escape): TableData {
  const keys = keysByArn(report);
  return {
    header: [
      'Requirement',
      'Text',
      'Rules',
      'Status',
      num('Fail'),
      num('Unknown'),
      num('Muted'),
      num('Pass'),
      num('N/A'),
      'Failing keys',
    ],
    rows: view.requirements.map((r) => [
      // Requirement ids are kms-report's own data (`3.6`): escaped for a table, not as a line start.
      r.requirement.replaceAll('|', '\\|'),
      r.text === null ? NO_REQUIREMENT_TEXT : u(r.text),
      r.ruleIds.join(', '),
      r.status,
      String(r.counts.FAIL),
      String(r.counts.UNKNOWN),
      String(r.counts.MUTED),
      String(r.counts.PASS),
      String(r.counts.NOT_APPLICABLE),
      failingCell(keys, r, u),
    ]),
  };
}

/** The sources of the requirement texts a view shows, once each. */
function sources(view: FrameworkView): string[] {
  return [...new Set(view.requirements.map((r) => r.source).filter((s): s is string => s !== null))];
}

/** report.md's "Frameworks" section; empty when no framework was asked for. */
export function frameworksMarkdown(report: MonthlyReport): string {
  if (!report.frameworks) return '';
  const lines = [
    '## Frameworks',
    '',
    'Each requirement with the rules that give evidence for it and their findings (one per key and rule); the status is the worst of them (FAIL, UNKNOWN, MUTED, PASS, N/A; NOT_EVALUATED when none ran).' +
      (report.filters ? ' Only the filtered findings are counted.' : ''),
    '',
  ];
  for (const view of report.frameworks) {
    lines.push(`### ${e(frameworkTitle(view))}`, '', markdownTable(frameworkTable(report, view, e)), '');
    const cited = sources(view);
    if (cited.length > 0) lines.push(`Texts: ${cited.map(e).join('; ')}.`, '');
  }
  return lines.join('\n');
}

/** report.md's notice that the report is filtered (a blockquote under the title); empty for a full report. */
export function filtersNotice(report: MonthlyReport): string {
  const text = filtersText(report);
  return text ? `> **${e(text.slice(0, text.indexOf(':')))}**${e(text.slice(text.indexOf(':')))}\n` : '';
}

const CSV_OPTIONS = { record_delimiter: 'windows', eof: true, quote_record_delimiter: true } as const;

/**
 * `frameworks.csv`: one row per framework and requirement, with the rules, the status, the
 * findings per status, every failing key (ARNs, space-separated) and, in a filtered report, the
 * filters (FILTER, as findings.csv).
 */
export function renderFrameworksCsv(report: MonthlyReport): string {
  const header = [
    'FRAMEWORK_ID',
    'FRAMEWORK',
    'VERSION',
    'REQUIREMENT',
    'REQUIREMENT_TEXT',
    'TEXT_SOURCE',
    'RULE_IDS',
    'STATUS',
    'FINDINGS_FAIL',
    'FINDINGS_UNKNOWN',
    'FINDINGS_MUTED',
    'FINDINGS_PASS',
    'FINDINGS_NOT_APPLICABLE',
    'FAILING_KEYS',
    'FILTER',
  ];
  // On every row of a filtered report, what it was narrowed by (empty for a full report).
  const filter = report.filters ? escapeCsvText(describeFilter(report.filters)) : '';
  const text = (s: string | null) => (s === null ? '' : escapeCsvText(s));
  const rows = (report.frameworks ?? []).flatMap((v) =>
    v.requirements.map((r) => [
      v.id,
      text(v.framework),
      text(v.version),
      text(r.requirement),
      text(r.text),
      text(r.source),
      r.ruleIds.join(' '),
      r.status,
      String(r.counts.FAIL),
      String(r.counts.UNKNOWN),
      String(r.counts.MUTED),
      String(r.counts.PASS),
      String(r.counts.NOT_APPLICABLE),
      text(r.failingKeys.join(' ')),
      filter,
    ]),
  );
  return stringify([header, ...rows], CSV_OPTIONS);
}
