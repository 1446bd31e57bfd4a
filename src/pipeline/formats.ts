import { InputError } from '../errors.js';

/**
 * A file of the report set: report.md, the three CSVs, report.json, report.html; the findings for
 * other tools: findings.ocsf.json (OCSF Compliance Finding events) and findings.asff.json (AWS
 * Security Finding Format).
 */
export type ReportFormat = 'md' | 'csv' | 'json' | 'html' | 'ocsf' | 'asff';
/** Every format `--format` takes. */
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'csv', 'json', 'html', 'ocsf', 'asff'];
/** The formats written when none is asked for (report.html is written on request: `--format html`). */
export const DEFAULT_REPORT_FORMATS: readonly ReportFormat[] = ['md', 'csv', 'json'];

/**
 * A comma-separated format list (`md,csv`), each once; an unknown one is an {@link InputError}
 * naming `flag`.
 *
 * @example
 * ```ts
 * parseFormats('md, JSON,md'); // ['md', 'json']
 * ```
 */
export function parseFormats(input: string, flag = '--format'): ReportFormat[] {
  const formats = [...new Set(input.split(',').map((f) => f.trim().toLowerCase()))].filter(Boolean);
  const known = REPORT_FORMATS.join(', ');
  if (formats.length === 0) throw new InputError(flag, `expected one or more of ${known}`);
  for (const f of formats)
    if (!(REPORT_FORMATS as readonly string[]).includes(f))
      throw new InputError(flag, `unknown format "${f}" (expected ${known})`);
  return formats as ReportFormat[];
}
