import { type ClassifiedError, RegionCredentialsFailure } from '../collect/aws-errors.js';
import type { IsoDate } from '../model/inventory.js';
import type {
  CallerRequestCount,
  KeylessRequestCount,
  LifecycleEvent,
  RequestCount,
  UsageCoverage,
  UsageSource,
} from '../model/usage.js';
import type { Clock } from '../util/clock.js';
import { compareText } from '../util/compare.js';
import type { MonthWindow } from '../util/month.js';
import type { AggregateStats, UsageAggregator } from './aggregator.js';
import type { KeyClass } from './events.js';

/** What every usage source of one account and region is asked: where, which month, how to stop. */
export interface UsageSourceOptions {
  readonly account: string;
  readonly region: string;
  readonly window: MonthWindow;
  readonly clock?: Clock;
  /** Ctrl-C: stops after the work in flight; the result is then `partial` with what was read. */
  readonly signal?: AbortSignal;
  /**
   * The run's deadline (see `startDeadline`): once it passes no request is started, those in
   * flight are cut, and the coverage is `partial` with what was read (`failed` if nothing was),
   * saying the deadline passed.
   */
  readonly deadline?: AbortSignal;
  readonly onProgress?: (progress: UsageProgress) => void;
}

/** Progress of one source in one account and region, for a terminal line. */
export interface UsageProgress {
  readonly account: string;
  readonly region: string;
  readonly source: UsageSource;
  /** KMS events counted so far (inside the window). */
  readonly events: number;
  /** Pages (LookupEvents), log files (S3) or GetMetricData calls (CloudWatch) done. */
  readonly pages: number;
  /** KMS events per second since the source started. */
  readonly eventsPerSecond: number;
  /** How much of the month has been read, 0 to 1. */
  readonly fraction: number;
  /** Estimated seconds left, from the time taken so far and the fraction read; null until known. */
  readonly etaSeconds: number | null;
}

/** What a per-key source (CloudTrail Event history or log files) produced for one account and region. */
export interface PerKeySourceResult {
  readonly coverage: UsageCoverage;
  readonly requests: RequestCount[];
  /** Requests that name no key, per billed account, region and operation. */
  readonly keylessRequests: KeylessRequestCount[];
  /** The requests again by caller; each count's callers add up to it (see `MAX_CALLER_ENTRIES`). */
  readonly callers: CallerRequestCount[];
  readonly lifecycle: LifecycleEvent[];
  /**
   * Lifecycle events after the month (to the time the source was read), with how much of that
   * time was read; null when the source read nothing after the month.
   */
  readonly afterMonth: { readonly lifecycle: LifecycleEvent[]; readonly coverage: UsageCoverage } | null;
  readonly keyClasses: Record<string, KeyClass>;
  readonly stats: AggregateStats & { readonly pages: number };
}

/** Turns counts and time into a {@link UsageProgress}. */
export function progressMeter(
  clock: Clock,
  base: Pick<UsageProgress, 'account' | 'region' | 'source'>,
  onProgress: ((p: UsageProgress) => void) | undefined,
) {
  const started = clock.now();
  return (events: number, pages: number, fraction: number) => {
    if (!onProgress) return;
    const elapsed = Math.max(0, clock.now() - started) / 1000;
    const f = Math.min(1, Math.max(0, fraction));
    onProgress({
      ...base,
      events,
      pages,
      eventsPerSecond: elapsed > 0 ? events / elapsed : 0,
      fraction: f,
      etaSeconds: f > 0 && elapsed > 0 ? (elapsed * (1 - f)) / f : f >= 1 ? 0 : null,
    });
  };
}

const n = (v: number) => v.toLocaleString('en-US');
export const iso = (ms: number): IsoDate => new Date(ms).toISOString();

/** One sentence of what an aggregator counted, for a coverage entry. */
export function describeCounts(agg: UsageAggregator): string {
  const s = agg.stats;
  const parts = [
    `${n(s.kmsEvents)} KMS events in the month (${n(s.requests)} requests on keys, ${n(s.failedRequests)} of them failed; ${n(s.lifecycleEvents)} lifecycle events)`,
  ];
  const keyless = Object.entries(s.keyless);
  if (keyless.length > 0)
    parts.push(
      `${n(keyless.reduce((a, [, c]) => a + c, 0))} requests name no key and are not counted per key (${keyless
        .sort(([a], [b]) => compareText(a, b))
        .map(([op, c]) => `${op} ${n(c)}`)
        .join(', ')})`,
    );
  if (s.malformed > 0) parts.push(`${n(s.malformed)} records could not be read`);
  return parts.join('; ');
}

/** The per-key result of an aggregator with its coverage. */
export function perKeyResult(
  agg: UsageAggregator,
  coverage: UsageCoverage,
  pages: number,
  afterMonth: PerKeySourceResult['afterMonth'] = null,
): PerKeySourceResult {
  return {
    coverage,
    requests: agg.requests(),
    keylessRequests: agg.keylessRequests(),
    callers: agg.callers(),
    lifecycle: agg.lifecycleEvents(),
    afterMonth,
    keyClasses: agg.keyClasses(),
    stats: { ...agg.stats, keyless: { ...agg.stats.keyless }, pages },
  };
}

/** The coverage entries of one source in one account and region: `(status, detail) => coverage`. */
export function coverageOf(
  account: string,
  region: string,
  source: UsageSource,
): (status: UsageCoverage['status'], detail: string) => UsageCoverage {
  return (status, detail) => ({ account, region, source, status, detail });
}

/** A failed call for a coverage detail: the error code, then AWS's message in brackets if any. */
export const failureText = (e: ClassifiedError): string => `${e.code}${e.message ? ` (${e.message})` : ''}`;

/**
 * The error that ends a region when its credentials fail (expired, refused): the collector
 * retries the region no further and says so, rather than recording a failure per call.
 */
export const credentialsFailure = (e: ClassifiedError, cause: unknown): RegionCredentialsFailure =>
  new RegionCredentialsFailure(e, { cause });
