import pLimit from 'p-limit';
import { classifyAwsError, RegionCredentialsFailure } from '../collect/aws-errors.js';
import type { NetworkOptions } from '../collect/client-defaults.js';
import type { UsageClients } from '../collect/clients.js';
import { awsCredentialsError } from '../collect/credentials.js';
import { InputError } from '../errors.js';
import type {
  AccountUsageTotal,
  CallerRequestCount,
  KeylessRequestCount,
  LifecycleEvent,
  MonthUsage,
  RequestCount,
  UsageCoverage,
  UsageSource,
} from '../model/usage.js';
import { type Clock, systemClock } from '../util/clock.js';
import { compareText, compositeKey } from '../util/compare.js';
import type { MonthWindow } from '../util/month.js';
import { TOOL_VERSION } from '../version.js';
import { type AthenaMonthReader, type AthenaUsageOptions, athenaMonthReader } from './athena.js';
import { collectCloudWatchUsage } from './cloudwatch.js';
import type { KeyClass } from './events.js';
import { USAGE_KIND, USAGE_SCHEMA_VERSION, type UsageEvidence } from './evidence.js';
import { assertInEventHistory, collectLookupEvents } from './lookup-events.js';
import { type ReconciliationRow, reconcileUsage } from './reconcile.js';
import { collectS3TrailLogs } from './s3-logs.js';
import type { PerKeySourceResult, UsageProgress } from './source.js';

/** The sources as named on the command line. */
export type UsageSourceOption = 'lookup' | 's3' | 'athena' | 'cloudwatch';

export const USAGE_SOURCE_OF: Readonly<Record<UsageSourceOption, UsageSource>> = {
  lookup: 'cloudtrail-lookup',
  s3: 'cloudtrail-s3',
  athena: 'cloudtrail-athena',
  cloudwatch: 'cloudwatch',
};
/** The sources every region's coverage names (chosen or not); `athena` is named only when chosen. */
const ALL_SOURCES: readonly UsageSourceOption[] = ['lookup', 's3', 'cloudwatch'];
const SELECTABLE_SOURCES: readonly UsageSourceOption[] = ['lookup', 's3', 'athena', 'cloudwatch'];
/** The sources that count per key: at most one of them in a run. */
const PER_KEY_OPTIONS: readonly UsageSourceOption[] = ['lookup', 's3', 'athena'];

/**
 * Checks a `--source` list (`lookup`, `s3`, `cloudwatch`, comma-separated); names the bad entry.
 *
 * @example
 * ```ts
 * parseSourceList('lookup,cloudwatch'); // ['lookup', 'cloudwatch']
 * ```
 */
export function parseSourceList(input: string, flag = '--source'): UsageSourceOption[] {
  const names = [...new Set(input.split(',').map((s) => s.trim()))].filter(Boolean);
  if (names.length === 0)
    throw new InputError(flag, `expected a comma-separated list of ${SELECTABLE_SOURCES.join(', ')}`);
  for (const name of names)
    if (!(SELECTABLE_SOURCES as readonly string[]).includes(name))
      throw new InputError(flag, `unknown source "${name}" (expected ${SELECTABLE_SOURCES.join(', ')})`);
  return names as UsageSourceOption[];
}

/** How a month's usage is read: the same for every account of a run. */
export interface UsageReadOptions {
  readonly sources: readonly UsageSourceOption[];
  /** Named profile of the default clients, and the name in error messages. */
  readonly profile?: string;
  /** Timeouts of the default clients (not of injected `clients`). */
  readonly network?: NetworkOptions;
  /** For `s3`: the trail's bucket. */
  readonly bucket?: string;
  /** For `s3`: the key path before `<account>/CloudTrail/` (default `AWSLogs/`). */
  readonly prefix?: string;
  /** For `s3`: the bucket's region (default: the first region). */
  readonly bucketRegion?: string;
  readonly s3Concurrency?: number;
  /** For `athena`: the organisation trail's table and where to query it (README, "Athena"). */
  readonly athena?: AthenaUsageOptions;
  /** Regions read at once. Default 4. */
  readonly regionConcurrency?: number;
  readonly clock?: Clock;
  /** Stops every source cleanly (after the page or files in flight); what was read is kept as `partial`. */
  readonly signal?: AbortSignal;
  /**
   * The run's deadline (see `startDeadline`): sources stop, cut what is in flight, and keep what
   * they read as `partial` coverage (`failed` when nothing was read), saying the deadline passed.
   * Not an interruption: the result is not marked `interrupted`.
   */
  readonly deadline?: AbortSignal;
  readonly onProgress?: (progress: UsageProgress) => void;
}

/** One account's month: whose, which regions, with which clients. */
export interface AccountUsageOptions extends UsageReadOptions {
  readonly month: MonthWindow;
  readonly account: string;
  readonly regions: readonly string[];
  readonly clients: UsageClients;
  /**
   * For `athena`: the month's query shared by every account of the run (made by
   * `collectMonthUsage`); one is made for the account alone when absent.
   */
  readonly athenaReader?: AthenaMonthReader;
}

/** One month's usage of one account, with what the collection learned on the way. */
export interface AccountUsageResult {
  readonly account: string;
  readonly usage: MonthUsage;
  readonly keyClasses: Record<string, KeyClass>;
  readonly reconciliation: ReconciliationRow[];
  readonly interrupted: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
}

/**
 * Refuses, before any call, what cannot be read: no region or no source, `lookup` with `s3`
 * (the same events twice), `s3` without a bucket, `lookup` for a month Event history no longer
 * holds. `regions` undefined: the accounts' regions are checked where they are known.
 */
export function validateUsageRequest(
  options: Pick<UsageReadOptions, 'sources' | 'bucket' | 'athena'> & { readonly regions?: readonly string[] },
  window: MonthWindow,
  now: Date,
): void {
  if (options.regions?.length === 0) throw new InputError('--regions', 'no region to read');
  if (options.sources.length === 0) throw new InputError('--source', 'no source to read');
  const perKey = options.sources.filter((s) => PER_KEY_OPTIONS.includes(s));
  if (perKey.length > 1)
    throw new InputError(
      '--source',
      `${perKey.join(' and ')} read the same CloudTrail events and would count every request twice: choose one of them`,
    );
  if (options.sources.includes('athena') && !options.athena?.table)
    throw new InputError('--athena-table', "the athena source needs the trail's table (DB.TABLE)");
  if (options.sources.includes('s3') && !options.bucket)
    throw new InputError('--bucket', 'the s3 source needs the bucket the trail delivers its log files to');
  if (options.sources.includes('lookup')) assertInEventHistory(window, now);
}

const notRequested = (
  account: string,
  region: string,
  option: UsageSourceOption,
  chosen: readonly UsageSourceOption[],
): UsageCoverage => {
  const perKey = chosen.find((s) => PER_KEY_OPTIONS.includes(s));
  const why =
    option === 'cloudwatch'
      ? 'not requested: no account-level totals, so per-key counts cannot be reconciled'
      : perKey
        ? `not requested: per-key counts come from ${USAGE_SOURCE_OF[perKey]}`
        : 'not requested: no per-key request counts for this month';
  return {
    account,
    region,
    source: USAGE_SOURCE_OF[option],
    status: 'not-collected',
    detail: `${why} (--source)`,
  };
};

/** What one region's read gave: its per-key source, its CloudWatch totals, its coverage. */
interface RegionUsage {
  readonly region: string;
  readonly keyed: PerKeySourceResult | null;
  readonly totals: AccountUsageTotal[];
  readonly coverage: UsageCoverage[];
}

/**
 * Collects one month's KMS request volumes and key lifecycle for one account and its regions
 * from the chosen sources: CloudTrail Event history (`lookup`) or the trail's log files
 * (`s3`) for per-key counts and lifecycle events, CloudWatch `AWS/Usage` (`cloudwatch`) for
 * account totals. Each (region, source) gets a coverage entry: a source that failed, was
 * stopped or was not requested is named there, as the gap it is. Per-key counts are reconciled
 * with CloudWatch's totals when both were read. Credentials that stop working are a
 * `CredentialsError` naming the profile.
 *
 * The run's entry point, for one account or many, is `collectMonthUsage`; the request is
 * checked there ({@link validateUsageRequest}).
 */
export async function collectAccountUsage(options: AccountUsageOptions): Promise<AccountUsageResult> {
  const clock = options.clock ?? systemClock;
  const startedAt = new Date(clock.now()).toISOString();
  const results = await readRegions(options, clock);
  const finishedAt = new Date(clock.now()).toISOString();
  const { usage, keyClasses } = monthOfRegions(options.month, results, finishedAt);
  return {
    account: options.account,
    usage,
    keyClasses: Object.fromEntries(Object.entries(keyClasses).sort(([a], [b]) => compareText(a, b))),
    reconciliation: reconcileUsage(usage, keyClasses),
    interrupted: options.signal?.aborted ?? false,
    startedAt,
    finishedAt,
  };
}

/** Reads every region of the account (a bounded number at once), each from the chosen sources. */
async function readRegions(options: AccountUsageOptions, clock: Clock): Promise<RegionUsage[]> {
  const { account, clients, sources: chosen } = options;
  const common = {
    account,
    window: options.month,
    clock,
    signal: options.signal,
    deadline: options.deadline,
    onProgress: options.onProgress,
  };
  const athena = chosen.includes('athena')
    ? (options.athenaReader ?? athenaMonthReader(clients, { ...options, ...common, accounts: [account] }))
    : null;
  const perKey = async (region: string): Promise<PerKeySourceResult | null> => {
    if (athena) return athena.read(account, region);
    if (chosen.includes('lookup'))
      return collectLookupEvents(clients.cloudTrail(region), { ...common, region, afterMonth: true });
    if (chosen.includes('s3'))
      return collectS3TrailLogs(clients.s3(options.bucketRegion ?? (options.regions[0] as string)), {
        ...common,
        region,
        bucket: options.bucket as string,
        prefix: options.prefix,
        concurrency: options.s3Concurrency,
      });
    return null;
  };
  const readRegion = async (region: string): Promise<RegionUsage> => {
    const [keyed, cw] = await Promise.all([
      perKey(region),
      chosen.includes('cloudwatch')
        ? collectCloudWatchUsage(clients.cloudWatch(region), { ...common, region })
        : Promise.resolve(null),
    ]);
    const coverage: UsageCoverage[] = [];
    for (const option of chosen.includes('athena') ? SELECTABLE_SOURCES : ALL_SOURCES) {
      const source = USAGE_SOURCE_OF[option];
      if (keyed?.coverage.source === source) coverage.push(keyed.coverage);
      else if (cw && source === 'cloudwatch') coverage.push(cw.coverage);
      else coverage.push(notRequested(account, region, option, chosen));
    }
    return { region, keyed, totals: cw?.totals ?? [], coverage };
  };
  const limit = pLimit(Math.max(1, options.regionConcurrency ?? 4));
  try {
    return await Promise.all(options.regions.map((region) => limit(() => readRegion(region))));
  } catch (error) {
    if (error instanceof RegionCredentialsFailure) {
      limit.clearQueue();
      throw awsCredentialsError(options.profile, classifyAwsError(error), error);
    }
    throw error;
  }
}

/** Lifecycle events by key, then time, then event: the order of a month's `lifecycle`. */
export const byKeyAndTime = (a: LifecycleEvent, b: LifecycleEvent) =>
  compareText(a.keyArn, b.keyArn) || compareText(a.time, b.time) || compareText(a.event, b.event);
/** One lifecycle event's identity: the same event read twice (two reads, two trails) is kept once. */
export const lifecycleEventId = (e: LifecycleEvent) => compositeKey(e.keyArn, e.event, e.time);

/** The regions' reads as one month: requests, lifecycle (each event once), totals, coverage. */
function monthOfRegions(
  window: MonthWindow,
  results: readonly RegionUsage[],
  finishedAt: string,
): { usage: MonthUsage; keyClasses: Record<string, KeyClass> } {
  const requests: RequestCount[] = [];
  const keylessRequests: KeylessRequestCount[] = [];
  const callers: CallerRequestCount[] = [];
  const lifecycle = new Map<string, LifecycleEvent>();
  const after = new Map<string, LifecycleEvent>();
  const afterCoverage: UsageCoverage[] = [];
  const accountTotals: AccountUsageTotal[] = [];
  const coverage: UsageCoverage[] = [];
  const keyClasses: Record<string, KeyClass> = {};
  for (const r of results) {
    if (r.keyed) {
      keepOwnRegion(r, requests, keylessRequests);
      for (const c of r.keyed.callers) if (c.region === r.region) callers.push(c);
      for (const e of r.keyed.lifecycle) lifecycle.set(lifecycleEventId(e), e);
      if (r.keyed.afterMonth) {
        for (const e of r.keyed.afterMonth.lifecycle) after.set(lifecycleEventId(e), e);
        afterCoverage.push(r.keyed.afterMonth.coverage);
      }
      Object.assign(keyClasses, r.keyed.keyClasses);
    }
    accountTotals.push(...r.totals);
    coverage.push(...r.coverage);
  }
  const usage: MonthUsage = {
    month: window.month,
    window: { start: window.start.toISOString(), end: window.end.toISOString() },
    requests,
    keylessRequests,
    // Who called is unknown (absent) when no region was read from a per-key source.
    ...(results.some((r) => r.keyed) ? { callers } : {}),
    accountTotals,
    lifecycle: [...lifecycle.values()].sort(byKeyAndTime),
    ...(afterCoverage.length > 0
      ? {
          afterMonth: {
            window: { start: window.end.toISOString(), end: finishedAt },
            lifecycle: [...after.values()].sort(byKeyAndTime),
            coverage: afterCoverage,
          },
        }
      : {}),
    coverage,
  };
  return { usage, keyClasses };
}

/**
 * A region's read counts only that region's requests: an event of another region in its logs
 * (files copied under the wrong prefix) is counted when its own region is read, never twice (the
 * evidence reader refuses a repeated row). How many were left out is said in the coverage.
 */
function keepOwnRegion(r: RegionUsage, requests: RequestCount[], keyless: KeylessRequestCount[]): void {
  if (!r.keyed) return;
  let elsewhere = 0;
  for (const q of r.keyed.requests)
    if (q.region === r.region) requests.push(q);
    else elsewhere += q.count;
  for (const q of r.keyed.keylessRequests)
    if (q.region === r.region) keyless.push(q);
    else elsewhere += q.count;
  if (elsewhere === 0) return;
  for (const [i, c] of r.coverage.entries())
    if (c.source === r.keyed.coverage.source)
      r.coverage[i] = {
        ...c,
        detail: `${c.detail ? `${c.detail}; ` : ''}${elsewhere.toLocaleString('en-US')} requests logged for other regions left out (counted when their own region is read)`,
      };
}

/** The evidence file of one account's month. */
export function accountUsageEvidence(result: AccountUsageResult): UsageEvidence {
  return {
    kind: USAGE_KIND,
    schemaVersion: USAGE_SCHEMA_VERSION,
    tool: { name: 'kms-report', version: TOOL_VERSION },
    collection: {
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      interrupted: result.interrupted,
    },
    accounts: [result.account],
    regions: [...new Set(result.usage.coverage.map((c) => c.region))],
    usage: result.usage,
    keyClasses: result.keyClasses,
    reconciliation: result.reconciliation,
  };
}
