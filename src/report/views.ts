import {
  type ControlRef,
  type Finding,
  type RuleId,
  type Severity,
  severityRank,
} from '../model/findings.js';
import type { KeyRow, MonthlyReport } from '../model/report.js';
import { compareText } from '../util/compare.js';
import { keyName } from './build.js';

/**
 * Lists derived from the report model that more than one renderer shows (report.md and
 * report.html): computed here once, so both show the same groups in the same order.
 */

/** Most severe first, then by rule, then by key. */
export function bySeverity(a: Finding, b: Finding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.keyArn, b.keyArn)
  );
}

/** One key's failing findings, together. */
export interface KeyFindings {
  readonly keyArn: string;
  /** The key's row, when the report lists the key. */
  readonly key: KeyRow | undefined;
  /** Its first alias, else its id (as the key table names it). */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /** The owner tag's value, or null. */
  readonly owner: string | null;
  /** Most severe first. */
  readonly findings: readonly Finding[];
  readonly worst: Severity;
}

/**
 * The findings of one status grouped by key: the keys with the most severe finding first (then
 * the most findings, then by name), each key's findings most severe first.
 */
export function findingsByKey(report: MonthlyReport, status: Finding['status'] = 'FAIL'): KeyFindings[] {
  const rows = new Map(report.keys.map((r) => [r.arn, r]));
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    if (f.status !== status) continue;
    const list = groups.get(f.keyArn);
    if (list) list.push(f);
    else groups.set(f.keyArn, [f]);
  }
  return [...groups.entries()]
    .map(([keyArn, list]): KeyFindings => {
      const findings = [...list].sort(bySeverity);
      const first = findings[0] as Finding;
      const key = rows.get(keyArn);
      return {
        keyArn,
        key,
        name: key ? keyName(key) : first.keyId || keyArn,
        account: first.account,
        region: first.region,
        owner: key?.owner ?? null,
        findings,
        worst: first.severity,
      };
    })
    .sort(
      (a, b) =>
        severityRank(a.worst) - severityRank(b.worst) ||
        b.findings.length - a.findings.length ||
        compareText(a.name, b.name) ||
        compareText(a.keyArn, b.keyArn),
    );
}

/** UNKNOWN findings of one key that share a reason (one missing piece of evidence): explained once. */
export interface UnknownGroup {
  readonly keyArn: string;
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly reason: string;
  /** The rules it left unjudged, in rule order. */
  readonly ruleIds: readonly RuleId[];
}

/** The UNKNOWN findings, one row per key and reason, in the order of the findings. */
export function unknownGroups(report: MonthlyReport): UnknownGroup[] {
  const rows = new Map(report.keys.map((r) => [r.arn, r]));
  const groups = new Map<string, { first: Finding; ruleIds: RuleId[] }>();
  for (const f of report.findings) {
    if (f.status !== 'UNKNOWN') continue;
    const id = `${f.keyArn}\u0000${f.reason}`;
    const group = groups.get(id);
    if (group) group.ruleIds.push(f.ruleId);
    else groups.set(id, { first: f, ruleIds: [f.ruleId] });
  }
  return [...groups.values()]
    .map(({ first, ruleIds }) => {
      const key = rows.get(first.keyArn);
      return {
        keyArn: first.keyArn,
        name: key ? keyName(key) : first.keyId || first.keyArn,
        account: first.account,
        region: first.region,
        reason: first.reason,
        ruleIds: [...ruleIds].sort(compareText),
      };
    })
    .sort(
      (a, b) =>
        compareText(a.account, b.account) ||
        compareText(a.region, b.region) ||
        compareText(a.name, b.name) ||
        compareText(a.reason, b.reason),
    );
}

/** One framework's requirements, each with the framework versions that number it so. */
export interface ControlGroup {
  readonly framework: string;
  /** `2.8 (1.2.0)`, `3.8 (1.4.0, 1.5.0, 2.0.0)`, `SC-12`. */
  readonly requirements: readonly string[];
}

/**
 * The controls of a finding by framework: each framework named once, each requirement once with
 * the versions that number it so (CIS renumbers the same requirement across versions).
 */
export function controlGroups(refs: readonly ControlRef[]): ControlGroup[] {
  const frameworks = new Map<string, Map<string, string[]>>();
  for (const c of refs) {
    const requirements = frameworks.get(c.framework) ?? new Map<string, string[]>();
    frameworks.set(c.framework, requirements);
    const versions = requirements.get(c.requirement) ?? [];
    requirements.set(c.requirement, versions);
    if (c.version) versions.push(c.version);
  }
  return [...frameworks.entries()].map(([framework, requirements]) => ({
    framework,
    requirements: [...requirements.entries()].map(([r, versions]) =>
      versions.length ? `${r} (${versions.join(', ')})` : r,
    ),
  }));
}

/** The controls as one line: `Framework A: r1, r2 (v1, v2); Framework B: r3`. */
export function controlsText(refs: readonly ControlRef[]): string {
  return controlGroups(refs)
    .map((g) => `${g.framework}: ${g.requirements.join(', ')}`)
    .join('; ');
}

/** Who owns the keys with failing findings: one entry per owner, the keys without one last (owner null). */
export interface OwnerLoad {
  readonly owner: string | null;
  readonly keys: number;
  readonly findings: number;
}

/** The owners of the keys with unmuted FAIL findings, the most findings first. */
export function ownersOfFailing(report: MonthlyReport): OwnerLoad[] {
  const loads = new Map<string | null, { keys: number; findings: number }>();
  for (const g of findingsByKey(report)) {
    const load = loads.get(g.owner) ?? { keys: 0, findings: 0 };
    loads.set(g.owner, { keys: load.keys + 1, findings: load.findings + g.findings.length });
  }
  return [...loads.entries()]
    .map(([owner, l]) => ({ owner, ...l }))
    .sort((a, b) =>
      a.owner === null || b.owner === null
        ? (a.owner === null ? 1 : 0) - (b.owner === null ? 1 : 0)
        : b.findings - a.findings || compareText(a.owner, b.owner),
    );
}
