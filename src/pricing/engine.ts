import { basename } from 'node:path';
import type { Decimal as DecimalClass } from 'decimal.js';
import type { InventorySnapshot, KeyManager, KeyMetadata, KeyRecord, Rotation } from '../model/inventory.js';
import { collectedValue, describeMissing } from '../model/observed.js';
import {
  type CostLine,
  type FreeTierScope,
  type KeyCost,
  type KeyCostSource,
  type MonthCost,
  type PricingAssumption,
  REQUEST_TIERS,
  type RequestTier,
} from '../model/pricing.js';
import {
  LIFECYCLE_EVENT_NAMES,
  type LifecycleEvent,
  type MonthUsage,
  type RequestCount,
  type UsageCoverage,
} from '../model/usage.js';
import {
  ASSUMPTION_STATEMENTS,
  type AssumptionId,
  FAILED_REQUESTS_BILLED,
  IMPORTED_MATERIAL_ROTATION_FEE_BILLED,
  PARTIAL_HOUR_BILLING,
  REPLICA_ROTATION_FEE_BILLED,
} from './assumptions.js';
import { PricingError } from './errors.js';
import {
  billedHours,
  type Interval,
  intervalsFrom,
  keyTimeline,
  type MonthPeriod,
  monthPeriod,
  parseTime,
} from './key-fee.js';
import { dec, lineAmount, sumTotals, toMoney, totalOf } from './money.js';
import { type PricingTable, type RegionPrices, regionPrices, selectTable } from './table.js';
import {
  accountResourceRule,
  CRYPTOGRAPHIC_OPERATIONS,
  classifyRequest,
  DATA_KEY_PAIR_OPERATIONS,
} from './tiers.js';

export interface PriceMonthOptions {
  /**
   * `account` (default): the free tier is applied once per account, as AWS does for a
   * standalone account. `organization`: once across all accounts, as consolidated billing does.
   */
  readonly freeTierScope?: FreeTierScope;
  /** How partial hours are billed; default {@link PARTIAL_HOUR_BILLING}. */
  readonly partialHours?: 'bill-started-hour' | 'exact';
}

export interface PriceMonthInput {
  /** The calendar month to price, `YYYY-MM` (UTC). */
  readonly month: string;
  readonly snapshot: InventorySnapshot;
  /** The month's request volumes and lifecycle events; without it, every request cost is unknown. */
  readonly usage?: MonthUsage;
  /** Every table available (the one in force for the month is selected), or just one. */
  readonly tables: readonly PricingTable[];
  readonly options?: PriceMonthOptions;
}

/** Per-key sources of request counts: a complete one for an account and region makes per-key volume known. */
const PER_KEY_SOURCES: ReadonlySet<string> = new Set(['cloudtrail-lookup', 'cloudtrail-s3', 'sample']);

/** Lifecycle events only customer managed keys can have (AWS rotates its own keys, so RotateKey says nothing). */
const CUSTOMER_ONLY_EVENTS: ReadonlySet<string> = new Set(
  LIFECYCLE_EVENT_NAMES.filter((e) => e !== 'RotateKey'),
);

const TEN_THOUSAND = 10_000;

/** Collects assumptions with what they applied to. */
class AssumptionLog {
  private readonly used = new Map<AssumptionId, Set<string>>();
  add(id: AssumptionId, subject: string): void {
    let set = this.used.get(id);
    if (!set) {
      set = new Set();
      this.used.set(id, set);
    }
    set.add(subject);
  }
  list(): PricingAssumption[] {
    return [...this.used.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, subjects]) => ({
        id,
        statement: ASSUMPTION_STATEMENTS[id],
        appliesTo: [...subjects].sort(),
      }));
  }
}

interface ParsedArn {
  readonly account: string;
  readonly region: string;
  readonly keyId: string;
}

function parseKeyArn(arn: string): ParsedArn | null {
  const m = /^arn:[a-z-]+:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/.exec(arn);
  return m ? { region: m[1] as string, account: m[2] as string, keyId: m[3] as string } : null;
}

function baseLine(
  partial: Pick<CostLine, 'kind' | 'account' | 'region' | 'keyArn' | 'description'> & Partial<CostLine>,
): CostLine {
  return {
    tier: null,
    operation: null,
    keyPairSpec: null,
    quantity: null,
    unit: 'requests',
    unitPrice: null,
    priceUnit: '10k-requests',
    amount: null,
    unknownReason: null,
    hours: null,
    assumptions: [],
    ...partial,
  };
}

/** Cost of `count` requests at `per10k`, exact. */
function requestAmount(count: number | DecimalClass, per10k: string): string {
  return toMoney(lineAmount(dec(count).times(per10k).div(TEN_THOUSAND)));
}

/** Everything the engine gathered about one key before pricing it. */
interface KeyEvidence {
  readonly arn: string;
  record: KeyRecord | null;
  readonly events: LifecycleEvent[];
  readonly requests: RequestCount[];
}

/** A context shared by the per-key pricing steps. */
interface Ctx {
  readonly table: PricingTable;
  readonly period: MonthPeriod;
  readonly policy: 'bill-started-hour' | 'exact';
  readonly snapshot: InventorySnapshot;
  readonly usage: MonthUsage | undefined;
  readonly log: AssumptionLog;
  readonly notices: Set<string>;
  readonly regionsUsed: Set<string>;
  prices(region: string): RegionPrices;
}

function perKeyCoverage(
  usage: MonthUsage | undefined,
  account: string,
  region: string,
): UsageCoverage | 'none' {
  if (!usage) return 'none';
  const entries = usage.coverage.filter(
    (c) => c.account === account && c.region === region && PER_KEY_SOURCES.has(c.source),
  );
  return entries.find((c) => c.status === 'complete') ?? entries[0] ?? 'none';
}

function inferKeyManager(evidence: KeyEvidence, metadata: KeyMetadata | undefined): KeyManager | null {
  if (metadata) return metadata.keyManager;
  const aliases = evidence.record ? collectedValue(evidence.record.aliases) : undefined;
  if (aliases?.some((a) => a.startsWith('alias/aws/'))) return 'AWS';
  if (evidence.events.some((e) => CUSTOMER_ONLY_EVENTS.has(e.event))) return 'CUSTOMER';
  return null;
}

function feeLines(
  ctx: Ctx,
  evidence: KeyEvidence,
  owner: ParsedArn,
  metadata: KeyMetadata | undefined,
  notes: string[],
): { lines: CostLine[]; billableHours: number | null } {
  const { period } = ctx;
  const subject = evidence.arn;
  const common = { account: owner.account, region: owner.region, keyArn: evidence.arn };
  const fee = (description: string, rest: Partial<CostLine>): CostLine =>
    baseLine({ kind: 'key-fee', ...common, description, unit: 'key-month', priceUnit: 'key-month', ...rest });

  const inSnapshot = evidence.record !== null;
  const timeline = keyTimeline({
    creation: metadata?.creationDate ? parseTime(metadata.creationDate, `${subject} CreationDate`) : null,
    events: evidence.events,
    snapshot: inSnapshot
      ? {
          takenAt: parseTime(ctx.snapshot.collection.finishedAt, 'snapshot collection.finishedAt'),
          keyState: metadata?.keyState ?? null,
          deletionDate: metadata?.deletionDate
            ? parseTime(metadata.deletionDate, `${subject} DeletionDate`)
            : null,
          pendingWindowInDays: metadata?.pendingDeletionWindowInDays ?? null,
        }
      : null,
    period,
  });
  notes.push(...timeline.notes);
  const prices = ctx.prices(owner.region);
  if (timeline.unknownReason !== null)
    return {
      lines: [fee('Key fee', { unitPrice: prices.keyMonth, unknownReason: timeline.unknownReason })],
      billableHours: null,
    };
  for (const a of timeline.assumptions) ctx.log.add(a, subject);

  const hours = billedHours(timeline.billable, period, ctx.policy);
  const feeAssumptions: AssumptionId[] = [...timeline.assumptions];
  if (hours.partial) {
    feeAssumptions.push('PARTIAL_HOUR_BILLING');
    ctx.log.add('PARTIAL_HOUR_BILLING', subject);
  }
  const lines: CostLine[] = [
    fee(`Key fee: ${hours.hours} of ${period.hours} hours`, {
      quantity: toMoney(lineAmount(dec(hours.hours).div(period.hours))),
      unitPrice: prices.keyMonth,
      amount: toMoney(lineAmount(dec(prices.keyMonth).times(hours.hours).div(period.hours))),
      hours: { billable: hours.hours, inMonth: period.hours },
      assumptions: feeAssumptions,
    }),
  ];
  lines.push(...rotationLines(ctx, evidence, owner, metadata, timeline.billable, notes));
  return { lines, billableHours: hours.hours };
}

function knownRotations(
  evidence: KeyEvidence,
  period: MonthPeriod,
): { rotations: Rotation[] } | { unknown: string } {
  const fromEvents = evidence.events
    .filter((e) => e.event === 'RotateKey' || e.event === 'RotateKeyOnDemand')
    .map((e) => ({ date: e.time, type: e.event === 'RotateKey' ? 'AUTOMATIC' : 'ON_DEMAND' }));
  if (!evidence.record) {
    return {
      unknown: `rotations before ${period.month} are unknown (the key is not in the inventory)${fromEvents.length ? `; ${fromEvents.length} this month` : ''}`,
    };
  }
  const observed = evidence.record.rotations;
  if (observed.status === 'collected') return { rotations: [...observed.value] };
  if (observed.status === 'not-applicable') return { rotations: [] };
  return { unknown: `rotations unknown: ${describeMissing(observed)}` };
}

function rotationLines(
  ctx: Ctx,
  evidence: KeyEvidence,
  owner: ParsedArn,
  metadata: KeyMetadata | undefined,
  billable: readonly Interval[],
  notes: string[],
): CostLine[] {
  const { period } = ctx;
  const prices = ctx.prices(owner.region);
  const common = {
    kind: 'rotation-fee' as const,
    account: owner.account,
    region: owner.region,
    keyArn: evidence.arn,
    unit: 'key-month' as const,
    priceUnit: 'key-month' as const,
    unitPrice: prices.rotation.perRotationMonth,
  };
  if (billable.length === 0) return [];
  const extra: AssumptionId[] = [];
  if (metadata?.multiRegion?.role === 'REPLICA') {
    if (!REPLICA_ROTATION_FEE_BILLED) return [];
    extra.push('REPLICA_ROTATION_FEE_BILLED');
  }
  if (metadata?.origin === 'EXTERNAL') {
    if (!IMPORTED_MATERIAL_ROTATION_FEE_BILLED) return [];
    extra.push('IMPORTED_MATERIAL_ROTATION_FEE_BILLED');
  }
  const known = knownRotations(evidence, period);
  if ('unknown' in known)
    return [baseLine({ ...common, description: 'Rotation fee', unknownReason: known.unknown })];

  const rotations = known.rotations
    .map((r) => ({ ...r, at: parseTime(r.date, `${evidence.arn} rotation date`) }))
    .filter((r) => r.at < period.end)
    .sort((a, b) => a.at - b.at);
  const cap = prices.rotation.billedRotationsCap;
  const billed = cap === null ? rotations : rotations.slice(0, cap);
  if (cap !== null && rotations.length > cap)
    notes.push(
      `${rotations.length} rotations: only the first ${cap} add a fee (cap in table ${ctx.table.version})`,
    );
  const lines: CostLine[] = [];
  billed.forEach((r, i) => {
    const hours = billedHours(intervalsFrom(billable, r.at), period, ctx.policy);
    const assumptions: AssumptionId[] = [...extra];
    if (hours.partial) assumptions.push('PARTIAL_HOUR_BILLING');
    for (const a of assumptions) ctx.log.add(a, evidence.arn);
    lines.push(
      baseLine({
        ...common,
        description: `Rotation ${i + 1} (${r.date.slice(0, 10)}, ${r.type}): ${hours.hours} of ${period.hours} hours`,
        quantity: toMoney(lineAmount(dec(hours.hours).div(period.hours))),
        amount: toMoney(
          lineAmount(dec(prices.rotation.perRotationMonth).times(hours.hours).div(period.hours)),
        ),
        hours: { billable: hours.hours, inMonth: period.hours },
        assumptions,
      }),
    );
  });
  return lines;
}

function requestLines(
  ctx: Ctx,
  evidence: KeyEvidence,
  owner: ParsedArn,
  keySpec: string | null,
  notes: string[],
): CostLine[] {
  const lines: CostLine[] = [];
  // One line per billed account, region, operation and pair spec.
  const groups = new Map<string, { rc: RequestCount; count: number; failed: number }>();
  for (const rc of evidence.requests) {
    const id = [rc.account, rc.region, rc.operation, rc.keyPairSpec ?? ''].join('\u0000');
    const g = groups.get(id);
    if (g) {
      g.count += rc.count;
      g.failed += rc.failedCount;
    } else groups.set(id, { rc, count: rc.count, failed: rc.failedCount });
  }
  const sorted = [...groups.values()].sort(
    (a, b) =>
      a.rc.account.localeCompare(b.rc.account) ||
      a.rc.region.localeCompare(b.rc.region) ||
      a.rc.operation.localeCompare(b.rc.operation) ||
      (a.rc.keyPairSpec ?? '').localeCompare(b.rc.keyPairSpec ?? ''),
  );
  let failed = 0;
  for (const { rc, count, failed: f } of sorted) {
    failed += f;
    const billedCount = FAILED_REQUESTS_BILLED ? count + f : count;
    if (billedCount === 0) continue;
    const c = classifyRequest(keySpec, rc.operation, rc.keyPairSpec);
    const common = {
      kind: 'requests' as const,
      account: rc.account,
      region: rc.region,
      keyArn: evidence.arn,
      operation: rc.operation,
      keyPairSpec: rc.keyPairSpec,
      quantity: String(billedCount),
    };
    if (c.billed === false) {
      for (const a of c.assumptions) ctx.log.add(a, evidence.arn);
      continue;
    }
    if (c.billed === 'unknown') {
      lines.push(
        baseLine({ ...common, description: `${rc.operation} (tier unknown)`, unknownReason: c.reason }),
      );
      continue;
    }
    const prices = ctx.prices(rc.region);
    for (const a of c.assumptions) ctx.log.add(a, evidence.arn);
    const unitPrice = prices.requestsPer10k[c.tier];
    lines.push(
      baseLine({
        ...common,
        description: `${rc.operation}${rc.keyPairSpec ? ` ${rc.keyPairSpec}` : ''} (${c.label})`,
        tier: c.tier,
        unitPrice,
        amount: requestAmount(billedCount, unitPrice),
        assumptions: c.assumptions,
      }),
    );
  }
  if (failed > 0 && !FAILED_REQUESTS_BILLED) notes.push(`${failed} failed requests not billed`);

  // Per-key volume is known only where a per-key source read the whole month.
  const coverage = perKeyCoverage(ctx.usage, owner.account, owner.region);
  if (coverage === 'none' || coverage.status !== 'complete') {
    const why =
      coverage === 'none'
        ? ctx.usage
          ? `no per-key request counts were collected for ${owner.account}/${owner.region}`
          : 'no usage was collected for the month'
        : `per-key request counts for ${owner.account}/${owner.region} are ${coverage.status} (${coverage.source}${coverage.detail ? `: ${coverage.detail}` : ''})`;
    lines.push(
      baseLine({
        kind: 'requests',
        account: owner.account,
        region: owner.region,
        keyArn: evidence.arn,
        description: lines.length > 0 ? 'Requests not counted' : 'Requests',
        unknownReason: `request volume unknown: ${why}`,
      }),
    );
  }
  return lines;
}

function priceKey(ctx: Ctx, evidence: KeyEvidence): KeyCost {
  const record = evidence.record;
  const owner: ParsedArn = record
    ? { account: record.account, region: record.region, keyId: record.keyId }
    : (parseKeyArn(evidence.arn) ?? {
        account: evidence.events[0]?.account ?? evidence.requests[0]?.account ?? 'unknown',
        region: evidence.events[0]?.region ?? evidence.requests[0]?.region ?? 'unknown',
        keyId: evidence.arn,
      });
  const metadata = record ? collectedValue(record.metadata) : undefined;
  const source: KeyCostSource = record
    ? 'snapshot'
    : evidence.events.length > 0
      ? 'lifecycle-events'
      : 'request-counts';
  const keyManager = inferKeyManager(evidence, metadata);
  const keySpec = metadata?.keySpec ?? null;
  const notes: string[] = [];
  const lines: CostLine[] = [];
  let billableHours: number | null = 0;

  const ownedInScope = ctx.snapshot.accounts.includes(owner.account);
  if (source === 'request-counts' && !ownedInScope) {
    notes.push(`key of account ${owner.account}, outside the inventory: its monthly fee is billed there`);
    billableHours = null;
  } else if (keyManager === 'AWS') {
    notes.push('AWS managed key: no monthly fee; requests are billed');
  } else if (keyManager === null || source === 'request-counts') {
    billableHours = null;
    const why =
      source === 'request-counts'
        ? 'the key is neither in the inventory nor in the lifecycle events (deleted before the scan?)'
        : `the key could not be described: ${record ? describeMissing(record.metadata) : 'no metadata'}`;
    lines.push(
      baseLine({
        kind: 'key-fee',
        account: owner.account,
        region: owner.region,
        keyArn: evidence.arn,
        description: 'Key fee',
        unit: 'key-month',
        priceUnit: 'key-month',
        unknownReason: `fee unknown: ${why}`,
      }),
    );
  } else {
    const fee = feeLines(ctx, evidence, owner, metadata, notes);
    lines.push(...fee.lines);
    billableHours = fee.billableHours;
  }
  if (metadata?.customKeyStoreId) {
    notes.push('custom key store: CloudHSM or external key manager charges are not included');
    ctx.notices.add(
      'Keys in custom key stores also incur CloudHSM (or external key manager) charges, which this estimate does not include.',
    );
  }
  lines.push(...requestLines(ctx, evidence, owner, keySpec, notes));
  for (const l of lines) if (l.amount !== null || l.unitPrice !== null) ctx.regionsUsed.add(l.region);

  return {
    keyArn: evidence.arn,
    account: owner.account,
    region: owner.region,
    keyId: owner.keyId,
    source,
    keyManager,
    keySpec,
    multiRegionRole: metadata?.multiRegion?.role ?? null,
    billableHours,
    lines,
    total: totalOf(lines),
    notes,
  };
}

function unattributedLines(ctx: Ctx, specOf: (arn: string) => string | null): CostLine[] {
  const usage = ctx.usage;
  if (!usage) return [];
  const totals = new Map<string, { account: string; region: string; resource: string; count: number }>();
  for (const t of usage.accountTotals) {
    const id = [t.account, t.region, t.resource].join('\u0000');
    const entry = totals.get(id);
    if (entry) entry.count += t.count;
    else totals.set(id, { account: t.account, region: t.region, resource: t.resource, count: t.count });
  }
  const lines: CostLine[] = [];
  const sorted = [...totals.values()].sort(
    (a, b) =>
      a.account.localeCompare(b.account) ||
      a.region.localeCompare(b.region) ||
      a.resource.localeCompare(b.resource),
  );
  for (const t of sorted) {
    const rule = accountResourceRule(t.resource);
    if (!rule) {
      ctx.notices.add(`CloudWatch usage resource "${t.resource}" is not priced (no known tier).`);
      continue;
    }
    const here = usage.requests.filter((r) => r.account === t.account && r.region === t.region);
    let attributed = 0;
    let ambiguous = 0;
    for (const r of here) {
      const spec = specOf(r.keyArn);
      // A count whose key spec is unknown cannot be placed in a spec-based resource.
      if (
        spec === null &&
        t.resource.startsWith('CryptographicOperations') &&
        CRYPTOGRAPHIC_OPERATIONS.has(r.operation) &&
        !DATA_KEY_PAIR_OPERATIONS.has(r.operation)
      )
        ambiguous += r.count + r.failedCount;
      // CloudWatch counts calls, successful or not.
      else if (rule.covers(spec, r.operation, r.keyPairSpec)) attributed += r.count + r.failedCount;
    }
    const excess = t.count - attributed;
    const description = `Unattributed ${rule.label} (CloudWatch ${t.resource} ${t.count}, per-key counts ${attributed})`;
    const common = {
      kind: 'unattributed-requests' as const,
      account: t.account,
      region: t.region,
      keyArn: null,
      description,
      tier: rule.tier,
    };
    if (ambiguous > 0) {
      lines.push(
        baseLine({
          ...common,
          unknownReason: `${ambiguous} per-key requests are on keys of unknown spec: the unattributed part of ${t.resource} cannot be told`,
        }),
      );
      continue;
    }
    if (excess <= 0) continue;
    const prices = ctx.prices(t.region);
    ctx.regionsUsed.add(t.region);
    for (const a of rule.assumptions) ctx.log.add(a, `${t.account}/${t.region}`);
    const unitPrice = prices.requestsPer10k[rule.tier];
    lines.push(
      baseLine({
        ...common,
        quantity: String(excess),
        unitPrice,
        amount: requestAmount(excess, unitPrice),
        assumptions: rule.assumptions,
      }),
    );
  }
  return lines;
}

/**
 * The free tier, applied to the accounts the inventory covers. Another account that called
 * these keys has its own free tier, which this inventory cannot see: it gets no credit here.
 */
function freeTierCredits(
  ctx: Ctx,
  lines: readonly CostLine[],
  scope: FreeTierScope,
  accounts: ReadonlySet<string>,
): CostLine[] {
  const { table } = ctx;
  const covered = new Set<RequestTier>(REQUEST_TIERS.filter((t) => !table.freeTier.notCovered.includes(t)));
  // Covered volume per account, region and tier, in allocation order.
  const volume = new Map<
    string,
    { account: string; region: string; tier: RequestTier; count: DecimalClass }
  >();
  for (const l of lines) {
    if (l.amount === null || l.tier === null || !covered.has(l.tier) || l.quantity === null) continue;
    if (l.kind !== 'requests' && l.kind !== 'unattributed-requests') continue;
    if (!accounts.has(l.account)) continue;
    const id = [l.account, l.region, l.tier].join('\u0000');
    const v = volume.get(id);
    if (v) v.count = v.count.plus(l.quantity);
    else volume.set(id, { account: l.account, region: l.region, tier: l.tier, count: dec(l.quantity) });
  }
  const ordered = [...volume.values()].sort(
    (a, b) =>
      a.account.localeCompare(b.account) || a.region.localeCompare(b.region) || a.tier.localeCompare(b.tier),
  );
  const allowance = new Map<string, DecimalClass>();
  const credits: CostLine[] = [];
  const prices = new Set<string>();
  for (const v of ordered) {
    const pool = scope === 'organization' ? '*' : v.account;
    const left = allowance.get(pool) ?? dec(table.freeTier.requestsPerMonth);
    const used = DecimalMin(left, v.count);
    if (used.isZero()) continue;
    allowance.set(pool, left.minus(used));
    const unitPrice = ctx.prices(v.region).requestsPer10k[v.tier];
    prices.add(unitPrice);
    const assumptions: AssumptionId[] = scope === 'organization' ? ['FREE_TIER_ORGANIZATION'] : [];
    credits.push(
      baseLine({
        kind: 'free-tier-credit',
        account: v.account,
        region: v.region,
        keyArn: null,
        description: `Free tier: ${used.toFixed()} of ${table.freeTier.requestsPerMonth} requests a month (${scope === 'organization' ? 'organization' : 'account'})`,
        tier: v.tier,
        quantity: used.neg().toFixed(),
        unitPrice,
        amount: toMoney(lineAmount(used.neg().times(unitPrice).div(TEN_THOUSAND))),
        assumptions,
      }),
    );
  }
  if (scope === 'organization' && credits.length > 0) ctx.log.add('FREE_TIER_ORGANIZATION', 'organization');
  if (prices.size > 1)
    for (const c of credits) ctx.log.add('FREE_TIER_ALLOCATION_ORDER', `${c.account}/${c.region}`);
  return credits;
}

function DecimalMin(a: DecimalClass, b: DecimalClass): DecimalClass {
  return a.lessThan(b) ? a : b;
}

/**
 * Prices one calendar month of KMS the way the AWS bill does, from an inventory snapshot,
 * the month's usage (request counts, account totals, lifecycle events) and the pricing
 * tables. Pure: no I/O, no clock; load tables with {@link loadPricingTables}.
 *
 * - Key fee: the region's key-month price × billable hours ÷ hours in the month, for each
 *   customer managed key (each multi-Region primary and replica apart; disabled keys too).
 *   AWS managed keys pay no fee. Keys known only from lifecycle events are priced.
 * - Rotation fee: the first two rotations (all of them before April 2024) add the rotation
 *   price, prorated from the rotation.
 * - Requests: classified per key spec and operation (GenerateDataKeyPair* by pair spec);
 *   account totals above the per-key counts become `unattributed` lines; the free tier is
 *   its own credit line. Where per-key volume was not fully collected, the key's request
 *   cost is unknown (null), never zero.
 *
 * Throws {@link PricingError} when no table is in force for the month, and
 * {@link RegionNotPricedError} naming a region the table does not price.
 *
 * @example
 * ```ts
 * const tables = await loadPricingTables();
 * const cost = priceMonth({ month: '2026-10', snapshot, usage, tables });
 * console.log(formatTotal(cost.total)); // e.g. '$14.37'
 * for (const a of cost.assumptions) console.log(a.id, a.statement);
 * ```
 */
export function priceMonth(input: PriceMonthInput): MonthCost {
  const { month, snapshot, usage } = input;
  const period = monthPeriod(month);
  if (usage && usage.month !== month)
    throw new PricingError(`the usage given is for ${usage.month}, not for ${month}`);
  const table = selectTable(input.tables, month);
  const scope = input.options?.freeTierScope ?? 'account';
  const policy = input.options?.partialHours ?? PARTIAL_HOUR_BILLING;
  const log = new AssumptionLog();
  const ctx: Ctx = {
    table,
    period,
    policy,
    snapshot,
    usage,
    log,
    notices: new Set(),
    regionsUsed: new Set(),
    prices: (region) => regionPrices(table, region),
  };

  const evidence = new Map<string, KeyEvidence>();
  const get = (arn: string): KeyEvidence => {
    let e = evidence.get(arn);
    if (!e) {
      e = { arn, record: null, events: [], requests: [] };
      evidence.set(arn, e);
    }
    return e;
  };
  for (const k of snapshot.keys) get(k.arn).record = k;
  for (const e of usage?.lifecycle ?? []) get(e.keyArn).events.push(e);
  for (const r of usage?.requests ?? []) get(r.keyArn).requests.push(r);

  const keys: KeyCost[] = [];
  for (const e of evidence.values()) {
    const created = e.record ? collectedValue(e.record.metadata)?.creationDate : null;
    // A key created after the month, with nothing happening to it in the month, is not part of it.
    if (created && Date.parse(created) >= period.end && e.events.length === 0 && e.requests.length === 0)
      continue;
    keys.push(priceKey(ctx, e));
  }
  keys.sort(
    (a, b) =>
      a.account.localeCompare(b.account) ||
      a.region.localeCompare(b.region) ||
      a.keyArn.localeCompare(b.keyArn),
  );

  const specs = new Map(keys.map((k) => [k.keyArn, k.keySpec]));
  const unattributed = unattributedLines(ctx, (arn) => specs.get(arn) ?? null);
  const keyLines = keys.flatMap((k) => k.lines);
  const credits = freeTierCredits(
    ctx,
    [...keyLines, ...unattributed],
    scope,
    new Set(input.snapshot.accounts),
  );
  const all = [...keyLines, ...unattributed, ...credits];

  for (const region of [...ctx.regionsUsed].sort()) {
    if (table.regions[region]?.verified === false) log.add('UNVERIFIED_REGION_PRICES', region);
  }

  const byRegion = new Map<string, CostLine[]>();
  for (const l of all) {
    const id = `${l.account}\u0000${l.region}`;
    const list = byRegion.get(id);
    if (list) list.push(l);
    else byRegion.set(id, [l]);
  }
  const subtotals = [...byRegion.entries()]
    .map(([id, lines]) => {
      const [account, region] = id.split('\u0000') as [string, string];
      return { account, region, total: totalOf(lines) };
    })
    .sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
  const accountNames = [...new Set(subtotals.map((s) => s.account))].sort();
  const accounts = accountNames.map((account) => ({
    account,
    total: sumTotals(subtotals.filter((s) => s.account === account).map((s) => s.total)),
  }));

  return {
    kind: 'kms-report/month-cost',
    schemaVersion: 1,
    month,
    period: {
      start: new Date(period.start).toISOString(),
      end: new Date(period.end).toISOString(),
      hours: period.hours,
    },
    currency: table.currency,
    table: {
      version: table.version,
      // The file's name, not its folder: report.json travels to tickets, the local path must not.
      file: table.file === null ? null : basename(table.file),
      currency: table.currency,
      effective: table.effective,
      source: table.provenance.source,
      checked: table.provenance.checked,
    },
    settings: { freeTierScope: scope, partialHours: policy },
    keys,
    unattributed,
    credits,
    subtotals,
    accounts,
    total: totalOf(all),
    assumptions: log.list(),
    notices: [...ctx.notices].sort(),
  };
}
