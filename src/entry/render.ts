/**
 * `kms-report/render`: a built report (`buildMonthlyReport`, or `runMonthlyReport().report`) as
 * files. The Markdown, HTML and CSV renderers; the CSV and JSON chunkers for reports too large for
 * one string; the escapers that make text from AWS inert in each format; the HTML report's
 * Content-Security-Policy.
 *
 * `renderMonthlyReport` (the whole report set in memory) and `writeReportSet` are in the root.
 *
 * @example Render report.md, and write a large findings.csv in pieces
 * ```ts
 * import { TOOL_VERSION, writeReportSet } from 'kms-report';
 * import { findingsCsvChunks, jsonFileChunks, renderMarkdown } from 'kms-report/render';
 *
 * const markdown = renderMarkdown(report);
 * await writeReportSet('reports/111122223333/2026-10', [
 *   { name: 'findings.csv', contents: findingsCsvChunks(report) },
 *   { name: 'report.json', contents: jsonFileChunks(report) },
 * ], { generatedAt: report.generatedAt, toolVersion: TOOL_VERSION });
 * ```
 *
 * @packageDocumentation
 */

// Types the signatures above use (the root exports them too).
export * from './model.js';
