import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import pLimit from 'p-limit';
import { classifyAwsError, networkError } from '../collect/aws-errors.js';
import { makeClient, type NetworkOptions } from '../collect/client-defaults.js';
import { credentialsError } from '../collect/credentials.js';
import type { ClientCredentials } from '../collect/inventory.js';
import { RegionCredentialsFailure } from '../collect/kms.js';
import { InputError, KmsReportError } from '../errors.js';
import { awsAccountId } from '../model/account-id.js';
import type {
  AccountUsageTotal,
  KeylessRequestCount,
  LifecycleEvent,
  MonthUsage,
  RequestCount,
  UsageCoverage,
  UsageSource,
} from '../model/usage.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type MonthWindow, parseMonth } from '../util/month.js';
import { TOOL_VERSION } from '../version.js';
import { collectCloudWatchUsage } from './cloudwatch.js';
import type { KeyClass } from './events.js';
import { USAGE_KIND, USAGE_SCHEMA_VERSION, type UsageEvidence } from './evidence.js';
import { assertInEventHistory, collectLookupEvents } from './lookup-events.js';
import { type ReconciliationRow, reconcileUsage } from './reconcile.js';
import { collectS3TrailLogs } from './s3-logs.js';
import type { PerKeySourceResult, UsageProgress } from './source.js';

/** The sources as named on the command line. */
export type UsageSourceOption = 'lookup' | 's3' | 'cloudwatch';

export const USAGE_SOURCE_OF: Readonly<Record<UsageSourceOption, UsageSource>> = {
  lookup: 'cloudtrail-lookup',
  s3: 'cloudtrail-s3',
  cloudwatch: 'cloudwatch',
};
const ALL_SOURCES: readonly UsageSourceOption[] = ['lookup', 's3', 'cloudwatch'];

/** The SDK clients the usage collectors use. Inject your own (tests, custom credentials). */
export interface UsageClients {
  cloudTrail(region: string): CloudTrailClient;
  cloudWatch(region: string): CloudWatchClient;
  /** The client for the trail bucket (`region`: where the bucket is, if known). */
  s3(region: string): S3Client;
  sts(region: string): STSClient;
}

/**
 * Clients on the standard AWS credential chain (or on the `credentials` given: an assumed-role
 * session), with kms-report's retry settings and the timeouts of `network` (see `makeClient`).
 * The S3 client follows the bucket's region when it is not the one given.
 */
export function defaultUsageClients(
  profile?: string,
  credentials?: ClientCredentials,
  network?: NetworkOptions,
): UsageClients {
  const base = credentials ? { credentials } : profile ? { profile } : {};
  const cache = new Map<string, unknown>();
  const once = <T>(id: string, make: () => T): T => {
    if (!cache.has(id)) cache.set(id, make());
    return cache.get(id) as T;
  };
  return {
    cloudTrail: (region) =>
      once(`ct/${region}`, () => makeClient(CloudTrailClient, { ...base, region }, network)),
    cloudWatch: (region) =>
      once(`cw/${region}`, () => makeClient(CloudWatchClient, { ...base, region }, network)),
    s3: (region) =>
      once(`s3/${region}`, () =>
        makeClient(S3Client, { ...base, region, followRegionRedirects: true }, network),
      ),
    sts: (region) => makeClient(STSClient, { ...base, region }, network),
  };
}

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
    throw new InputError(flag, `expected a comma-separated list of ${ALL_SOURCES.join(', ')}`);
  for (const name of names)
    if (!(ALL_SOURCES as readonly string[]).includes(name))
      throw new InputError(flag, `unknown source "${name}" (expected ${ALL_SOURCES.join(', ')})`);
  return names as UsageSourceOption[];
}

export interface CollectMonthUsageOptions {
  /** `YYYY-MM`, or a window from {@link parseMonth}. */
  readonly month: string | MonthWindow;
  readonly regions: readonly string[];
  readonly sources: readonly UsageSourceOption[];
  /** The account whose usage is read; default: the caller's (sts:GetCallerIdentity). */
  readonly account?: string;
  readonly clients?: UsageClients;
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

/** One month's usage of one account, with what the collection learned on the way. */
export interface MonthUsageResult {
  readonly account: string;
  readonly usage: MonthUsage;
  readonly keyClasses: Record<string, KeyClass>;
  readonly reconciliation: ReconciliationRow[];
  readonly interrupted: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
}

function validate(options: CollectMonthUsageOptions, window: MonthWindow, now: Date): void {
  if (options.regions.length === 0) throw new InputError('--regions', 'no region to read');
  if (options.sources.length === 0) throw new InputError('--source', 'no source to read');
  if (options.sources.includes('lookup') && options.sources.includes('s3'))
    throw new InputError(
      '--source',
      'lookup and s3 read the same CloudTrail events and would count every request twice: choose one of them',
    );
  if (options.sources.includes('s3') && !options.bucket)
    throw new InputError('--bucket', 'the s3 source needs the bucket the trail delivers its log files to');
  if (options.sources.includes('lookup')) assertInEventHistory(window, now);
}

async function callerAccount(options: CollectMonthUsageOptions, clients: UsageClients): Promise<string> {
  let account: string;
  try {
    const who = await clients.sts(options.regions[0] as string).send(new GetCallerIdentityCommand({}));
    if (!who.Account) throw new Error('GetCallerIdentity returned no account');
    account = who.Account;
  } catch (error) {
    const e = classifyAwsError(error);
    if (e.kind === 'unreachable') throw networkError('sts:GetCallerIdentity', e, error);
    if (e.kind === 'credentials' || e.kind === 'region-unavailable' || e.kind === 'access-denied')
      throw credentialsError(options.profile, `${e.code}${e.message ? `: ${e.message}` : ''}`, error);
    throw new KmsReportError(
      `could not identify the account (sts:GetCallerIdentity: ${e.code} ${e.message})`,
      {
        cause: error,
      },
    );
  }
  // The account names folders and files: an answer that is not an account id is refused.
  return awsAccountId(account, 'sts:GetCallerIdentity');
}

const notRequested = (
  account: string,
  region: string,
  option: UsageSourceOption,
  chosen: readonly UsageSourceOption[],
): UsageCoverage => {
  const perKey = chosen.find((s) => s === 'lookup' || s === 's3');
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

/**
 * Collects one month's KMS request volumes and key lifecycle for one account and its regions
 * from the chosen sources: CloudTrail Event history (`lookup`) or the trail's log files
 * (`s3`) for per-key counts and lifecycle events, CloudWatch `AWS/Usage` (`cloudwatch`) for
 * account totals. Each (region, source) gets a coverage entry: a source that failed, was
 * stopped or was not requested is named there, as the gap it is. Per-key counts are reconciled
 * with CloudWatch's totals when both were read.
 *
 * Refused before any call: `lookup` with `s3` (the same events twice), `s3` without a bucket,
 * `lookup` for a month Event history no longer holds.
 *
 * @example
 * ```ts
 * import { collectMonthUsage, usageEvidence, writeUsageEvidence } from 'kms-report';
 *
 * const result = await collectMonthUsage({
 *   month: '2026-10',
 *   regions: ['us-east-1', 'eu-west-1'],
 *   sources: ['lookup', 'cloudwatch'],
 * });
 * await writeUsageEvidence('reports/usage-2026-10.json', usageEvidence(result));
 * ```
 */
export async function collectMonthUsage(options: CollectMonthUsageOptions): Promise<MonthUsageResult> {
  const clock = options.clock ?? systemClock;
  const startedAt = new Date(clock.now()).toISOString();
  const window = typeof options.month === 'string' ? parseMonth(options.month) : options.month;
  validate(options, window, new Date(clock.now()));
  const clients = options.clients ?? defaultUsageClients(options.profile, undefined, options.network);
  const account = options.account ?? (await callerAccount(options, clients));
  const chosen = options.sources;
  const common = {
    account,
    window,
    clock,
    signal: options.signal,
    deadline: options.deadline,
    onProgress: options.onProgress,
  };

  const perKey = async (region: string): Promise<PerKeySourceResult | null> => {
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

  const limit = pLimit(Math.max(1, options.regionConcurrency ?? 4));
  let results: {
    region: string;
    keyed: PerKeySourceResult | null;
    totals: AccountUsageTotal[];
    coverage: UsageCoverage[];
  }[];
  try {
    results = await Promise.all(
      options.regions.map((region) =>
        limit(async () => {
          const [keyed, cw] = await Promise.all([
            perKey(region),
            chosen.includes('cloudwatch')
              ? collectCloudWatchUsage(clients.cloudWatch(region), { ...common, region })
              : Promise.resolve(null),
          ]);
          const coverage: UsageCoverage[] = [];
          for (const option of ALL_SOURCES) {
            const source = USAGE_SOURCE_OF[option];
            if (keyed?.coverage.source === source) coverage.push(keyed.coverage);
            else if (cw && source === 'cloudwatch') coverage.push(cw.coverage);
            else coverage.push(notRequested(account, region, option, chosen));
          }
          return { region, keyed, totals: cw?.totals ?? [], coverage };
        }),
      ),
    );
  } catch (error) {
    if (error instanceof RegionCredentialsFailure) {
      limit.clearQueue();
      throw credentialsError(options.profile, error.message, error);
    }
    throw error;
  }

  const requests: RequestCount[] = [];
  const keylessRequests: KeylessRequestCount[] = [];
  const lifecycle = new Map<string, LifecycleEvent>();
  const after = new Map<string, LifecycleEvent>();
  const afterCoverage: UsageCoverage[] = [];
  const accountTotals: AccountUsageTotal[] = [];
  const coverage: UsageCoverage[] = [];
  const keyClasses: Record<string, KeyClass> = {};
  for (const r of results) {
    if (r.keyed) {
      // A region's read counts only that region's requests: an event of another region in its
      // logs (files copied under the wrong prefix) is counted when its own region is read, never
      // twice (the evidence reader refuses a repeated row).
      let elsewhere = 0;
      for (const q of r.keyed.requests)
        if (q.region === r.region) requests.push(q);
        else elsewhere += q.count;
      for (const q of r.keyed.keylessRequests)
        if (q.region === r.region) keylessRequests.push(q);
        else elsewhere += q.count;
      if (elsewhere > 0)
        for (const [i, c] of r.coverage.entries())
          if (c.source === r.keyed.coverage.source)
            r.coverage[i] = {
              ...c,
              detail: `${c.detail ? `${c.detail}; ` : ''}${elsewhere.toLocaleString('en-US')} requests logged for other regions left out (counted when their own region is read)`,
            };
      for (const e of r.keyed.lifecycle) lifecycle.set(`${e.keyArn}\u0000${e.event}\u0000${e.time}`, e);
      if (r.keyed.afterMonth) {
        for (const e of r.keyed.afterMonth.lifecycle)
          after.set(`${e.keyArn}\u0000${e.event}\u0000${e.time}`, e);
        afterCoverage.push(r.keyed.afterMonth.coverage);
      }
      Object.assign(keyClasses, r.keyed.keyClasses);
    }
    accountTotals.push(...r.totals);
    coverage.push(...r.coverage);
  }
  const byKeyAndTime = (a: LifecycleEvent, b: LifecycleEvent) =>
    a.keyArn.localeCompare(b.keyArn) || a.time.localeCompare(b.time) || a.event.localeCompare(b.event);
  const finishedAt = new Date(clock.now()).toISOString();
  const usage: MonthUsage = {
    month: window.month,
    window: { start: window.start.toISOString(), end: window.end.toISOString() },
    requests,
    keylessRequests,
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
  return {
    account,
    usage,
    keyClasses: Object.fromEntries(Object.entries(keyClasses).sort(([a], [b]) => a.localeCompare(b))),
    reconciliation: reconcileUsage(usage, keyClasses),
    interrupted: options.signal?.aborted ?? false,
    startedAt,
    finishedAt,
  };
}

/**
 * The evidence file for a collection.
 *
 * @example
 * ```ts
 * await writeUsageEvidence('reports/usage-2026-10.json', usageEvidence(await collectMonthUsage(options)));
 * ```
 */
export function usageEvidence(result: MonthUsageResult): UsageEvidence {
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
