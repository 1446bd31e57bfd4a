import {
  type ControlRef,
  type Finding,
  type RuleId,
  type Severity,
  severityRank,
} from '../model/findings.js';
import type { CostTotal, RequestTier } from '../model/pricing.js';
import type { AccountSummary, KeyRow, MonthlyReport } from '../model/report.js';
import { compareText, compositeKey } from '../util/compare.js';
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
    const id = compositeKey(f.keyArn, f.reason);
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

/** A right-aligned column: the trailing space in its header is the marker (report.md and report.html). */
export const num = (title: string): string => `${title} `;

/**
 * Makes text from the evidence inert in one format: report.md's escaper, or the identity for
 * report.html, whose table escapes every cell it draws.
 */
export type Escape = (text: string) => string;

/** A table both renderers draw: its header and its rows (cells of type `C`: text, or a format's own markup). */
export interface TableData<C = string> {
  readonly header: readonly string[];
  readonly rows: readonly (readonly C[])[];
}

/**
 * A table drawn in Markdown: cells already escaped (`u`), a header ending in a space
 * ({@link num}) right-aligned, an empty cell written as a space.
 */
export function markdownTable(t: TableData): string {
  const align = t.header.map((h) => (h.endsWith(' ') ? '---:' : '---'));
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.trim() || ' ').join(' | ')} |`;
  return [line(t.header), `|${align.join('|')}|`, ...t.rows.map(line)].join('\n');
}

/** Per account and region: whether the inventory was listed, and how many keys. */
export function inventoryCoverageTable(report: MonthlyReport, u: Escape): TableData {
  return {
    header: ['Account', 'Region', 'Inventory', num('Keys listed')],
    rows: report.coverage.regions.map((r) => [u(r.account), u(r.region), r.status, String(r.keysListed)]),
  };
}

/** Per account, region and source: how much of the request volume was read. */
export function usageCoverageTable(report: MonthlyReport, u: Escape): TableData {
  return {
    header: ['Account', 'Region', 'Request-volume source', 'Status', 'Detail'],
    rows: report.coverage.usage.map((c) => [u(c.account), u(c.region), c.source, c.status, u(c.detail)]),
  };
}

/** How much of CloudWatch's volume the per-key counts explain; null when no row has a count. */
export function reconciliationTable(report: MonthlyReport, u: Escape): TableData | null {
  const rec = report.coverage.reconciliation.filter((r) => r.cloudWatch > 0 || r.perKey > 0);
  if (rec.length === 0) return null;
  return {
    header: [
      'Account',
      'Region',
      'CloudWatch resource',
      num('CloudWatch'),
      num('Per key'),
      num('Unattributed'),
      num('Explained'),
    ],
    rows: rec.map((r) => [
      r.account,
      u(r.region),
      u(r.resource),
      r.cloudWatch.toLocaleString('en-US'),
      r.perKey.toLocaleString('en-US'),
      r.unattributed.toLocaleString('en-US'),
      r.attributedPercent === null ? 'n/a' : `${r.attributedPercent.toFixed(1)}%`,
    ]),
  };
}

/** The gaps shown (an organisation report names each one's account first, through `label`). */
export function gapsTable(
  report: MonthlyReport,
  gaps: readonly MonthlyReport['coverage']['gaps'][number][],
  label: (account: string) => string,
  u: Escape,
): TableData {
  const org = report.organization !== null;
  return {
    header: [...(org ? ['Account'] : []), 'Scope', 'Region', 'Key', 'Evidence', 'Call', 'Error', 'Message'],
    rows: gaps.map((g) => [
      ...(org ? [g.account ? label(g.account) : ''] : []),
      g.scope,
      u(g.region ?? ''),
      u(g.keyArn?.split('/').pop() ?? ''),
      u(g.field ?? ''),
      u(g.operation),
      u(g.errorCode),
      u(g.message),
    ]),
  };
}

/**
 * Every account of an organisation and what of it was read (`coverage` draws the coverage cell
 * in the format's own markup); null for a report of one account.
 */
export function accountCoverageTable<C>(
  report: MonthlyReport,
  label: (account: string) => string,
  coverage: (c: AccountSummary['coverage']) => C | string,
  u: Escape,
): TableData<C | string> | null {
  const org = report.organization;
  if (!org) return null;
  const regionCount = (account: string, ok: boolean) =>
    report.coverage.regions.filter((r) => r.account === account && (r.status !== 'failed') === ok).length;
  return {
    header: [
      'Account',
      'Coverage',
      num('Regions read'),
      num('Regions not read'),
      num('Gaps'),
      'Why not read',
    ],
    rows: org.accounts.map((a) => [
      label(a.account),
      coverage(a.coverage),
      String(regionCount(a.account, true)),
      String(regionCount(a.account, false)),
      String(a.gaps),
      u(
        report.coverage.gaps
          .filter((g) => g.scope === 'account' && g.account === a.account)
          .map((g) => `${g.operation}: ${g.errorCode}, ${g.message}`)
          .join('; '),
      ),
    ]),
  };
}

/** The suppressions past their expiry date, and how many failing findings each would mute. */
export function expiredSuppressionsTable(report: MonthlyReport, u: Escape): TableData {
  return {
    header: ['Rule', 'Keys', 'Justification', 'Owner', 'Ticket', 'Expired', num('Would mute')],
    rows: report.expiredSuppressions.map((s) => [
      s.ruleId,
      u(s.keyPattern),
      u(s.justification),
      u(s.owner),
      u(s.ticket),
      u(s.expires),
      String(s.wouldMute.length),
    ]),
  };
}

/** The muted findings shown, each with its suppression (`keyCell` names the key in the format). */
export function mutedTable(
  report: MonthlyReport,
  muted: readonly Finding[],
  label: (account: string) => string,
  keyCell: (keyArn: string) => string,
  u: Escape,
): TableData {
  const org = report.organization !== null;
  return {
    header: [...(org ? ['Account'] : []), 'Rule', 'Key', 'Justification', 'Owner', 'Ticket', 'Expires'],
    rows: muted.map((f) => [
      ...(org ? [label(f.account)] : []),
      f.ruleId,
      keyCell(f.keyArn),
      u(f.muted?.justification ?? ''),
      u(f.muted?.owner ?? ''),
      u(f.muted?.ticket ?? ''),
      u(f.muted?.expires ?? ''),
    ]),
  };
}

/** The unknown findings shown, one row per key and missing evidence (`keyCell` names the key). */
export function unknownTable(
  report: MonthlyReport,
  unknown: readonly UnknownGroup[],
  label: (account: string) => string,
  keyCell: (group: UnknownGroup) => string,
  u: Escape,
): TableData {
  const org = report.organization !== null;
  return {
    header: [...(org ? ['Account'] : []), 'Key', 'Region', 'Rules not judged', 'Why'],
    rows: unknown.map((g) => [
      ...(org ? [label(g.account)] : []),
      keyCell(g),
      u(g.region),
      g.ruleIds.join(', '),
      u(g.reason),
    ]),
  };
}

/** The unexpired suppressions that matched no failing finding, as one sentence (null when none). */
export function unusedSuppressionsText(report: MonthlyReport, u: Escape): string | null {
  if (report.unusedSuppressions.length === 0) return null;
  return `Suppressions that matched no failing finding: ${report.unusedSuppressions.map((s) => `${s.ruleId} ${u(s.keyPattern)}`).join('; ')}.`;
}

/** Human names of the request tiers, as the AWS pricing page words them. */
export const TIER_LABELS: Readonly<Record<RequestTier, string>> = {
  'KMS-Requests': 'symmetric requests',
  'KMS-Requests-Asymmetric-RSA_2048': 'asymmetric requests, RSA 2048',
  'KMS-Requests-Asymmetric': 'asymmetric requests, other specs',
  'KMS-Requests-GenerateDatakeyPair-ECC': 'GenerateDataKeyPair, ECC pairs',
  'KMS-Requests-GenerateDatakeyPair-RSA': 'GenerateDataKeyPair, RSA pairs',
};

/**
 * The parts of the month's cost, in the order report.md and report.html list them under "Where
 * the money goes" (the total is not among them: each renderer sets it apart).
 */
export function costBreakdownParts(report: MonthlyReport): { label: string; amount: CostTotal }[] {
  const c = report.summary.cost;
  return [
    { label: 'Key fees (prorated hourly)', amount: c.keyFees },
    { label: 'Rotation fees', amount: c.rotationFees },
    ...(Object.entries(c.requestsByTier) as [RequestTier, CostTotal][]).map(([tier, amount]) => ({
      label: `Requests: ${TIER_LABELS[tier]}`,
      amount,
    })),
    { label: 'Requests not attributed to a key (CloudWatch above CloudTrail)', amount: c.unattributed },
    { label: 'Free tier credit', amount: c.freeTierCredit },
  ];
}
