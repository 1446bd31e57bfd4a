import { adviseMonth, accountsInTotal as inTotalOf } from '../advice/index.js';
import { filterPrevious } from '../compliance/filter.js';
import { frameworkViews } from '../compliance/frameworks.js';
import {
  type ComplianceResult,
  type Finding,
  type FindingStatus,
  failingBySeverity,
  type RuleId,
  type RuleTable,
  ruleOf,
  type Severity,
  severityRank,
} from '../model/findings.js';
import type { FindingFilter } from '../model/frameworks.js';
import type { Gap, InventorySnapshot, KeyRecord } from '../model/inventory.js';
import { collectedValue } from '../model/observed.js';
import type { CostLine, CostTotal, Money, MonthCost, RequestTier } from '../model/pricing.js';
import { accountLevelLines, REQUEST_TIERS } from '../model/pricing.js';
import type { BillReconciliation } from '../model/reconciliation.js';
import {
  type AccountCoverage,
  type AccountSummary,
  type CostSummary,
  type FirstAction,
  type KeyRow,
  type LateEvidence,
  type MonthlyReport,
  type MonthOverMonth,
  type OrganizationView,
  type OuSummary,
  REPORT_KIND,
  REPORT_SCHEMA_VERSION,
  type WasteRow,
} from '../model/report.js';
import type { PreviousReport } from '../model/report-schema.js';
import type { MonthUsage, ReconciliationRow, UsageCoverage } from '../model/usage.js';
import { usageAssumptionsFor } from '../model/usage-assumptions.js';
import { dec, sumMoney, sumTotals, toMoney, totalOf } from '../pricing/money.js';
import { compareText, groupBy } from '../util/compare.js';
import { DAY_MS } from '../util/month.js';
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
  /** Last month's report, for the month-over-month section (only what it reads: see `previousReportSchema`). */
  readonly previous?: PreviousReport | null;
  /** Why last month's report, though present, could not be compared (said in the report). */
  readonly previousProblem?: string | null;
  readonly generatedAt: string;
  readonly demo?: boolean;
  /** The tag whose value is a key's owner (the compliance configuration's `ownerTag`). Default `Owner`. */
  readonly ownerTag?: string;
  /** The filters `compliance` was narrowed by (`filterCompliance`), recorded in the report; last month's findings are narrowed alike. */
  readonly filters?: FindingFilter | null;
  /** Framework ids (`cis-3.0`) whose tables the report carries. */
  readonly frameworks?: readonly string[] | null;
  /** The estimate beside the month's bill (`reconcileBill`), when a bill was read. */
  readonly bill?: BillReconciliation | null;
  /** The ECC GenerateDataKeyPair price per 10,000 requests by region, for the ECC recommendation's saving (else unknown). */
  readonly eccPairPricesPer10k?: Readonly<Record<string, Money>>;
}

/** The owner tag when none is configured. */
export const DEFAULT_OWNER_TAG = 'Owner';

/** How many keys the "most expensive" list shows. */
const MOST_EXPENSIVE_COUNT = 10;

/**
 * Days after the month's end past which the report warns that its evidence is late: a key
 * deleted after the month (the shortest deletion window is 7 days, so a key scheduled for
 * deletion on the month's last day can be gone on the 8th) is missing from a later inventory,
 * with its fee and findings, unless the month's lifecycle events name it.
 */
export const LATE_EVIDENCE_DAYS = 7;

/** The late-evidence warning, or null when the inventory was taken within {@link LATE_EVIDENCE_DAYS} of the month's end. */
function lateEvidence(month: string, periodEnd: string, collectedAt: string): LateEvidence | null {
  const after = Date.parse(collectedAt) - Date.parse(periodEnd);
  if (!(after > LATE_EVIDENCE_DAYS * DAY_MS)) return null;
  const days = Math.floor(after / DAY_MS);
  return {
    daysAfterMonthEnd: days,
    limitDays: LATE_EVIDENCE_DAYS,
    warning: `The inventory was taken on ${collectedAt.slice(0, 10)}, ${days} days after ${month} ended (more than ${LATE_EVIDENCE_DAYS}): keys deleted since the month's end are not in it, so their fee is counted only where the month's lifecycle events name them, and their findings are missing. To avoid this, run the report on the 1st of the next month (\`kms-report --month\` reports the previous month).`,
  };
}

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

/** The value of a key's owner tag (tag keys are case-sensitive); null when absent or blank. */
function ownerOf(tags: readonly { key: string; value: string }[], ownerTag: string): string | null {
  const value = tags.find((t) => t.key === ownerTag)?.value.trim();
  return value ? value : null;
}

/** A key's display name: its first alias, else its id. */
export function keyName(row: { aliases: readonly string[]; keyId: string }): string {
  return row.aliases[0] ?? row.keyId;
}

/**
 * The accounts whose bill makes the month's figure ({@link MonthCost.total}): those the inventory
 * covers. A line is in the report's total exactly when the account it is billed to is here.
 */
export function accountsInTotal(cost: MonthCost): ReadonlySet<string> {
  return inTotalOf(cost);
}

/** The lines of the report's total that could not be priced ("Could not be priced" in report.md and report.html). */
export function unknownLinesInTotal(cost: MonthCost): CostLine[] {
  const inTotal = accountsInTotal(cost);
  return [...cost.keys.flatMap((k) => k.lines), ...accountLevelLines(cost)].filter(
    (l) => l.amount === null && inTotal.has(l.account),
  );
}

function keyRows(
  input: BuildReportInput,
  ours: ReadonlySet<string>,
  inTotal: ReadonlySet<string>,
  failingByKey: ReadonlyMap<string, number>,
  ownerTag: string,
): KeyRow[] {
  const byArn = new Map<string, KeyRecord>(input.snapshot.keys.map((k) => [k.arn, k]));
  const names = accountNames(input.snapshot);
  return (
    input.cost.keys
      // These accounts' keys, and other accounts' keys they were billed for using.
      .filter((k) => ours.has(k.account) || k.lines.some((l) => inTotal.has(l.account)))
      .map((k): KeyRow => {
        const record = byArn.get(k.keyArn);
        const meta = record ? collectedValue(record.metadata) : undefined;
        const billedHere = k.lines.filter((l) => inTotal.has(l.account));
        const requestLines = billedHere.filter((l) => l.kind === 'requests');
        const tags = (record && collectedValue(record.tags)) ?? [];
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
          tags,
          owner: ownerOf(tags, ownerTag),
          source: k.source,
          billableHours: k.billableHours,
          keyFee: knownSum(billedHere.filter((l) => l.kind === 'key-fee')),
          rotationFee: knownSum(billedHere.filter((l) => l.kind === 'rotation-fee')),
          requests: knownSum(requestLines),
          requestCount: requestLines.some((l) => l.quantity === null)
            ? null
            : requestLines.reduce((n, l) => n + Number(l.quantity), 0),
          total: k.total.amount,
          totalComplete: k.total.complete,
          failing: failingByKey.get(k.keyArn) ?? 0,
        };
      })
  );
}

function costSummary(cost: MonthCost, inTotal: ReadonlySet<string>): CostSummary {
  const keyLines = cost.keys.flatMap((k) => k.lines);
  const all = [...keyLines, ...accountLevelLines(cost)];
  // The parts of the total: the lines billed to the accounts in it.
  const billed = all.filter((l) => inTotal.has(l.account));
  const sumOf = (lines: readonly CostLine[]) => totalOf(lines);
  const requestsByTier = Object.fromEntries(
    REQUEST_TIERS.map((tier) => [
      tier,
      sumOf(billed.filter((l) => l.kind === 'requests' && l.tier === tier)),
    ]),
  ) as Record<RequestTier, CostTotal>;
  return {
    // The month's figure, as the pricing engine defines it: never recomputed here.
    total: cost.total,
    keyFees: sumOf(billed.filter((l) => l.kind === 'key-fee')),
    rotationFees: sumOf(billed.filter((l) => l.kind === 'rotation-fee')),
    requestsByTier,
    unattributed: sumOf(billed.filter((l) => l.kind === 'unattributed-requests')),
    freeTierCredit: sumOf(billed.filter((l) => l.kind === 'free-tier-credit')),
    billedToOtherAccounts: cost.billedToOtherAccounts,
  };
}

function waste(rows: readonly KeyRow[], findings: readonly Finding[]): WasteRow[] {
  const reasons = new Map<string, string[]>();
  const add = (arn: string, reason: string) => {
    const list = reasons.get(arn);
    if (list) list.push(reason);
    else reasons.set(arn, [reason]);
  };
  // Each key's first KMS-DEL-01 finding, looked up by key below (one pass, not a scan per key).
  const deletion = new Map<string, Finding>();
  for (const f of findings) {
    if (f.ruleId === 'KMS-DEL-01' && !deletion.has(f.keyArn)) deletion.set(f.keyArn, f);
    if (f.status !== 'FAIL' && f.status !== 'MUTED') continue;
    if (f.ruleId === 'KMS-LIFE-01') add(f.keyArn, 'disabled all month, still billed');
    if (f.ruleId === 'KMS-LIFE-02') add(f.keyArn, `unused: ${f.reason}`);
  }
  for (const row of rows) {
    if (row.keyState !== 'PendingDeletion') continue;
    const details = deletion.get(row.arn)?.details;
    const date = details?.deletionDate;
    const daysLeft = details?.daysLeft;
    add(
      row.arn,
      typeof date === 'string'
        ? `pending deletion: deleted on ${date.slice(0, 10)}${typeof daysLeft === 'number' ? ` (${daysLeft} days after the evidence was collected)` : ''}`
        : 'pending deletion',
    );
  }
  return byCostThenArn(
    rows
      .filter((r) => reasons.has(r.arn))
      .map((r) => ({
        arn: r.arn,
        name: keyName(r),
        reason: (reasons.get(r.arn) ?? []).join('; '),
        cost: r.total,
      })),
    (r) => r.cost,
  );
}

/**
 * Sorts most costly first, then by ARN: each amount read as a decimal once, not at every
 * comparison. Stable, as `Array#sort`.
 */
function byCostThenArn<T extends { arn: string }>(items: T[], cost: (item: T) => Money): T[] {
  const amounts = new Map<T, ReturnType<typeof dec>>();
  for (const item of items) amounts.set(item, dec(cost(item)));
  return items.sort(
    (a, b) =>
      (amounts.get(b) as ReturnType<typeof dec>).comparedTo(amounts.get(a) as ReturnType<typeof dec>) ||
      compareText(a.arn, b.arn),
  );
}

/** Rules whose failing keys cost money for nothing: their actions say what those keys cost. */
const WASTE_RULES: ReadonlySet<RuleId> = new Set<RuleId>(['KMS-LIFE-01', 'KMS-LIFE-02']);

/** How many fixes "what to do first" lists: the most severe, then the costliest. */
export const FIRST_ACTIONS_COUNT = 5;
/** Of those, at most this many chosen for the money their keys waste. */
export const FIRST_ACTIONS_FOR_COST = 2;

/**
 * "What to do first": one action per failing rule (its fix, for every key that fails it), the
 * most severe first (then the one that clears the most findings); up to
 * {@link FIRST_ACTIONS_FOR_COST} of the places are kept for the rules whose keys cost the most
 * money for nothing, when those are not already listed.
 */
export function firstActions(
  rows: readonly KeyRow[],
  findings: readonly Finding[],
  rules: RuleTable,
): FirstAction[] {
  const byArn = new Map(rows.map((r) => [r.arn, r]));
  const byRule = new Map<RuleId, Finding[]>();
  for (const f of findings) {
    if (f.status !== 'FAIL') continue;
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  }
  const actions = [...byRule.values()].map((list) => {
    const first = list[0] as Finding;
    const severity = list
      .map((f) => f.severity)
      .sort((a, b) => severityRank(a) - severityRank(b))[0] as Severity;
    const keyArns = [...new Set(list.map((f) => f.keyArn))];
    const owners = [...new Set(keyArns.map((a) => byArn.get(a)?.owner).filter((o): o is string => !!o))].sort(
      compareText,
    );
    const wastedCost = WASTE_RULES.has(first.ruleId)
      ? sumMoney(keyArns.map((a) => byArn.get(a)?.total ?? '0'))
      : null;
    const rule = ruleOf(rules, first.ruleId);
    return {
      ruleId: first.ruleId,
      title: rule.title,
      severity,
      fix: rule.remediation.text,
      keyArns,
      owners,
      findings: list.length,
      wastedCost,
    };
  });
  const bySeverity = [...actions].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      b.findings - a.findings ||
      compareText(a.ruleId, b.ruleId),
  );
  const byCost = actions
    .filter((a) => a.wastedCost !== null && isPositive(a.wastedCost))
    .sort(
      (a, b) => dec(b.wastedCost ?? '0').comparedTo(a.wastedCost ?? '0') || compareText(a.ruleId, b.ruleId),
    )
    .slice(0, FIRST_ACTIONS_FOR_COST);
  const severe = bySeverity
    .filter((a) => !byCost.includes(a))
    .slice(0, Math.max(0, FIRST_ACTIONS_COUNT - byCost.length));
  // Each rule once: one kept for its cost is not among the severe.
  return [
    ...severe.map((a): FirstAction => ({ ...a, why: 'severity' })),
    ...byCost.map((a): FirstAction => ({ ...a, why: 'cost' })),
  ];
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
  // Grouped by account once: an organisation of many accounts is not one scan per account.
  const gapsBy = groupBy(snapshot.gaps, (g: Gap) => g.account ?? '');
  const findingsBy = groupBy(findings, (f) => f.account);
  const coverageBy = groupBy(usage?.coverage ?? [], (c) => c.account);
  const keysBy = new Map<string, number>();
  for (const k of snapshot.keys) keysBy.set(k.account, (keysBy.get(k.account) ?? 0) + 1);
  const totalBy = new Map<string, CostTotal>();
  for (const c of cost.byBilledAccount) if (!totalBy.has(c.account)) totalBy.set(c.account, c.total);
  const accounts = org.accounts
    .map((a): AccountSummary => {
      const mine = findingsBy.get(a.id) ?? [];
      const failing = mine.filter((f) => f.status === 'FAIL');
      const gaps = gapsBy.get(a.id) ?? [];
      const usageOf = coverageBy.get(a.id) ?? [];
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
        keys: keysBy.get(a.id) ?? 0,
        total: totalBy.get(a.id) ?? totalOf([]),
        failingBySeverity: failingBySeverity(failing),
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
      const list = groups.get(id);
      if (list) list.push(a);
      else groups.set(id, [a]);
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

function monthOverMonth(current: MonthlyReport, previous: PreviousReport): MonthOverMonth {
  const before = new Set(previous.keys.map((k) => k.arn));
  const now = new Set(current.keys.map((k) => k.arn));
  const failingBefore = new Map(
    previous.findings.filter((f) => f.status === 'FAIL').map((f) => [failingKey(f), f]),
  );
  const failingNow = new Map(
    current.findings.filter((f) => f.status === 'FAIL').map((f) => [failingKey(f), f]),
  );
  const pick = (f: { ruleId: RuleId; keyArn: string }) => ({ ruleId: f.ruleId, keyArn: f.keyArn });
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
  const inTotal = accountsInTotal(cost);
  const ownerTag = input.ownerTag ?? DEFAULT_OWNER_TAG;
  const rows = keyRows(input, ours, inTotal, failingByKey, ownerTag);
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
    evidence: evidenceOf(input),
    coverage: coverageOf(input),
    summary: summaryOf(input, rows, findings, inTotal),
    ownerTag,
    keys: rows,
    rules: compliance.rules,
    findings,
    expiredSuppressions: compliance.expiredSuppressions,
    unusedSuppressions: compliance.unusedSuppressions,
    monthOverMonth: null,
    monthOverMonthNote: input.previous ? null : (input.previousProblem ?? null),
    organization: organizationView(snapshot, input.usage, cost, findings),
    cost,
    filters: input.filters ?? null,
    frameworks: input.frameworks?.length ? frameworkViews(input.frameworks, findings) : null,
    bill: input.bill ?? null,
    drivers: null,
    recommendations: null,
  };
  const advised = { ...report, ...adviceOf(input, report) };
  if (!input.previous) return advised;
  const previous = filterPrevious(input.previous, report.filters, compliance.rules);
  return { ...advised, monthOverMonth: monthOverMonth(advised, previous) };
}

/** The cost drivers and recommendations (src/advice), from what the report already holds. */
function adviceOf(
  input: BuildReportInput,
  report: MonthlyReport,
): Pick<MonthlyReport, 'drivers' | 'recommendations'> {
  return adviseMonth({
    usage: input.usage,
    cost: input.cost,
    keys: report.keys,
    waste: report.summary.waste,
    findings: report.findings,
    rules: report.rules,
    previous: input.previous ?? null,
    eccPairPricesPer10k: input.eccPairPricesPer10k,
  });
}

/** What the report rests on: when the inventory was taken, the pricing table, the usage sources and their assumptions. */
function evidenceOf(input: BuildReportInput): MonthlyReport['evidence'] {
  const usageSources = [
    ...new Set(
      (input.usage?.coverage ?? []).filter((c) => c.status !== 'not-collected').map((c) => c.source),
    ),
  ].sort();
  return {
    collectedAt: input.snapshot.collection,
    pricingTable: input.cost.table,
    usageSources,
    usageAssumptions: usageAssumptionsFor(usageSources),
    late: input.monthToDate
      ? null
      : lateEvidence(input.month, input.period.end, input.snapshot.collection.finishedAt),
  };
}

/** How much of the evidence was read: regions, usage sources, gaps. */
function coverageOf(input: BuildReportInput): MonthlyReport['coverage'] {
  const { snapshot } = input;
  const usage = input.usage?.coverage ?? [];
  return {
    complete: snapshot.gaps.length === 0 && input.usage !== null && usageReadInFull(usage),
    regions: snapshot.regions,
    usage,
    gaps: snapshot.gaps,
    keysCreatedAfterMonth: input.keysCreatedAfterMonth ?? [],
    reconciliation: input.reconciliation ?? [],
  };
}

/** The summary: cost, keys by manager, state and spec, findings, the costliest keys, waste and first actions. */
function summaryOf(
  input: BuildReportInput,
  rows: readonly KeyRow[],
  findings: readonly Finding[],
  inTotal: ReturnType<typeof accountsInTotal>,
): MonthlyReport['summary'] {
  const snapshotKeys = input.snapshot.keys.map((k) => collectedValue(k.metadata));
  const byStatus = Object.fromEntries(
    STATUSES.map((s) => [s, findings.filter((f) => f.status === s).length]),
  ) as Record<FindingStatus, number>;
  return {
    cost: costSummary(input.cost, inTotal),
    keys: {
      total: input.snapshot.keys.length,
      byManager: countBy(snapshotKeys, (m) => m?.keyManager ?? 'unknown'),
      byState: countBy(snapshotKeys, (m) => m?.keyState ?? 'unknown'),
      bySpec: countBy(snapshotKeys, (m) => m?.keySpec ?? 'unknown'),
    },
    findings: { byStatus, failingBySeverity: failingBySeverity(findings) },
    mostExpensive: byCostThenArn(
      rows.filter((r) => isPositive(r.total)),
      (r) => r.total,
    )
      .slice(0, MOST_EXPENSIVE_COUNT)
      .map((r) => r.arn),
    waste: waste(rows, findings),
    firstActions: firstActions(rows, findings, input.compliance.rules),
  };
}
