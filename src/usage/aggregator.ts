import {
  type CallerRequestCount,
  type KeylessRequestCount,
  type LifecycleEvent,
  OTHER_CALLERS,
  type RequestCount,
  type UsageSource,
} from '../model/usage.js';
import { compareBy, compareText, compositeKey } from '../util/compare.js';
import type { CallerIdentity, S3CallContext } from './callers.js';
import { interpretKmsRecord, type KeyClass } from './events.js';

/**
 * The most (key, operation, caller) entries one aggregator tracks apart: when a new caller entry
 * would make more, the smallest are folded into their row's {@link OTHER_CALLERS} until half
 * remain (ties: the first seen is kept). Memory for callers is then bounded (~300 bytes an entry,
 * about 3 MiB) whatever the number of distinct callers, and so is the evidence (one aggregator per
 * account, region and source).
 *
 * What "exact" means: every (account, region, key, operation, pair spec)'s callers, the folded
 * tail included, always add up to its request count. A month with at most this many distinct
 * entries is counted exactly, caller by caller. Past it, the callers kept are the largest at each
 * fold, and a caller's count is exact unless it was folded earlier and came back (it then counts
 * from its return: a lower bound, short by at most its row's {@link OTHER_CALLERS} count).
 */
export const MAX_CALLER_ENTRIES = 10_000;

/** What became of the records fed to an aggregator. */
export interface AggregateStats {
  /** Records read (every source, every time). */
  records: number;
  /** KMS records inside the window. */
  kmsEvents: number;
  /** Requests counted on a key (successful and failed). */
  requests: number;
  failedRequests: number;
  lifecycleEvents: number;
  /** KMS records outside the window (log files are dated by delivery, not by event). */
  outsideWindow: number;
  /** Lifecycle events kept from after the window (see `afterEnd`). */
  afterLifecycleEvents: number;
  /** Records of other services (log files hold every service's events). */
  otherSources: number;
  malformed: number;
  /** KMS requests that name no key (GenerateRandom, a call refused before the key was resolved), by operation. */
  keyless: Record<string, number>;
  /** The oldest and newest event time seen inside the window (ms), or null. */
  oldest: number | null;
  newest: number | null;
}

/** Stats before any record is read. */
export function emptyAggregateStats(): AggregateStats {
  return {
    records: 0,
    kmsEvents: 0,
    requests: 0,
    failedRequests: 0,
    lifecycleEvents: 0,
    outsideWindow: 0,
    afterLifecycleEvents: 0,
    otherSources: 0,
    malformed: 0,
    keyless: {},
    oldest: null,
    newest: null,
  };
}

/**
 * Everything an aggregator has counted, as plain data (structured-clone safe): what a counting
 * worker sends back to be merged (see {@link UsageAggregator.merge}).
 */
export interface AggregatorState {
  readonly counts: readonly RequestCount[];
  readonly keyless: readonly KeylessRequestCount[];
  /** The counts again by caller (the folded tail as {@link OTHER_CALLERS}); at most {@link MAX_CALLER_ENTRIES} plus one tail per count. */
  readonly callers: readonly CallerRequestCount[];
  readonly lifecycle: readonly LifecycleEvent[];
  readonly afterLifecycle: readonly LifecycleEvent[];
  readonly classes: readonly (readonly [string, KeyClass])[];
  readonly stats: AggregateStats;
}

/** Per-key counts in order: account, region, key, operation, pair spec. */
const REQUEST_ORDER = compareBy<RequestCount>(
  (r) => r.account,
  (r) => r.region,
  (r) => r.keyArn,
  (r) => r.operation,
  (r) => r.keyPairSpec ?? '',
);
/** Requests that name no key in order: account, region, operation. */
const KEYLESS_ORDER = compareBy<KeylessRequestCount>(
  (r) => r.account,
  (r) => r.region,
  (r) => r.operation,
);
/** Lifecycle events per key in time order. */
const LIFECYCLE_ORDER = compareBy<LifecycleEvent>(
  (e) => e.keyArn,
  (e) => e.time,
  (e) => e.event,
);

/**
 * Caller rows in order: the count's order (account, region, key, operation, pair spec), then the
 * caller (the folded tail last), its account, the service, the bucket.
 */
export const compareCallerRows = (a: CallerRequestCount, b: CallerRequestCount): number =>
  REQUEST_ORDER(a, b) ||
  Number(a.callerType === 'other-callers') - Number(b.callerType === 'other-callers') ||
  compareText(a.caller, b.caller) ||
  compareText(a.callerAccount ?? '', b.callerAccount ?? '') ||
  compareText(a.invokedBy ?? '', b.invokedBy ?? '') ||
  compareText(a.bucketArn ?? '', b.bucketArn ?? '') ||
  compareText(a.s3ContextScope ?? '', b.s3ContextScope ?? '') ||
  compareText(a.callerType, b.callerType);

/** The caller fields of the folded tail. */
const FOLDED_TAIL: CallerIdentity & S3CallContext = {
  caller: OTHER_CALLERS,
  callerType: 'other-callers',
  callerAccount: null,
  invokedBy: null,
  bucketArn: null,
  s3ContextScope: null,
};

/** A caller row of one count, its fields in the model's order. */
function callerRow(
  row: CountEntry,
  c: CallerIdentity & S3CallContext,
  count: number,
  failedCount: number,
): CallerRequestCount {
  const { account, region, keyArn, operation, keyPairSpec, source } = row.key;
  return {
    account,
    region,
    keyArn,
    operation,
    keyPairSpec,
    caller: c.caller,
    callerType: c.callerType,
    callerAccount: c.callerAccount,
    invokedBy: c.invokedBy,
    bucketArn: c.bucketArn,
    s3ContextScope: c.s3ContextScope,
    count,
    failedCount,
    source,
  };
}

interface CountEntry {
  readonly key: Omit<RequestCount, 'count' | 'failedCount'>;
  ok: number;
  failed: number;
  /**
   * Its callers, by caller, each list (the caller's services and buckets) matched on every field.
   * The texts read from records are the same strings each time (see callers.ts): comparing them
   * is comparing references.
   */
  readonly callers: Map<string, CallerEntry[]>;
  /** The folded tail ({@link OTHER_CALLERS}). */
  otherOk: number;
  otherFailed: number;
}

/** One caller of one count. */
interface CallerEntry {
  readonly row: CountEntry;
  /** Its key in `row.callers`. */
  readonly slot: string;
  readonly caller: string;
  readonly callerType: CallerRequestCount['callerType'];
  readonly callerAccount: string | null;
  readonly invokedBy: string | null;
  readonly bucketArn: string | null;
  readonly s3ContextScope: 'bucket' | 'object' | null;
  ok: number;
  failed: number;
}

/**
 * Counts KMS CloudTrail records into per-key request counts and lifecycle events, as they are
 * read. Records are never kept: memory grows with the number of distinct (account, region, key,
 * operation, pair spec) and of lifecycle events, not with the number of records.
 *
 * @example
 * ```ts
 * const agg = new UsageAggregator('cloudtrail-s3', { start, end });
 * for (const record of file.Records) agg.add(record);
 * const { requests, lifecycle } = agg.result();
 * ```
 */
export class UsageAggregator {
  /**
   * Key ARN → operation → the counts of each (billed account, region, pair spec) seen with it
   * (almost always one). Nested rather than keyed by one joined string: building and hashing a
   * ~150-character key per record was the largest cost of counting it.
   */
  private readonly counts = new Map<string, Map<string, CountEntry[]>>();
  private readonly lifecycle = new Map<string, LifecycleEvent>();
  /** Lifecycle events from the window's end to `afterEnd`: evidence after the month. */
  private readonly afterLifecycle = new Map<string, LifecycleEvent>();
  /** Requests that name no key, by billed account, region and operation. */
  private readonly keyless = new Map<
    string,
    { key: Omit<KeylessRequestCount, 'count' | 'failedCount'>; ok: number; failed: number }
  >();
  private readonly classes = new Map<string, KeyClass>();
  /** Every caller entry tracked apart, in the order first seen (see {@link MAX_CALLER_ENTRIES}). */
  private callerEntries: CallerEntry[] = [];
  private readonly maxCallers: number;
  private readonly startMs: number;
  private readonly endMs: number;
  private readonly afterEndMs: number;
  readonly stats: AggregateStats = emptyAggregateStats();

  /**
   * `window.afterEnd`: lifecycle events from the window's end up to this time are kept apart, as
   * evidence after the month (when a key found pending deletion was scheduled); their requests
   * are not counted. `limits.maxCallers`: caller entries tracked apart (default
   * {@link MAX_CALLER_ENTRIES}, at least 2).
   */
  constructor(
    readonly source: UsageSource,
    window: { readonly start: Date; readonly end: Date; readonly afterEnd?: Date },
    limits: { readonly maxCallers?: number } = {},
  ) {
    this.maxCallers = Math.max(2, Math.floor(limits.maxCallers ?? MAX_CALLER_ENTRIES));
    this.startMs = window.start.getTime();
    this.endMs = window.end.getTime();
    this.afterEndMs = window.afterEnd?.getTime() ?? this.endMs;
  }

  /** Counts one record (parsed JSON). */
  add(record: unknown): void {
    const s = this.stats;
    s.records += 1;
    const read = interpretKmsRecord(record);
    if (read.kind === 'other-source') {
      s.otherSources += 1;
      return;
    }
    if (read.kind === 'malformed') {
      s.malformed += 1;
      return;
    }
    const f = read.facts;
    const t = f.time.getTime();
    if (t < this.startMs || t >= this.endMs) {
      s.outsideWindow += 1;
      if (t >= this.endMs && t < this.afterEndMs) for (const e of f.lifecycle) this.keepAfter(e);
      return;
    }
    s.kmsEvents += 1;
    if (s.oldest === null || t < s.oldest) s.oldest = t;
    if (s.newest === null || t > s.newest) s.newest = t;

    for (const e of f.lifecycle) this.keep(e);
    // KMS acting on its own (automatic rotation, deletion at the end of the window) is not a request.
    if (f.serviceEvent) return;

    const keyArn = f.keyArns[0];
    if (keyArn === undefined || f.billedAccount === null) {
      s.keyless[f.eventName] = (s.keyless[f.eventName] ?? 0) + 1;
      if (keyArn === undefined && f.billedAccount !== null) {
        const entry = this.keylessFor(f.billedAccount, f.region, f.eventName);
        if (f.failed) entry.failed += 1;
        else entry.ok += 1;
      }
      return;
    }
    if (f.keyClass && !this.classes.has(keyArn)) this.classes.set(keyArn, f.keyClass);
    const entry = this.entryFor(keyArn, f.eventName, f.billedAccount, f.region, f.keyPairSpec);
    const by = this.callerFor(entry, f.caller, f.s3);
    s.requests += 1;
    if (f.failed) {
      entry.failed += 1;
      by.failed += 1;
      s.failedRequests += 1;
    } else {
      entry.ok += 1;
      by.ok += 1;
    }
  }

  /**
   * Counts `ok` successful and `failed` failed requests already grouped elsewhere (an Athena
   * query's rows) on one (key, operation, billed account, region, pair spec) by one caller, as if
   * that many records had been added: the same counts, the same caller limit and fold. The
   * window is not consulted (the query applied it).
   */
  addCounted(
    request: Pick<RequestCount, 'account' | 'region' | 'keyArn' | 'operation' | 'keyPairSpec'>,
    caller: CallerIdentity & S3CallContext,
    ok: number,
    failed: number,
  ): void {
    const entry = this.entryFor(
      request.keyArn,
      request.operation,
      request.account,
      request.region,
      request.keyPairSpec,
    );
    const by = this.callerFor(entry, caller, caller);
    entry.ok += ok;
    entry.failed += failed;
    by.ok += ok;
    by.failed += failed;
    this.stats.requests += ok + failed;
    this.stats.failedRequests += failed;
  }

  /** The caller entry of one count, made on first use (which may fold the smallest: see {@link MAX_CALLER_ENTRIES}). */
  private callerFor(row: CountEntry, id: CallerIdentity, s3: S3CallContext): CallerEntry {
    const slot = id.caller;
    let list = row.callers.get(slot);
    if (list) {
      for (const c of list)
        if (
          c.caller === id.caller &&
          c.invokedBy === id.invokedBy &&
          c.bucketArn === s3.bucketArn &&
          c.s3ContextScope === s3.s3ContextScope &&
          c.callerAccount === id.callerAccount &&
          c.callerType === id.callerType
        )
          return c;
    } else {
      list = [];
      row.callers.set(slot, list);
    }
    const entry: CallerEntry = {
      row,
      slot,
      caller: id.caller,
      callerType: id.callerType,
      callerAccount: id.callerAccount,
      invokedBy: id.invokedBy,
      bucketArn: s3.bucketArn,
      s3ContextScope: s3.s3ContextScope,
      ok: 0,
      failed: 0,
    };
    list.push(entry);
    this.callerEntries.push(entry);
    if (this.callerEntries.length > this.maxCallers) this.foldCallers(entry);
    return entry;
  }

  /**
   * Folds the smallest caller entries into their count's {@link OTHER_CALLERS} until half the
   * limit remain: the largest are kept, ties to the first seen. `keep` (the entry just made, about
   * to be counted) is never folded.
   */
  private foldCallers(keep: CallerEntry): void {
    const entries = this.callerEntries;
    const target = Math.floor(this.maxCallers / 2);
    const totals = new Float64Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as CallerEntry;
      totals[i] = e.ok + e.failed;
    }
    totals.sort();
    // Besides `keep` (total 0), `room` entries are kept: those above the smallest total kept, then
    // of the entries at it the first seen.
    const room = target - 1;
    const threshold = room > 0 ? (totals[entries.length - room] as number) : Number.POSITIVE_INFINITY;
    let atThreshold = room;
    for (const e of entries) if (e.ok + e.failed > threshold) atThreshold -= 1;
    const kept: CallerEntry[] = [];
    for (const e of entries) {
      const total = e.ok + e.failed;
      if (e === keep || total > threshold || (total === threshold && atThreshold-- > 0)) kept.push(e);
      else this.fold(e);
    }
    this.callerEntries = kept;
  }

  /** Moves one caller entry's counts to its row's tail and forgets it. */
  private fold(e: CallerEntry): void {
    const row = e.row;
    row.otherOk += e.ok;
    row.otherFailed += e.failed;
    const list = row.callers.get(e.slot) as CallerEntry[];
    if (list.length === 1) row.callers.delete(e.slot);
    else list.splice(list.indexOf(e), 1);
  }

  /** Keeps a lifecycle event of the window once (the same key, event and time is one event). */
  private keep(e: LifecycleEvent): void {
    const id = compositeKey(e.keyArn, e.event, e.time);
    if (!this.lifecycle.has(id)) {
      this.lifecycle.set(id, e);
      this.stats.lifecycleEvents += 1;
    }
  }

  /** Keeps a lifecycle event from after the window once. */
  private keepAfter(e: LifecycleEvent): void {
    const id = compositeKey(e.keyArn, e.event, e.time);
    if (!this.afterLifecycle.has(id)) {
      this.afterLifecycle.set(id, e);
      this.stats.afterLifecycleEvents += 1;
    }
  }

  private keylessFor(account: string, region: string, operation: string) {
    const id = compositeKey(account, region, operation);
    let entry = this.keyless.get(id);
    if (!entry) {
      entry = { key: { account, region, operation, source: this.source }, ok: 0, failed: 0 };
      this.keyless.set(id, entry);
    }
    return entry;
  }

  /** The count of one (key, operation, billed account, region, pair spec), made on first use. */
  private entryFor(
    keyArn: string,
    operation: string,
    account: string,
    region: string,
    keyPairSpec: string | null,
  ): CountEntry {
    let byOperation = this.counts.get(keyArn);
    if (!byOperation) {
      byOperation = new Map();
      this.counts.set(keyArn, byOperation);
    }
    let entries = byOperation.get(operation);
    if (!entries) {
      entries = [];
      byOperation.set(operation, entries);
    }
    for (const e of entries)
      if (e.key.account === account && e.key.region === region && e.key.keyPairSpec === keyPairSpec) return e;
    const entry: CountEntry = {
      key: { account, region, keyArn, operation, keyPairSpec, source: this.source },
      ok: 0,
      failed: 0,
      callers: new Map(),
      otherOk: 0,
      otherFailed: 0,
    };
    entries.push(entry);
    return entry;
  }

  /** What has been counted so far, as plain data to {@link merge} into another aggregator. */
  state(): AggregatorState {
    return {
      counts: [...this.counts.values()]
        .flatMap((byOperation) => [...byOperation.values()].flat())
        .map(({ key, ok, failed }) => ({ ...key, count: ok, failedCount: failed })),
      keyless: this.keylessRequests(),
      callers: this.callerRows(),
      lifecycle: [...this.lifecycle.values()],
      afterLifecycle: [...this.afterLifecycle.values()],
      classes: [...this.classes.entries()],
      stats: { ...this.stats, keyless: { ...this.stats.keyless } },
    };
  }

  /**
   * Adds another aggregator's counts (of other records of the same window) to this one, as if
   * its records had been added here: counts and statistics add up, lifecycle events are kept
   * once, a key's class is the first one known.
   */
  merge(other: AggregatorState): void {
    for (const c of other.counts) {
      const entry = this.entryFor(c.keyArn, c.operation, c.account, c.region, c.keyPairSpec);
      entry.ok += c.count;
      entry.failed += c.failedCount;
    }
    this.mergeCallers(other.callers);
    for (const e of other.lifecycle) this.keep(e);
    for (const k of other.keyless) {
      const entry = this.keylessFor(k.account, k.region, k.operation);
      entry.ok += k.count;
      entry.failed += k.failedCount;
    }
    for (const e of other.afterLifecycle) this.keepAfter(e);
    for (const [arn, keyClass] of other.classes) if (!this.classes.has(arn)) this.classes.set(arn, keyClass);
    const s = this.stats;
    const o = other.stats;
    s.records += o.records;
    s.kmsEvents += o.kmsEvents;
    s.requests += o.requests;
    s.failedRequests += o.failedRequests;
    s.outsideWindow += o.outsideWindow;
    s.otherSources += o.otherSources;
    s.malformed += o.malformed;
    for (const [op, n] of Object.entries(o.keyless)) s.keyless[op] = (s.keyless[op] ?? 0) + n;
    if (o.oldest !== null && (s.oldest === null || o.oldest < s.oldest)) s.oldest = o.oldest;
    if (o.newest !== null && (s.newest === null || o.newest > s.newest)) s.newest = o.newest;
  }

  /** Adds another aggregator's caller rows; the limit holds (the smallest are folded as here). */
  private mergeCallers(rows: readonly CallerRequestCount[]): void {
    for (const c of rows) {
      const row = this.entryFor(c.keyArn, c.operation, c.account, c.region, c.keyPairSpec);
      if (c.callerType === 'other-callers') {
        row.otherOk += c.count;
        row.otherFailed += c.failedCount;
        continue;
      }
      const entry = this.callerFor(row, c, c);
      entry.ok += c.count;
      entry.failed += c.failedCount;
    }
  }

  /**
   * The counts so far by caller, sorted as {@link requests}, then by caller (the folded tail
   * {@link OTHER_CALLERS} last). The callers of each count add up to it.
   */
  callers(): CallerRequestCount[] {
    return this.callerRows().sort(compareCallerRows);
  }

  private callerRows(): CallerRequestCount[] {
    const rows: CallerRequestCount[] = [];
    for (const e of this.callerEntries) {
      rows.push(callerRow(e.row, e, e.ok, e.failed));
    }
    for (const byOperation of this.counts.values())
      for (const list of byOperation.values())
        for (const row of list)
          if (row.otherOk > 0 || row.otherFailed > 0)
            rows.push(callerRow(row, FOLDED_TAIL, row.otherOk, row.otherFailed));
    return rows;
  }

  /** The counts so far, sorted (account, region, key, operation, pair spec). */
  requests(): RequestCount[] {
    return [...this.counts.values()]
      .flatMap((byOperation) => [...byOperation.values()].flat())
      .map(({ key, ok, failed }) => ({ ...key, count: ok, failedCount: failed }))
      .sort(REQUEST_ORDER);
  }

  /** Requests that name no key so far, sorted (account, region, operation). */
  keylessRequests(): KeylessRequestCount[] {
    return [...this.keyless.values()]
      .map(({ key, ok, failed }) => ({ ...key, count: ok, failedCount: failed }))
      .sort(KEYLESS_ORDER);
  }

  /** Lifecycle events kept from after the window, per key in time order. */
  afterLifecycleEvents(): LifecycleEvent[] {
    return [...this.afterLifecycle.values()].sort(LIFECYCLE_ORDER);
  }

  /** Lifecycle events so far, per key in time order. */
  lifecycleEvents(): LifecycleEvent[] {
    return [...this.lifecycle.values()].sort(LIFECYCLE_ORDER);
  }

  /** The key class each key's requests revealed, by ARN. */
  keyClasses(): Record<string, KeyClass> {
    return Object.fromEntries([...this.classes.entries()].sort(([a], [b]) => compareText(a, b)));
  }
}
