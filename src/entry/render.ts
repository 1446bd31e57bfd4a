/**
 * `kms-report/render`: a built report (`buildMonthlyReport`, or `runMonthlyReport().report`) as
 * files. The Markdown, HTML and CSV renderers; the findings for other tools (OCSF Compliance
 * Finding events, ASFF); the CSV and JSON chunkers for reports too large for one string; the escapers that make text from AWS inert in each format; the HTML report's
 * Content-Security-Policy.
 *
 * `renderMonthlyReport` (the whole report set in memory) and `writeReportSet` are in the root.
 *
 * @example Render report.md, and write a large findings.csv in pieces
 * ```ts
 * import { TOOL_VERSION, writeReportSet } from 'kms-report';
 * import { findingsCsvChunks, jsonFileChunks, renderMarkdown, rulesCsvChunks } from 'kms-report/render';
 *
 * const markdown = renderMarkdown(report);
 * await writeReportSet('reports/111122223333/2026-10', [
 *   { name: 'findings.csv', contents: findingsCsvChunks(report) },
 *   { name: 'rules.csv', contents: rulesCsvChunks(report) },
 *   { name: 'report.json', contents: jsonFileChunks(report) },
 * ], { generatedAt: report.generatedAt, toolVersion: TOOL_VERSION });
 * ```
 *
 * @packageDocumentation
 */

export {
  ASFF_LIMITS,
  ASFF_SCHEMA_VERSION,
  ASFF_STATUS,
  type AsffComplianceStatus,
  type AsffFinding,
  type AsffKmsKeyDetails,
  type AsffResource,
  type AsffSeverityLabel,
  type AsffWorkflowStatus,
  asffFileChunks,
  asffFindings,
  asffId,
  asffText,
} from '../report/asff.js';
export {
  accountNames,
  accountsInTotal,
  DEFAULT_OWNER_TAG,
  FIRST_ACTIONS_COUNT,
  FIRST_ACTIONS_FOR_COST,
  LATE_EVIDENCE_DAYS,
} from '../report/build.js';
export {
  costsCsvChunks,
  FINDINGS_CSV_ROWS,
  type FindingsCsvOptions,
  type FindingsCsvRows,
  findingsCsvChunks,
  keysCsvChunks,
  renderCostsCsv,
  renderFindingsCsv,
  renderKeysCsv,
  renderRulesCsv,
  rulesCsvChunks,
} from '../report/csv.js';
export {
  escapeCsvText,
  escapeHtml,
  escapeMarkdown,
  neutralizeFormula,
  showControlCharacters,
  terminalSafe,
} from '../report/escape.js';
export { HTML_REPORT_CSP, renderHtml } from '../report/html.js';
export { DEFAULT_MARKDOWN_TABLE_ROWS, type MarkdownOptions, renderMarkdown } from '../report/markdown.js';
export {
  OCSF_CLASS_UID,
  OCSF_SEVERITY,
  OCSF_STATUS,
  OCSF_VERSION,
  type OcsfComplianceFinding,
  ocsfEvents,
  ocsfFileChunks,
} from '../report/ocsf.js';
export { jsonChunks, jsonFileChunks } from '../util/json-chunks.js';
// Types its signatures use: the root's model (the root exports them too).
export * from './model.js';
