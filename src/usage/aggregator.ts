import type { KeylessRequestCount, LifecycleEvent, RequestCount, UsageSource } from '../model/usage.js';
import { compareBy, compareText, compositeKey } from '../util/compare.js';
import { interpretKmsRecord, type KeyClass } from './events.js';

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

/**
 * Everything an aggregator has counted, as plain data (structured-clone safe): what a counting
 * worker sends back to be merged (see {@link UsageAggregator.merge}).
 */
export interface AggregatorState {
  readonly counts: readonly RequestCount[];
  readonly keyless: readonly KeylessRequestCount[];
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

interface CountEntry {
  readonly key: Omit<RequestCount, 'count' | 'failedCount'>;
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
  private readonly startMs: number;
  private readonly endMs: number;
  private readonly afterEndMs: number;
  readonly stats: AggregateStats = {
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

  /**
   * `window.afterEnd`: lifecycle events from the window's end up to this time are kept apart, as
   * evidence after the month (when a key found pending deletion was scheduled); their requests
   * are not counted.
   */
  constructor(
    readonly source: UsageSource,
    window: { readonly start: Date; readonly end: Date; readonly afterEnd?: Date },
  ) {
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
    s.requests += 1;
    if (f.failed) {
      entry.failed += 1;
      s.failedRequests += 1;
    } else entry.ok += 1;
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
