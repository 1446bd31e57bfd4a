import { basename } from 'node:path';
import type { Decimal as DecimalClass } from 'decimal.js';
import type {
  Gap,
  InventorySnapshot,
  KeyManager,
  KeyMetadata,
  KeyRecord,
  Rotation,
} from '../model/inventory.js';
import { CRYPTOGRAPHIC_OPERATIONS as CRYPTO_OPERATIONS } from '../model/kms.js';
import { collectedValue, describeMissing } from '../model/observed.js';
import {
  accountLevelLines,
  type CostLine,
  type CostTotal,
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
  MANAGEMENT_CALL_TIER,
  MANAGEMENT_CALLS_BILLED,
  PARTIAL_HOUR_BILLING,
  REPLICA_ROTATION_FEE_BILLED,
  UNLISTED_REGION_PRICES_FROM,
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
import { type PricingTable, type RegionPrices, selectTable } from './table.js';
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
  /**
   * A month to date: price it up to this time (ISO 8601; the evidence time, i.e. the inventory's
   * `collection.finishedAt`), not to the month's end. Fees are prorated over the hours elapsed
   * (out of the month's hours) and requests counted up to then. Ignored when not before the
   * month's end.
   */
  readonly asOf?: string;
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

/** Automatic rotation happens at the earliest 90 days after it is enabled (RotationPeriodInDays 90-2560). */
const MIN_AUTOMATIC_ROTATION_DAYS = 90;
const DAY_MS = 86_400_000;

/** The partition a region belongs to, from its name. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * The prices of a region: the table's own, or for a region of the table's partition that the
 * table does not list, the prices of {@link UNLISTED_REGION_PRICES_FROM} (`fallback` true).
 * Null, with the reason, for a region of another partition or a name that is no region.
 */
export function resolveRegionPrices(
  table: PricingTable,
  region: string,
): { prices: RegionPrices; fallback: boolean } | { prices: null; reason: string } {
  const own = table.regions[region];
  if (own) return { prices: own, fallback: false };
  if (!REGION_NAME.test(region)) return { prices: null, reason: `"${region}" is not a region name` };
  const partition = partitionOf(region);
  if (partition !== table.partition)
    return {
      prices: null,
      reason: `region ${region} is in partition ${partition}; pricing table ${table.version} prices ${table.partition} (${table.currency}) only`,
    };
  const fallback = table.regions[UNLISTED_REGION_PRICES_FROM];
  if (!fallback)
    return {
      prices: null,
      reason: `region ${region} is not in pricing table ${table.version}, nor is ${UNLISTED_REGION_PRICES_FROM} to price it by`,
    };
  return { prices: fallback, fallback: true };
}

/** Lifecycle events only customer managed keys can have (AWS rotates its own keys, so RotateKey says nothing). */
const CUSTOMER_ONLY_EVENTS: ReadonlySet<string> = new Set(
  LIFECYCLE_EVENT_NAMES.filter((e) => e !== 'RotateKey'),
);

const TEN_THOUSAND = 10_000;

/**
 * `a.localeCompare(b)`'s order (the machine's default locale) from one collator, for the sorts
 * that grow with the estate: `localeCompare` builds its collation state on every call.
 */
const localeOrder: (a: string, b: string) => number = new Intl.Collator().compare;

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
  /** The accounts the month is priced for (the inventory's): lines billed to them make the totals. */
  readonly inTotal: ReadonlySet<string>;
  /** The region's prices, or null when it cannot be priced (see {@link Ctx.unpriced}). */
  prices(region: string): RegionPrices | null;
  /** Why a region cannot be priced. */
  unpriced(region: string): string;
  /**
   * A month to date whose evidence time is before the month began (ISO), else null: nothing of
   * the month was seen, so its fees are unknown, not $0.
   */
  readonly evidenceBeforeMonth: string | null;
  /** The usage grouped once by account and region (and by key), for look-ups per key. */
  readonly index: UsageIndex | null;
}

/** An account and region as one map key. */
const regionId = (account: string, region: string) => `${account}\u0000${region}`;

/** Each list's rows by account and region, in their order. */
interface UsageIndex {
  readonly coverage: ReadonlyMap<string, readonly UsageCoverage[]>;
  readonly requests: ReadonlyMap<string, readonly RequestCount[]>;
  readonly keyless: ReadonlyMap<string, readonly NonNullable<MonthUsage['keylessRequests']>[number][]>;
  /** After the month: ScheduleKeyDeletion events by key ARN, coverage by account and region. */
  readonly afterSchedules: ReadonlyMap<string, readonly LifecycleEvent[]>;
  readonly afterCoverage: ReadonlyMap<string, readonly UsageCoverage[]>;
}

function groupRows<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

function indexUsage(usage: MonthUsage): UsageIndex {
  const byRegion = (r: { account: string; region: string }) => regionId(r.account, r.region);
  return {
    coverage: groupRows(usage.coverage, byRegion),
    requests: groupRows(usage.requests, byRegion),
    keyless: groupRows(usage.keylessRequests ?? [], byRegion),
    afterSchedules: groupRows(
      (usage.afterMonth?.lifecycle ?? []).filter((e) => e.event === 'ScheduleKeyDeletion'),
      (e) => e.keyArn,
    ),
    afterCoverage: groupRows(usage.afterMonth?.coverage ?? [], byRegion),
  };
}

/**
 * True when a coverage entry says its counts are whole for what is priced: the whole month, or
 * for a month to date everything up to the time it is priced to.
 */
function completeFor(c: UsageCoverage, period: MonthPeriod): boolean {
  if (c.status === 'complete') return true;
  return c.status === 'partial' && c.readUntil !== undefined && Date.parse(c.readUntil) >= period.end;
}

function perKeyCoverage(
  ctx: Ctx,
  account: string,
  region: string,
  period: MonthPeriod,
): UsageCoverage | 'none' {
  if (!ctx.index) return 'none';
  const entries = (ctx.index.coverage.get(regionId(account, region)) ?? []).filter((c) =>
    PER_KEY_SOURCES.has(c.source),
  );
  const whole = entries.find((c) => completeFor(c, period));
  return whole ? { ...whole, status: 'complete' } : (entries[0] ?? 'none');
}

const isComplete = (c: UsageCoverage | 'none') => c !== 'none' && c.status === 'complete';

/** The lifecycle evidence after the month for one key: its ScheduleKeyDeletion there, and how far the read reached. */
function afterMonthOf(
  ctx: Ctx,
  evidence: KeyEvidence,
  owner: ParsedArn,
): { scheduledAt: number | null; readUntil: number | null } | null {
  const after = ctx.usage?.afterMonth;
  if (!after || !ctx.index) return null;
  const schedule = (ctx.index.afterSchedules.get(evidence.arn) ?? [])
    .map((e) => parseTime(e.time, 'ScheduleKeyDeletion event time'))
    .sort((a, b) => b - a)[0];
  // How far a read with nothing missing reached: its own readUntil, else (complete) the window's end.
  const readUntil =
    (ctx.index.afterCoverage.get(regionId(owner.account, owner.region)) ?? [])
      .map((c) =>
        c.readUntil !== undefined
          ? Date.parse(c.readUntil)
          : c.status === 'complete'
            ? parseTime(after.window.end, 'afterMonth window end')
            : Number.NaN,
      )
      .filter((t) => !Number.isNaN(t))
      .sort((a, b) => b - a)[0] ?? null;
  return { scheduledAt: schedule ?? null, readUntil };
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
  if (ctx.evidenceBeforeMonth !== null)
    return {
      lines: [
        fee('Key fee', {
          unitPrice: ctx.prices(owner.region)?.keyMonth ?? null,
          unknownReason: `fee unknown: the evidence was collected at ${ctx.evidenceBeforeMonth}, before ${period.month} began`,
        }),
      ],
      billableHours: null,
    };

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
    monthEvidenceComplete: isComplete(perKeyCoverage(ctx, owner.account, owner.region, period)),
    afterMonth: afterMonthOf(ctx, evidence, owner),
  });
  notes.push(...timeline.notes);
  const prices = ctx.prices(owner.region);
  if (timeline.unknownReason !== null || prices === null)
    return {
      lines: [
        fee('Key fee', {
          unitPrice: prices?.keyMonth ?? null,
          unknownReason: timeline.unknownReason ?? `fee unknown: ${ctx.unpriced(owner.region)}`,
        }),
      ],
      billableHours:
        timeline.unknownReason === null ? billedHours(timeline.billable, period, ctx.policy).hours : null,
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
  ctx: Ctx,
  evidence: KeyEvidence,
  owner: ParsedArn,
  notes: string[],
): { rotations: Rotation[] } | { unknown: string } {
  const { period } = ctx;
  const fromEvents = evidence.events
    .filter((e) => e.event === 'RotateKey' || e.event === 'RotateKeyOnDemand')
    .map((e) => ({ date: e.time, type: e.event === 'RotateKey' ? 'AUTOMATIC' : 'ON_DEMAND' }) as const);
  if (!evidence.record) {
    // A key created in the month, whose month of events was read in full: every rotation it can
    // have had is among those events (on demand; automatic rotation comes 90 days at the earliest).
    const created = evidence.events.find((e) => e.event === 'CreateKey' || e.event === 'ReplicateKey');
    const coverage = perKeyCoverage(ctx, owner.account, owner.region, period);
    if (
      created &&
      Date.parse(created.time) >= period.start &&
      period.end - Date.parse(created.time) < MIN_AUTOMATIC_ROTATION_DAYS * DAY_MS &&
      isComplete(coverage)
    ) {
      if (fromEvents.length === 0)
        notes.push(`created ${created.time.slice(0, 10)} in the month and never rotated: no rotation fee`);
      return { rotations: fromEvents };
    }
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
  const prices = ctx.prices(owner.region) as RegionPrices;
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
  const known = knownRotations(ctx, evidence, owner, notes);
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
      localeOrder(a.rc.account, b.rc.account) ||
      localeOrder(a.rc.region, b.rc.region) ||
      localeOrder(a.rc.operation, b.rc.operation) ||
      localeOrder(a.rc.keyPairSpec ?? '', b.rc.keyPairSpec ?? ''),
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
    if (prices === null) {
      lines.push(
        baseLine({
          ...common,
          description: `${rc.operation} (${c.label})`,
          tier: c.tier,
          unknownReason: `price unknown: ${ctx.unpriced(rc.region)}`,
        }),
      );
      continue;
    }
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
  if (failed > 0) {
    ctx.log.add('FAILED_REQUESTS_BILLED', evidence.arn);
    notes.push(`${failed} failed requests ${FAILED_REQUESTS_BILLED ? 'billed' : 'not billed'}`);
  }

  // Per-key volume is known only where a per-key source read the whole month (or all of it to date).
  const coverage = perKeyCoverage(ctx, owner.account, owner.region, ctx.period);
  // Another account's calls on the key: both its trail and the owner's hold them, so they are
  // whole when either was read whole; when neither was, what it was billed is a lower bound.
  if (!isComplete(coverage)) {
    const callers = new Map<string, string>();
    for (const { rc } of sorted) if (rc.account !== owner.account) callers.set(rc.account, rc.region);
    for (const [caller, region] of callers) {
      const own = perKeyCoverage(ctx, caller, region, ctx.period);
      if (isComplete(own)) continue;
      lines.push(
        baseLine({
          kind: 'requests',
          account: caller,
          region,
          keyArn: evidence.arn,
          description: `Requests by ${caller} not counted`,
          unknownReason: `request volume unknown: per-key request counts are not complete in ${region} for the key's owner ${owner.account} (${coverage === 'none' ? 'missing' : coverage.status}) nor for the caller ${caller} (${own === 'none' ? 'missing' : own.status})`,
        }),
      );
    }
  }
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
    total: totalOf(lines.filter((l) => ctx.inTotal.has(l.account))),
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
    const here = ctx.index?.requests.get(regionId(t.account, t.region)) ?? [];
    let attributed = 0;
    let ambiguous = 0;
    // Requests that name no key are in CloudWatch's totals too: by their API name, GenerateRandom
    // with the symmetric cryptographic operations.
    for (const k of ctx.index?.keyless.get(regionId(t.account, t.region)) ?? []) {
      const spec = CRYPTO_OPERATIONS.has(k.operation) ? 'SYMMETRIC_DEFAULT' : null;
      if (rule.covers(spec, k.operation, null)) attributed += k.count + k.failedCount;
    }
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
    if (prices === null) {
      lines.push(
        baseLine({
          ...common,
          quantity: String(excess),
          unknownReason: `price unknown: ${ctx.unpriced(t.region)}`,
        }),
      );
      continue;
    }
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
 * Requests that name no key (ListKeys, ListAliases, CreateKey, GenerateRandom, ...), one line per
 * billed account, region and operation, priced as ordinary requests ({@link MANAGEMENT_CALL_TIER}).
 * Where a per-key source read an account and region but these requests were not counted (usage
 * evidence of schema version 1, or a source that stopped early), and no complete CloudWatch
 * total accounts for them by API name, one line says they are unknown.
 */
function accountRequestLines(ctx: Ctx): CostLine[] {
  const usage = ctx.usage;
  if (!usage) return [];
  const groups = new Map<
    string,
    { account: string; region: string; operation: string; ok: number; failed: number }
  >();
  for (const k of usage.keylessRequests ?? []) {
    const id = [k.account, k.region, k.operation].join('\u0000');
    const g = groups.get(id);
    if (g) {
      g.ok += k.count;
      g.failed += k.failedCount;
    } else
      groups.set(id, {
        account: k.account,
        region: k.region,
        operation: k.operation,
        ok: k.count,
        failed: k.failedCount,
      });
  }
  const lines: CostLine[] = [];
  for (const g of groups.values()) {
    const subject = `${g.account}/${g.region}`;
    if (g.failed > 0) ctx.log.add('FAILED_REQUESTS_BILLED', subject);
    const billed = FAILED_REQUESTS_BILLED ? g.ok + g.failed : g.ok;
    if (billed === 0) continue;
    const management = !CRYPTO_OPERATIONS.has(g.operation);
    if (management && !MANAGEMENT_CALLS_BILLED) {
      ctx.log.add('MANAGEMENT_CALLS_BILLED', subject);
      continue;
    }
    const assumptions: AssumptionId[] = management ? ['MANAGEMENT_CALLS_BILLED'] : [];
    const common = {
      kind: 'requests' as const,
      account: g.account,
      region: g.region,
      keyArn: null,
      operation: g.operation,
      tier: MANAGEMENT_CALL_TIER,
      quantity: String(billed),
      description: `${g.operation} (names no key)`,
    };
    const prices = ctx.prices(g.region);
    if (prices === null) {
      lines.push(baseLine({ ...common, unknownReason: `price unknown: ${ctx.unpriced(g.region)}` }));
      continue;
    }
    for (const a of assumptions) ctx.log.add(a, subject);
    ctx.regionsUsed.add(g.region);
    const unitPrice = prices.requestsPer10k[MANAGEMENT_CALL_TIER];
    lines.push(baseLine({ ...common, unitPrice, amount: requestAmount(billed, unitPrice), assumptions }));
  }
  // Account and region read by a per-key source whose keyless requests are not all counted.
  const where = new Map<string, { account: string; region: string }>();
  for (const c of usage.coverage)
    if (PER_KEY_SOURCES.has(c.source) && c.status !== 'not-collected')
      where.set(`${c.account}\u0000${c.region}`, { account: c.account, region: c.region });
  for (const { account, region } of where.values()) {
    const perKey = perKeyCoverage(ctx, account, region, ctx.period);
    const counted = usage.keylessRequests !== undefined && isComplete(perKey);
    const byCloudWatch = (ctx.index?.coverage.get(regionId(account, region)) ?? []).some(
      (c) => c.source === 'cloudwatch' && completeFor(c, ctx.period),
    );
    if (counted || byCloudWatch) continue;
    lines.push(
      baseLine({
        kind: 'requests',
        account,
        region,
        keyArn: null,
        description: 'Requests that name no key (ListKeys, CreateKey, ...)',
        unknownReason:
          usage.keylessRequests === undefined
            ? 'not counted: the usage evidence predates counting requests that name no key (schema version 1); collect the month again'
            : `not all counted: per-key request counts for ${account}/${region} are ${perKey === 'none' ? 'missing' : perKey.status}`,
      }),
    );
  }
  return lines.sort(
    (a, b) =>
      a.account.localeCompare(b.account) ||
      a.region.localeCompare(b.region) ||
      (a.operation ?? '').localeCompare(b.operation ?? ''),
  );
}

/**
 * The keys the inventory never listed, one unknown `unlisted-keys` line per gap: a region whose
 * ListKeys failed (or was cut by the deadline, or whose credentials stopped working), and an
 * account that could not be entered at all (AssumeRole refused, regions not listable). Without
 * these lines such a region simply has no keys, and the month would read as a complete figure.
 * A region whose keys were all listed but some not described (`partial`) needs none: each of
 * those keys is in the inventory, with its own unknown lines.
 */
function unlistedKeyLines(snapshot: InventorySnapshot): CostLine[] {
  const lines = new Map<string, CostLine>();
  const unlisted = (account: string, region: string, why: string) => {
    const id = `${account}\u0000${region}`;
    if (lines.has(id)) return;
    lines.set(
      id,
      baseLine({
        kind: 'unlisted-keys',
        account,
        region,
        keyArn: null,
        description: region === '*' ? 'Keys of the account (not read)' : 'Keys of the region (not listed)',
        unit: 'key-month',
        priceUnit: 'key-month',
        unknownReason: `keys of ${region === '*' ? account : `${account}/${region}`} not listed: ${why}; their fees and requests are unknown`,
      }),
    );
  };
  const why = (g: Gap | undefined, fallback: string) =>
    g ? `${g.errorCode}${g.operation ? ` (${g.operation})` : ''}` : fallback;
  const regionGap = (account: string, region: string) =>
    snapshot.gaps.find(
      (g) => g.scope === 'region' && g.field === null && g.account === account && g.region === region,
    );
  const accountGap = (account: string) =>
    snapshot.gaps.find((g) => g.scope === 'account' && g.account === account);
  for (const r of snapshot.regions)
    if (r.status === 'failed')
      unlisted(
        r.account,
        r.region,
        why(regionGap(r.account, r.region) ?? accountGap(r.account), 'the region could not be read'),
      );
  // A ListKeys gap whose region the coverage does not mark failed (an edited or older snapshot).
  for (const g of snapshot.gaps)
    if (g.scope === 'region' && g.operation === 'ListKeys' && g.field === null && g.account && g.region)
      unlisted(g.account, g.region, why(g, ''));
  // An account not entered: its regions named failed above, or (all regions) one line for the account.
  const failedAccounts = new Set<string>();
  for (const g of snapshot.gaps) if (g.scope === 'account' && g.account) failedAccounts.add(g.account);
  for (const a of snapshot.organization?.accounts ?? []) if (a.status === 'failed') failedAccounts.add(a.id);
  for (const account of failedAccounts) {
    if ([...lines.values()].some((l) => l.account === account)) continue;
    unlisted(account, '*', why(accountGap(account), 'the account could not be read'));
  }
  return [...lines.values()].sort(
    (a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region),
  );
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
    const unitPrice = (ctx.prices(v.region) as RegionPrices).requestsPer10k[v.tier];
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
 * - Month to date (`options.asOf`): everything is priced up to the evidence time.
 * - A region the table does not list is priced at {@link UNLISTED_REGION_PRICES_FROM}'s prices
 *   (named as an assumption); a region of another partition has unknown lines, and the rest of
 *   the month is priced.
 * - A region whose keys were never listed (ListKeys failed, the deadline cut it) and an account
 *   that could not be entered each get an unknown `unlisted-keys` line (in `unattributed`), so
 *   the total is "at least", never a complete figure that leaves them out.
 *
 * Throws {@link PricingError} when no table is in force for the month.
 *
 * @example
 * ```ts
 * const tables = await loadPricingTables();
 * const cost = priceMonth({ month: '2026-10', snapshot, usage, tables });
 * // What the inventory's accounts are billed; requests other accounts made on these keys are
 * // billed to them (cost.billedToOtherAccounts, cost.byBilledAccount) and not in it.
 * console.log(formatTotal(cost.total)); // e.g. '$14.37'
 * for (const a of cost.assumptions) console.log(a.id, a.statement);
 * ```
 */
export function priceMonth(input: PriceMonthInput): MonthCost {
  const { month, snapshot, usage } = input;
  const whole = monthPeriod(month);
  const asOf = input.options?.asOf !== undefined ? parseTime(input.options.asOf, 'asOf') : null;
  // A month to date: priced up to the evidence time; a key-month is still the month's hours.
  const period: MonthPeriod =
    asOf !== null && asOf < whole.end ? { ...whole, end: Math.max(whole.start, asOf) } : whole;
  if (usage && usage.month !== month)
    throw new PricingError(`the usage given is for ${usage.month}, not for ${month}`);
  const table = selectTable(input.tables, month);
  const scope = input.options?.freeTierScope ?? 'account';
  const policy = input.options?.partialHours ?? PARTIAL_HOUR_BILLING;
  const log = new AssumptionLog();
  const resolved = new Map<string, ReturnType<typeof resolveRegionPrices>>();
  const resolve = (region: string) => {
    let r = resolved.get(region);
    if (!r) {
      r = resolveRegionPrices(table, region);
      resolved.set(region, r);
    }
    return r;
  };
  const ctx: Ctx = {
    table,
    period,
    policy,
    snapshot,
    usage,
    log,
    notices: new Set(),
    regionsUsed: new Set(),
    inTotal: new Set(snapshot.accounts),
    evidenceBeforeMonth: asOf !== null && asOf < whole.start ? new Date(asOf).toISOString() : null,
    prices: (region) => resolve(region).prices,
    unpriced: (region) => {
      const r = resolve(region);
      return r.prices === null ? r.reason : '';
    },
    index: usage ? indexUsage(usage) : null,
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
      localeOrder(a.account, b.account) || localeOrder(a.region, b.region) || localeOrder(a.keyArn, b.keyArn),
  );

  const specs = new Map(keys.map((k) => [k.keyArn, k.keySpec]));
  const accountRequests = accountRequestLines(ctx);
  const unattributed = [
    ...unattributedLines(ctx, (arn) => specs.get(arn) ?? null),
    ...unlistedKeyLines(snapshot),
  ];
  const keyLines = keys.flatMap((k) => k.lines);
  const credits = freeTierCredits(
    ctx,
    [...keyLines, ...accountRequests, ...unattributed],
    scope,
    new Set(input.snapshot.accounts),
  );
  const all = [...keyLines, ...accountLevelLines({ accountRequests, unattributed, credits })];

  for (const region of [...ctx.regionsUsed].sort()) {
    const r = resolve(region);
    if (r.prices === null) continue;
    if (r.fallback) {
      log.add('UNLISTED_REGION_PRICES_FROM', region);
      log.add('UNVERIFIED_REGION_PRICES', region);
    } else if (r.prices.verified === false) log.add('UNVERIFIED_REGION_PRICES', region);
  }
  for (const [region, r] of [...resolved.entries()].sort(([a], [b]) => a.localeCompare(b)))
    if (r.prices === null)
      ctx.notices.add(
        `Region ${region} could not be priced (${r.reason}); its lines are unknown, the rest of the report is priced.`,
      );
  if (ctx.evidenceBeforeMonth !== null)
    ctx.notices.add(
      `Month to date from evidence collected at ${ctx.evidenceBeforeMonth}, before ${month} began: key and rotation fees are unknown; collect the inventory again to price the month.`,
    );
  else if (period.end < whole.end)
    ctx.notices.add(
      `Month to date: priced up to ${new Date(period.end).toISOString()} (the evidence time), ${billedHours([{ start: period.start, end: period.end }], period, policy).hours} of the month's ${whole.hours} hours; key and rotation fees for the rest of the month are not included.`,
    );

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
  // One figure (see MonthCost.total): the accounts the inventory covers; others are billed apart.
  const perAccount = new Map<string, CostTotal[]>(snapshot.accounts.map((a) => [a, []]));
  for (const s of subtotals) {
    const list = perAccount.get(s.account);
    if (list) list.push(s.total);
    else perAccount.set(s.account, [s.total]);
  }
  const byBilledAccount = [...perAccount.entries()]
    .map(([account, totals]) => ({ account, inTotal: ctx.inTotal.has(account), total: sumTotals(totals) }))
    .sort((a, b) => a.account.localeCompare(b.account));
  const sumOf = (inTotal: boolean) =>
    sumTotals(byBilledAccount.filter((a) => a.inTotal === inTotal).map((a) => a.total));

  return {
    kind: 'kms-report/month-cost',
    schemaVersion: 1,
    month,
    period: {
      start: new Date(whole.start).toISOString(),
      end: new Date(whole.end).toISOString(),
      hours: whole.hours,
      pricedUntil: new Date(period.end).toISOString(),
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
    accountRequests,
    unattributed,
    credits,
    subtotals,
    byBilledAccount,
    total: sumOf(true),
    billedToOtherAccounts: sumOf(false),
    assumptions: log.list(),
    notices: [...ctx.notices].sort(),
  };
}
