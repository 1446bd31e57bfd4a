import type { ComplianceResult, Finding, FindingStatus, Severity } from '../model/findings.js';
import { SEVERITIES } from '../model/findings.js';
import type { Gap, InventorySnapshot, KeyRecord } from '../model/inventory.js';
import { collectedValue } from '../model/observed.js';
import type { CostLine, CostTotal, Money, MonthCost, RequestTier } from '../model/pricing.js';
import { REQUEST_TIERS } from '../model/pricing.js';
import {
  type AccountCoverage,
  type AccountSummary,
  type CostSummary,
  type KeyRow,
  type MonthlyReport,
  type MonthOverMonth,
  type OrganizationView,
  type OuSummary,
  REPORT_KIND,
  REPORT_SCHEMA_VERSION,
  type WasteRow,
} from '../model/report.js';
import type { MonthUsage, ReconciliationRow, UsageCoverage } from '../model/usage.js';
import { dec, sumMoney, sumTotals, toMoney, totalOf } from '../pricing/money.js';
import { usageAssumptionsFor } from '../usage/assumptions.js';
import { compareText } from '../util/compare.js';
import { TOOL_VERSION } from '../version.js';

export interface BuildReportInput {
  readonly month: string;
  readonly monthToDate: boolean;
  readonly period: { readonly start: string; readonly end: string };
  readonly snapshot: InventorySnapshot;
  readonly usage: MonthUsage | null;
  /** Per account and region: how much of CloudWatch's volume the per-key counts explain. */
  readonly reconciliation?: readonly ReconciliationRow[];
  readonly cost: MonthCost;
  readonly compliance: ComplianceResult;
  /** Keys of the snapshot left out because they were created after the month. */
  readonly keysCreatedAfterMonth?: readonly string[];
  /** Last month's report, for the month-over-month section. */
  readonly previous?: MonthlyReport | null;
  /** Why last month's report, though present, could not be compared (said in the report). */
  readonly previousProblem?: string | null;
  readonly generatedAt: string;
  readonly demo?: boolean;
}

/** How many keys the "most expensive" list shows. */
export const MOST_EXPENSIVE_COUNT = 10;

const STATUSES: readonly FindingStatus[] = ['FAIL', 'UNKNOWN', 'MUTED', 'PASS', 'NOT_APPLICABLE'];

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => compareText(a, b)));
}

/** The sum of some lines' amounts, or null when one of them is unknown. */
function knownSum(lines: readonly CostLine[]): Money | null {
  return lines.some((l) => l.amount === null) ? null : sumMoney(lines.map((l) => l.amount as Money));
}

const isPositive = (m: Money) => dec(m).greaterThan(0);

/** A key's display name: its first alias, else its id. */
export function keyName(row: { aliases: readonly string[]; keyId: string }): string {
  return row.aliases[0] ?? row.keyId;
}

function keyRows(
  input: BuildReportInput,
  ours: ReadonlySet<string>,
  failingByKey: ReadonlyMap<string, number>,
): KeyRow[] {
  const byArn = new Map<string, KeyRecord>(input.snapshot.keys.map((k) => [k.arn, k]));
  const names = accountNames(input.snapshot);
  return input.cost.keys
    .filter((k) => ours.has(k.account))
    .map((k): KeyRow => {
      const record = byArn.get(k.keyArn);
      const meta = record ? collectedValue(record.metadata) : undefined;
      const billedHere = k.lines.filter((l) => ours.has(l.account));
      const requestLines = billedHere.filter((l) => l.kind === 'requests');
      const total = totalOf(billedHere);
      return {
        arn: k.keyArn,
        keyId: k.keyId,
        account: k.account,
        accountName: names.get(k.account) ?? null,
        region: k.region,
        aliases: (record && collectedValue(record.aliases)) ?? [],
        description: meta?.description ?? '',
        keySpec: k.keySpec,
        keyState: meta?.keyState ?? (k.source === 'lifecycle-events' ? 'Deleted' : null),
        keyManager: k.keyManager,
        multiRegionRole: k.multiRegionRole,
        creationDate: meta?.creationDate ?? null,
        tags: (record && collectedValue(record.tags)) ?? [],
        source: k.source,
        billableHours: k.billableHours,
        keyFee: knownSum(billedHere.filter((l) => l.kind === 'key-fee')),
        rotationFee: knownSum(billedHere.filter((l) => l.kind === 'rotation-fee')),
        requests: knownSum(requestLines),
        requestCount: requestLines.some((l) => l.quantity === null)
          ? null
          : requestLines.reduce((n, l) => n + Number(l.quantity), 0),
        total: total.amount,
        totalComplete: total.complete,
        failing: failingByKey.get(k.keyArn) ?? 0,
      };
    });
}

function costSummary(cost: MonthCost, ours: ReadonlySet<string>): CostSummary {
  const keyLines = cost.keys.flatMap((k) => k.lines);
  const all = [...keyLines, ...cost.accountRequests, ...cost.unattributed, ...cost.credits];
  const billed = all.filter((l) => ours.has(l.account));
  const sumOf = (lines: readonly CostLine[]) => totalOf(lines);
  const requestsByTier = Object.fromEntries(
    REQUEST_TIERS.map((tier) => [
      tier,
      sumOf(billed.filter((l) => l.kind === 'requests' && l.tier === tier)),
    ]),
  ) as Record<RequestTier, CostTotal>;
  // Requests other accounts made on these accounts' keys (billed to them, shown for information).
  const ownKeys = new Set(cost.keys.filter((k) => ours.has(k.account)).map((k) => k.keyArn));
  const theirs = keyLines.filter(
    (l) => l.kind === 'requests' && !ours.has(l.account) && ownKeys.has(l.keyArn ?? ''),
  );
  return {
    total: totalOf(billed),
    keyFees: sumOf(billed.filter((l) => l.kind === 'key-fee')),
    rotationFees: sumOf(billed.filter((l) => l.kind === 'rotation-fee')),
    requestsByTier,
    unattributed: sumOf(billed.filter((l) => l.kind === 'unattributed-requests')),
    freeTierCredit: sumOf(billed.filter((l) => l.kind === 'free-tier-credit')),
    billedToOtherAccounts: sumOf(theirs),
  };
}

function waste(rows: readonly KeyRow[], findings: readonly Finding[]): WasteRow[] {
  const reasons = new Map<string, string[]>();
  const add = (arn: string, reason: string) => reasons.set(arn, [...(reasons.get(arn) ?? []), reason]);
  for (const f of findings) {
    if (f.status !== 'FAIL' && f.status !== 'MUTED') continue;
    if (f.ruleId === 'KMS-LIFE-01') add(f.keyArn, 'disabled all month, still billed');
    if (f.ruleId === 'KMS-LIFE-02') add(f.keyArn, `unused: ${f.reason}`);
  }
  for (const row of rows) {
    if (row.keyState !== 'PendingDeletion') continue;
    const details = findings.find((f) => f.keyArn === row.arn && f.ruleId === 'KMS-DEL-01')?.details;
    const date = details?.deletionDate;
    const daysLeft = details?.daysLeft;
    add(
      row.arn,
      typeof date === 'string'
        ? `pending deletion: deleted on ${date.slice(0, 10)}${typeof daysLeft === 'number' ? ` (${daysLeft} days after the evidence was collected)` : ''}`
        : 'pending deletion',
    );
  }
  return rows
    .filter((r) => reasons.has(r.arn))
    .map((r) => ({
      arn: r.arn,
      name: keyName(r),
      reason: (reasons.get(r.arn) ?? []).join('; '),
      cost: r.total,
    }))
    .sort((a, b) => dec(b.cost).comparedTo(a.cost) || compareText(a.arn, b.arn));
}

/**
 * Whether the request-volume sources that were chosen were read in full. A source listed as
 * `not-collected` was not asked for (the coverage names it so the reader knows); it is not a gap.
 */
function usageReadInFull(coverage: readonly UsageCoverage[]): boolean {
  const chosen = coverage.filter((c) => c.status !== 'not-collected');
  return chosen.length > 0 && chosen.every((c) => c.status === 'complete');
}

/** Account id → name, for organisation-wide snapshots. */
export function accountNames(snapshot: InventorySnapshot): Map<string, string> {
  const names = new Map<string, string>();
  for (const a of snapshot.organization?.accounts ?? []) if (a.name) names.set(a.id, a.name);
  return names;
}

function organizationView(
  snapshot: InventorySnapshot,
  usage: MonthUsage | null,
  cost: MonthCost,
  findings: readonly Finding[],
): OrganizationView | null {
  const org = snapshot.organization;
  if (!org) return null;
  const gapsOf = (account: string) => snapshot.gaps.filter((g: Gap) => g.account === account);
  const accounts = org.accounts
    .map((a): AccountSummary => {
      const mine = findings.filter((f) => f.account === a.id);
      const failing = mine.filter((f) => f.status === 'FAIL');
      const gaps = gapsOf(a.id);
      const usageOf = (usage?.coverage ?? []).filter((c) => c.account === a.id);
      const coverage: AccountCoverage =
        a.status === 'failed'
          ? 'failed'
          : gaps.length === 0 && usage !== null && usageReadInFull(usageOf)
            ? 'complete'
            : 'partial';
      return {
        account: a.id,
        name: a.name,
        ou: a.ou,
        coverage,
        keys: snapshot.keys.filter((k) => k.account === a.id).length,
        total: cost.accounts.find((c) => c.account === a.id)?.total ?? totalOf([]),
        failingBySeverity: Object.fromEntries(
          SEVERITIES.map((s) => [s, failing.filter((f) => f.severity === s).length]),
        ) as Record<Severity, number>,
        failing: failing.length,
        unknown: mine.filter((f) => f.status === 'UNKNOWN').length,
        gaps: gaps.length,
      };
    })
    .sort((a, b) => compareText(a.account, b.account));
  const ous: OuSummary[] = [];
  if (accounts.some((a) => a.ou !== null)) {
    const groups = new Map<string, AccountSummary[]>();
    for (const a of accounts) {
      const id = a.ou?.id ?? '';
      groups.set(id, [...(groups.get(id) ?? []), a]);
    }
    for (const list of groups.values())
      ous.push({
        ou: list[0]?.ou ?? null,
        accounts: list.length,
        keys: list.reduce((n, a) => n + a.keys, 0),
        total: sumTotals(list.map((a) => a.total)),
        failing: list.reduce((n, a) => n + a.failing, 0),
      });
    // Named OUs by name, the unknown ones last.
    ous.sort((a, b) =>
      a.ou && b.ou ? compareText(a.ou.name, b.ou.name) || compareText(a.ou.id, b.ou.id) : a.ou ? -1 : 1,
    );
  }
  return { id: org.id, callerAccount: org.callerAccount, accounts, ous };
}

const failingKey = (f: { ruleId: string; keyArn: string }) => `${f.ruleId} ${f.keyArn}`;

function monthOverMonth(current: MonthlyReport, previous: MonthlyReport): MonthOverMonth {
  const before = new Set(previous.keys.map((k) => k.arn));
  const now = new Set(current.keys.map((k) => k.arn));
  const failingBefore = new Map(
    previous.findings.filter((f) => f.status === 'FAIL').map((f) => [failingKey(f), f]),
  );
  const failingNow = new Map(
    current.findings.filter((f) => f.status === 'FAIL').map((f) => [failingKey(f), f]),
  );
  const pick = (f: Finding) => ({ ruleId: f.ruleId, keyArn: f.keyArn });
  return {
    previousMonth: previous.month,
    keysAdded: [...now].filter((a) => !before.has(a)).sort(),
    keysRemoved: [...before].filter((a) => !now.has(a)).sort(),
    previousTotal: previous.summary.cost.total.amount,
    totalChange: toMoney(dec(current.summary.cost.total.amount).minus(previous.summary.cost.total.amount)),
    findingsOpened: [...failingNow].filter(([k]) => !failingBefore.has(k)).map(([, f]) => pick(f)),
    findingsResolved: [...failingBefore].filter(([k]) => !failingNow.has(k)).map(([, f]) => pick(f)),
  };
}

/**
 * Assembles the monthly report from its evidence and judgements: inventory, usage, the
 * priced month and the compliance findings. Pure: the same input gives the same report.
 *
 * @example
 * ```ts
 * const report = buildMonthlyReport({ month: '2026-10', monthToDate: false, period, snapshot, usage,
 *   cost: priceMonth({ month: '2026-10', snapshot, usage, tables }),
 *   compliance: runCompliance(snapshot, { config, usage, month: '2026-10', clock }),
 *   generatedAt: new Date().toISOString() });
 * ```
 */
export function buildMonthlyReport(input: BuildReportInput): MonthlyReport {
  const { snapshot, cost, compliance } = input;
  const ours = new Set(snapshot.accounts);
  const findings = compliance.findings.filter((f) => ours.has(f.account));
  const failingByKey = new Map<string, number>();
  for (const f of findings)
    if (f.status === 'FAIL') failingByKey.set(f.keyArn, (failingByKey.get(f.keyArn) ?? 0) + 1);
  const rows = keyRows(input, ours, failingByKey);
  const summaryCost = costSummary(cost, ours);

  const byStatus = Object.fromEntries(
    STATUSES.map((s) => [s, findings.filter((f) => f.status === s).length]),
  ) as Record<FindingStatus, number>;
  const failingBySeverity = Object.fromEntries(
    SEVERITIES.map((s) => [s, findings.filter((f) => f.status === 'FAIL' && f.severity === s).length]),
  ) as Record<Severity, number>;
  const usageCoverage = input.usage?.coverage ?? [];
  const usageSources = [
    ...new Set(usageCoverage.filter((c) => c.status !== 'not-collected').map((c) => c.source)),
  ].sort();
  const snapshotKeys = snapshot.keys.map((k) => collectedValue(k.metadata));

  const report: MonthlyReport = {
    kind: REPORT_KIND,
    schemaVersion: REPORT_SCHEMA_VERSION,
    month: input.month,
    monthToDate: input.monthToDate,
    period: input.period,
    generatedAt: input.generatedAt,
    tool: { name: 'kms-report', version: TOOL_VERSION },
    demo: input.demo ?? false,
    scope: {
      partition: snapshot.partition,
      accounts: [...snapshot.accounts],
      regions: [...new Set(snapshot.regions.map((r) => r.region))].sort(),
    },
    evidence: {
      collectedAt: snapshot.collection,
      pricingTable: cost.table,
      usageSources,
      usageAssumptions: usageAssumptionsFor(usageSources),
    },
    coverage: {
      complete: snapshot.gaps.length === 0 && input.usage !== null && usageReadInFull(usageCoverage),
      regions: snapshot.regions,
      usage: usageCoverage,
      gaps: snapshot.gaps,
      keysCreatedAfterMonth: input.keysCreatedAfterMonth ?? [],
      reconciliation: input.reconciliation ?? [],
    },
    summary: {
      cost: summaryCost,
      keys: {
        total: snapshot.keys.length,
        byManager: countBy(snapshotKeys, (m) => m?.keyManager ?? 'unknown'),
        byState: countBy(snapshotKeys, (m) => m?.keyState ?? 'unknown'),
        bySpec: countBy(snapshotKeys, (m) => m?.keySpec ?? 'unknown'),
      },
      findings: { byStatus, failingBySeverity },
      mostExpensive: rows
        .filter((r) => isPositive(r.total))
        .sort((a, b) => dec(b.total).comparedTo(a.total) || compareText(a.arn, b.arn))
        .slice(0, MOST_EXPENSIVE_COUNT)
        .map((r) => r.arn),
      waste: waste(rows, findings),
    },
    keys: rows,
    findings,
    expiredSuppressions: compliance.expiredSuppressions,
    unusedSuppressions: compliance.unusedSuppressions,
    monthOverMonth: null,
    monthOverMonthNote: input.previous ? null : (input.previousProblem ?? null),
    organization: organizationView(snapshot, input.usage, cost, findings),
    cost,
  };
  return input.previous ? { ...report, monthOverMonth: monthOverMonth(report, input.previous) } : report;
}
