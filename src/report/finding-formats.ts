import type { ControlRef, Finding } from '../model/findings.js';
import type { KeyRow, MonthlyReport } from '../model/report.js';

/**
 * What the findings formats for other tools (OCSF, ASFF) share: which findings they carry, how a
 * control is named, and how a long array is written a piece at a time.
 */

/**
 * The findings OCSF and ASFF carry: every verdict of the report but NOT_APPLICABLE (a rule that
 * does not apply to a key is no compliance result; a finding that becomes not applicable is
 * resolved like one that disappears).
 */
export function* exportedFindings(report: MonthlyReport): Generator<Finding, void, undefined> {
  for (const f of report.findings) if (f.status !== 'NOT_APPLICABLE') yield f;
}

/**
 * A framework as a standard's name: `CIS Amazon Web Services Foundations Benchmark v3.0.0`, or the
 * name alone when unversioned.
 */
export function standardName(ref: Pick<ControlRef, 'framework' | 'version'>): string {
  return ref.version ? `${ref.framework} v${ref.version}` : ref.framework;
}

/** A requirement of a standard: `CIS Amazon Web Services Foundations Benchmark v3.0.0/3.6`. */
export function requirementName(ref: ControlRef): string {
  return `${standardName(ref)}/${ref.requirement}`;
}

/** The report's key rows by ARN (the key a finding is on; absent for a key the report only names). */
export function keysByArn(report: MonthlyReport): ReadonlyMap<string, KeyRow> {
  return new Map(report.keys.map((k) => [k.arn, k]));
}

/** Text is handed out once this many characters are gathered. */
const PIECE_LENGTH = 64 * 1024;

/**
 * A JSON array file, one element at a time and one a line: `[`, each element as
 * `JSON.stringify(e)`, `]`. Joined, the pieces parse to the elements; no piece holds much more
 * than one element, so a large estate's file is never one string (and a line is one finding, for
 * `grep` and diffs).
 */
export function* jsonArrayChunks(items: Iterable<unknown>): Generator<string, void, undefined> {
  let text = '[';
  let first = true;
  for (const item of items) {
    text += `${first ? '\n' : ',\n'}${JSON.stringify(item)}`;
    first = false;
    if (text.length >= PIECE_LENGTH) {
      yield text;
      text = '';
    }
  }
  yield `${text}${first ? ']\n' : '\n]\n'}`;
}
