import pLimit from 'p-limit';
import { classifyAwsError } from '../collect/aws-errors.js';
import { InputError } from '../errors.js';
import type {
  KeylessRequestCount,
  LifecycleEvent,
  MonthUsage,
  RequestCount,
  UsageCoverage,
  UsageSource,
} from '../model/usage.js';
import {
  type CollectMonthUsageOptions,
  collectMonthUsage,
  type MonthUsageResult,
  USAGE_SOURCE_OF,
} from '../usage/collect.js';
import type { KeyClass } from '../usage/events.js';
import { USAGE_KIND, USAGE_SCHEMA_VERSION, type UsageEvidence } from '../usage/evidence.js';
import { reconcileUsage } from '../usage/reconcile.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type MonthWindow, parseMonth } from '../util/month.js';
import { TOOL_VERSION } from '../version.js';
import { defaultOrganizationClients, type OrganizationClients } from './clients.js';
import { type AccountSession, DEFAULT_ACCOUNT_CONCURRENCY } from './collect.js';

const PER_KEY_SOURCES: ReadonlySet<UsageSource> = new Set(['cloudtrail-lookup', 'cloudtrail-s3']);

/** One account's month, as {@link mergeAccountUsage} takes it. */
export interface AccountMonthUsage {
  /** The account whose trail (and CloudWatch) was read. */
  readonly account: string;
  readonly usage: MonthUsage;
}

/** The merged month and how many request rows the merge rule left out. */
export interface MergedUsage {
  readonly usage: MonthUsage;
  /** Request rows read from a key owner's trail that the caller's own trail also holds. */
  readonly duplicatesDropped: number;
}

/**
 * How far an account's own trail was read in a region: `whole` (complete, or read with nothing
 * missing up to its `readUntil` for a month not over), `partial` (stopped early, pages or files
 * missing) or `none` (failed, not collected, or not read at all).
 */
type TrailRead = 'whole' | 'partial' | 'none';

function trailReads(parts: readonly AccountMonthUsage[]): (account: string, region: string) => TrailRead {
  const reads = new Map<string, TrailRead>();
  for (const p of parts)
    for (const c of p.usage.coverage) {
      if (c.account !== p.account || !PER_KEY_SOURCES.has(c.source)) continue;
      const read: TrailRead =
        c.status === 'complete' || (c.status === 'partial' && c.readUntil !== undefined)
          ? 'whole'
          : c.status === 'partial'
            ? 'partial'
            : 'none';
      const id = `${c.account}\u0000${c.region}`;
      const was = reads.get(id) ?? 'none';
      if (read === 'whole' || (read === 'partial' && was === 'none')) reads.set(id, read);
    }
  return (account, region) => reads.get(`${account}\u0000${region}`) ?? 'none';
}

/**
 * Merges the months of several accounts into one.
 *
 * The merge rule: CloudTrail records a cross-account KMS call in the caller's trail and in the
 * key owner's trail, and both copies name the same billed account (the caller). Every request
 * is counted once, from one trail: for the calls account Y made on one key,
 *
 * 1. Y's own copy when Y's trail was read whole in that region (even if it holds none);
 * 2. else the copy of a trail read whole (the key owner's, which holds every call on its keys);
 * 3. else (no copy read whole) the larger copy: Y's partial read, or another trail's. Y's
 *    per-key coverage is then not complete, and the price says so ("at least").
 *
 * The other copies are dropped (`duplicatesDropped`). Calls an AWS service made on a key owner's
 * behalf are billed to the owner, whose trail holds them: they are kept there.
 *
 * Lifecycle events of one key seen in two trails are kept once; CloudWatch totals and coverage
 * are per account and simply joined.
 *
 * @example
 * ```ts
 * const { usage } = mergeAccountUsage([{ account: 'A', usage: a }, { account: 'B', usage: b }]);
 * ```
 */
export function mergeAccountUsage(parts: readonly AccountMonthUsage[]): MergedUsage {
  const first = parts[0];
  if (!first) throw new InputError('usage', 'no account to merge');
  const read = trailReads(parts);
  for (const p of parts)
    if (p.usage.month !== first.usage.month)
      throw new InputError('usage', `cannot merge ${p.usage.month} with ${first.usage.month}`);

  // The copies of each caller's calls on each key, per trail they were read from.
  const copies = new Map<
    string,
    { caller: string; region: string; trails: Map<string, { rows: RequestCount[]; count: number }> }
  >();
  for (const p of parts)
    for (const r of p.usage.requests) {
      const id = [r.account, r.region, r.keyArn].join('\u0000');
      let group = copies.get(id);
      if (!group) {
        group = { caller: r.account, region: r.region, trails: new Map() };
        copies.set(id, group);
      }
      const copy = group.trails.get(p.account);
      if (copy) {
        copy.rows.push(r);
        copy.count += r.count + r.failedCount;
      } else group.trails.set(p.account, { rows: [r], count: r.count + r.failedCount });
    }
  const requests: RequestCount[] = [];
  let duplicatesDropped = 0;
  for (const { caller, region, trails } of copies.values()) {
    const own = read(caller, region);
    const candidates = [...trails.entries()];
    let chosen: string | null;
    if (own === 'whole') chosen = caller;
    else
      chosen =
        candidates.find(([trail]) => trail !== caller && read(trail, region) === 'whole')?.[0] ??
        // No copy read whole: the larger (ties: the caller's own, then the first read).
        candidates.reduce<[string, number] | null>((best, [trail, copy]) => {
          if (best === null || copy.count > best[1] || (copy.count === best[1] && trail === caller))
            return [trail, copy.count];
          return best;
        }, null)?.[0] ??
        null;
    for (const [trail, copy] of candidates)
      if (trail === chosen) requests.push(...copy.rows);
      else duplicatesDropped += copy.rows.length;
  }

  // Requests that name no key are recorded in the caller's trail only: another trail's copy is
  // kept only where the caller's own trail was not read there.
  const trailRead = (account: string, region: string) => read(account, region) !== 'none';
  const lifecycle = new Map<string, LifecycleEvent>();
  const keyless: KeylessRequestCount[] = [];
  const after = new Map<string, LifecycleEvent>();
  const afterCoverage: UsageCoverage[] = [];
  let afterEnd: string | null = null;
  for (const p of parts) {
    for (const e of p.usage.lifecycle) lifecycle.set(`${e.keyArn}\u0000${e.event}\u0000${e.time}`, e);
    for (const k of p.usage.keylessRequests ?? []) {
      if (k.account !== p.account && trailRead(k.account, k.region)) continue;
      keyless.push(k);
    }
    if (p.usage.afterMonth) {
      const a = p.usage.afterMonth;
      for (const e of a.lifecycle) after.set(`${e.keyArn}\u0000${e.event}\u0000${e.time}`, e);
      afterCoverage.push(...a.coverage);
      if (afterEnd === null || a.window.end > afterEnd) afterEnd = a.window.end;
    }
  }
  const byKeyAndTime = (a: LifecycleEvent, b: LifecycleEvent) =>
    a.keyArn.localeCompare(b.keyArn) || a.time.localeCompare(b.time) || a.event.localeCompare(b.event);
  const byPlace = <T extends { account: string; region: string }>(a: T, b: T) =>
    a.account.localeCompare(b.account) || a.region.localeCompare(b.region);
  return {
    usage: {
      month: first.usage.month,
      window: first.usage.window,
      requests: requests.sort(
        (a, b) =>
          byPlace(a, b) ||
          a.keyArn.localeCompare(b.keyArn) ||
          a.operation.localeCompare(b.operation) ||
          (a.keyPairSpec ?? '').localeCompare(b.keyPairSpec ?? ''),
      ),
      // Unknown (absent) if one account's evidence did not count them.
      ...(parts.every((p) => p.usage.keylessRequests !== undefined)
        ? { keylessRequests: keyless.sort((a, b) => byPlace(a, b) || a.operation.localeCompare(b.operation)) }
        : {}),
      accountTotals: parts.flatMap((p) => p.usage.accountTotals).sort(byPlace),
      lifecycle: [...lifecycle.values()].sort(byKeyAndTime),
      ...(afterEnd !== null
        ? {
            afterMonth: {
              window: { start: first.usage.window.end, end: afterEnd },
              lifecycle: [...after.values()].sort(byKeyAndTime),
              coverage: afterCoverage.sort((a, b) => byPlace(a, b) || a.source.localeCompare(b.source)),
            },
          }
        : {}),
      coverage: parts
        .flatMap((p) => p.usage.coverage)
        .sort((a, b) => byPlace(a, b) || a.source.localeCompare(b.source)),
    },
    duplicatesDropped,
  };
}

export interface CollectOrganizationUsageOptions
  extends Omit<CollectMonthUsageOptions, 'regions' | 'account' | 'clients' | 'onProgress'> {
  /** The accounts entered by `collectOrganizationInventory`, with their regions and sessions. */
  readonly sessions: readonly AccountSession[];
  readonly clients?: OrganizationClients;
  /** Accounts read at once (each has its own CloudTrail and CloudWatch quotas). */
  readonly accountConcurrency?: number;
  readonly onProgress?: CollectMonthUsageOptions['onProgress'];
}

export interface OrganizationUsageResult {
  readonly usage: MonthUsage;
  readonly evidence: UsageEvidence;
  readonly perAccount: readonly MonthUsageResult[];
  readonly duplicatesDropped: number;
}

/**
 * One month's request volumes for every account entered, each read with its own session
 * (`collectMonthUsage` per account, accounts in parallel), merged by the rule of
 * {@link mergeAccountUsage}. An account whose usage cannot be read is named in the coverage as
 * `failed` for each region and source; the others are kept. With the `s3` source the trail
 * bucket (an organisation trail's, usually in a log archive account) is read with the caller's
 * credentials.
 */
export async function collectOrganizationUsage(
  options: CollectOrganizationUsageOptions,
): Promise<OrganizationUsageResult> {
  const clock: Clock = options.clock ?? systemClock;
  const startedAt = new Date(clock.now()).toISOString();
  const window: MonthWindow = typeof options.month === 'string' ? parseMonth(options.month) : options.month;
  const clients = options.clients ?? defaultOrganizationClients(options.profile, options.network);
  const caller = clients.usage(null);
  const limit = pLimit(Math.max(1, options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY));
  const sessions = options.sessions.filter((s) => s.regions.length > 0);

  const results = await Promise.all(
    sessions.map((session) =>
      limit(async (): Promise<{ result: MonthUsageResult | null; failed: UsageCoverage[] }> => {
        const own = clients.usage(session.credentials);
        try {
          const result = await collectMonthUsage({
            ...options,
            month: window,
            regions: session.regions,
            account: session.account,
            clients: { ...own, s3: caller.s3 },
          });
          return { result, failed: [] };
        } catch (error) {
          if (error instanceof InputError) throw error;
          const e = classifyAwsError((error as { cause?: unknown }).cause ?? error);
          const detail = `the account's usage could not be read: ${(error as Error).message ?? e.code}`;
          return {
            result: null,
            failed: session.regions.flatMap((region) =>
              options.sources.map(
                (s): UsageCoverage => ({
                  account: session.account,
                  region,
                  source: USAGE_SOURCE_OF[s],
                  status: 'failed',
                  detail,
                }),
              ),
            ),
          };
        }
      }),
    ),
  );

  const perAccount = results.flatMap((r) => (r.result ? [r.result] : []));
  const parts: AccountMonthUsage[] = perAccount.map((r) => ({ account: r.account, usage: r.usage }));
  const failedCoverage = results.flatMap((r) => r.failed);
  const none: MergedUsage = {
    usage: {
      month: window.month,
      window: { start: window.start.toISOString(), end: window.end.toISOString() },
      requests: [],
      keylessRequests: [],
      accountTotals: [],
      lifecycle: [],
      coverage: [],
    },
    duplicatesDropped: 0,
  };
  const joined = parts.length > 0 ? mergeAccountUsage(parts) : none;
  const merged: MergedUsage = {
    ...joined,
    usage: {
      ...joined.usage,
      coverage: [...joined.usage.coverage, ...failedCoverage].sort(
        (a, b) =>
          a.account.localeCompare(b.account) ||
          a.region.localeCompare(b.region) ||
          a.source.localeCompare(b.source),
      ),
    },
  };
  const keyClasses: Record<string, KeyClass> = {};
  for (const r of perAccount) Object.assign(keyClasses, r.keyClasses);
  const sortedClasses = Object.fromEntries(Object.entries(keyClasses).sort(([a], [b]) => a.localeCompare(b)));
  const evidence: UsageEvidence = {
    kind: USAGE_KIND,
    schemaVersion: USAGE_SCHEMA_VERSION,
    tool: { name: 'kms-report', version: TOOL_VERSION },
    collection: {
      startedAt,
      finishedAt: new Date(clock.now()).toISOString(),
      interrupted: options.signal?.aborted ?? false,
    },
    accounts: sessions.map((s) => s.account),
    regions: [...new Set(sessions.flatMap((s) => s.regions))].sort(),
    usage: merged.usage,
    keyClasses: sortedClasses,
    reconciliation: reconcileUsage(merged.usage, sortedClasses),
  };
  return { usage: merged.usage, evidence, perAccount, duplicatesDropped: merged.duplicatesDropped };
}
