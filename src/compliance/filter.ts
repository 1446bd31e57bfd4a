import { InputError } from '../errors.js';
import {
  type ComplianceResult,
  type Finding,
  type FindingStatus,
  RULE_IDS,
  type RuleId,
  type RuleTable,
  SEVERITIES,
  type Severity,
} from '../model/findings.js';
import type { FindingFilter } from '../model/frameworks.js';
import type { PreviousReport } from '../model/report-schema.js';

/**
 * The command line's filters (`--rules`, `--severity`, `--status`), as Prowler users know them:
 * they narrow what a report holds (and so what `--fail-on` sees). They are not suppressions:
 * those stay in the configuration file, with a justification and an expiry.
 */

/** What {@link parseFindingFilter} takes: each list optional, values as typed (case ignored). */
export interface FindingFilterOptions {
  readonly rules?: readonly string[];
  readonly severities?: readonly string[];
  readonly statuses?: readonly string[];
}

export const FINDING_STATUSES: readonly FindingStatus[] = [
  'FAIL',
  'UNKNOWN',
  'MUTED',
  'PASS',
  'NOT_APPLICABLE',
];

function pick<T extends string>(
  values: readonly string[] | undefined,
  valid: readonly T[],
  input: string,
  normalise: (v: string) => string,
): T[] | null {
  if (values === undefined) return null;
  const chosen: T[] = [];
  for (const raw of values) {
    const v = normalise(raw.trim());
    if (v === '') continue;
    const hit = valid.find((x) => x === v);
    if (hit === undefined)
      throw new InputError(input, `unknown value "${raw.trim()}"; expected one of ${valid.join(', ')}`);
    if (!chosen.includes(hit)) chosen.push(hit);
  }
  if (chosen.length === 0) throw new InputError(input, `name at least one of ${valid.join(', ')}`);
  // In the catalogue's order, whatever the order typed: the report says it the same way each time.
  return valid.filter((x) => chosen.includes(x));
}

/**
 * Checks the filters: an unknown rule id, severity or status is an {@link InputError} naming the
 * flag and listing the valid values. Null when no filter is given.
 *
 * @example
 * ```ts
 * parseFindingFilter({ rules: ['kms-pol-01'], statuses: ['fail'] });
 * // { rules: ['KMS-POL-01'], severities: null, statuses: ['FAIL'] }
 * ```
 */
export function parseFindingFilter(
  options: FindingFilterOptions | undefined,
  names: { rules: string; severities: string; statuses: string } = {
    rules: '--rules',
    severities: '--severity',
    statuses: '--status',
  },
): FindingFilter | null {
  if (!options) return null;
  const filter: FindingFilter = {
    rules: pick(options.rules, RULE_IDS, names.rules, (v) => v.toUpperCase()),
    severities: pick(options.severities, SEVERITIES, names.severities, (v) => v.toLowerCase()),
    statuses: pick(options.statuses, FINDING_STATUSES, names.statuses, (v) =>
      v.toUpperCase().replace(/-/g, '_'),
    ),
  };
  return filter.rules || filter.severities || filter.statuses ? filter : null;
}

/** Whether a finding passes every filter given. */
export function admits(filter: FindingFilter, f: Pick<Finding, 'ruleId' | 'severity' | 'status'>): boolean {
  return (
    (filter.rules === null || filter.rules.includes(f.ruleId)) &&
    (filter.severities === null || filter.severities.includes(f.severity)) &&
    (filter.statuses === null || filter.statuses.includes(f.status))
  );
}

/**
 * The compliance result narrowed to the findings the filter admits: the summary counts them, the
 * rule table and the suppression lists keep only the rules asked for (`--rules`).
 *
 * @example
 * ```ts
 * const judged = runCompliance(snapshot, { config, month: '2026-10', clock });
 * const failing = filterCompliance(judged, parseFindingFilter({ statuses: ['FAIL'], severities: ['critical', 'high'] }));
 * console.log(failing.summary.FAIL, Object.keys(failing.rules));
 * ```
 */
export function filterCompliance(result: ComplianceResult, filter: FindingFilter | null): ComplianceResult {
  if (!filter) return result;
  const findings = result.findings.filter((f) => admits(filter, f));
  const ruleKept = (id: RuleId) => filter.rules === null || filter.rules.includes(id);
  const summary: Record<FindingStatus, number> = {
    PASS: 0,
    FAIL: 0,
    NOT_APPLICABLE: 0,
    UNKNOWN: 0,
    MUTED: 0,
  };
  for (const f of findings) summary[f.status] += 1;
  const rules: RuleTable = Object.fromEntries(
    Object.entries(result.rules).filter(([id]) => ruleKept(id as RuleId)),
  );
  return {
    ...result,
    rules,
    findings,
    expiredSuppressions: result.expiredSuppressions.filter((s) => ruleKept(s.ruleId)),
    unusedSuppressions: result.unusedSuppressions.filter((s) => ruleKept(s.ruleId)),
    summary,
  };
}

/**
 * Last month's findings as this month's filter would have kept them (the severity is the one the
 * finding was written with, as this month's are judged; the rule's in this run's table for a
 * report written before findings carried it), so month over month compares like with like: a
 * FAIL left out by the filter is not "resolved".
 */
export function filterPrevious(
  previous: PreviousReport,
  filter: FindingFilter | null,
  rules: RuleTable,
): PreviousReport {
  if (!filter) return previous;
  return {
    ...previous,
    findings: previous.findings.filter((f) => {
      const severity: Severity | undefined = f.severity ?? rules[f.ruleId]?.severity;
      return (
        (filter.rules === null || filter.rules.includes(f.ruleId)) &&
        (filter.severities === null || (severity !== undefined && filter.severities.includes(severity))) &&
        (filter.statuses === null || (filter.statuses as readonly string[]).includes(f.status))
      );
    }),
  };
}

/** The filters as the report says them: `rules KMS-POL-01, KMS-POL-02; severity critical, high`. */
export function describeFilter(filter: FindingFilter): string {
  return [
    filter.rules ? `rules ${filter.rules.join(', ')}` : null,
    filter.severities ? `severity ${filter.severities.join(', ')}` : null,
    filter.statuses ? `status ${filter.statuses.join(', ')}` : null,
  ]
    .filter((s): s is string => s !== null)
    .join('; ');
}
