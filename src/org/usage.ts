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
 * Merges the months of several accounts into one.
 *
 * The merge rule: CloudTrail records a cross-account KMS call in the caller's trail and in the
 * key owner's trail, and both copies name the same billed account (the caller). A request row
 * read from account X's trail whose billed account is another account Y is therefore kept only
 * when Y's own trail was not read in that region (Y outside the run, or Y's per-key source failed
 * there); otherwise Y's copy stands and X's is dropped. Every request is counted once, from the
 * trail of the account it is billed to when that trail was read. Calls an AWS service made on a
 * key owner's behalf are billed to the owner, whose trail holds them: they are kept there.
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
  // Where each account's own trail was read (per-key source complete or partial).
  const trailRead = new Set<string>();
  for (const p of parts)
    for (const c of p.usage.coverage)
      if (
        c.account === p.account &&
        PER_KEY_SOURCES.has(c.source) &&
        (c.status === 'complete' || c.status === 'partial')
      )
        trailRead.add(`${c.account}\u0000${c.region}`);

  const requests: RequestCount[] = [];
  let duplicatesDropped = 0;
  const lifecycle = new Map<string, LifecycleEvent>();
  const keyless: KeylessRequestCount[] = [];
  const after = new Map<string, LifecycleEvent>();
  const afterCoverage: UsageCoverage[] = [];
  let afterEnd: string | null = null;
  for (const p of parts) {
    if (p.usage.month !== first.usage.month)
      throw new InputError('usage', `cannot merge ${p.usage.month} with ${first.usage.month}`);
    for (const r of p.usage.requests) {
      if (r.account !== p.account && trailRead.has(`${r.account}\u0000${r.region}`)) {
        duplicatesDropped += 1;
        continue;
      }
      requests.push(r);
    }
    for (const e of p.usage.lifecycle) lifecycle.set(`${e.keyArn}\u0000${e.event}\u0000${e.time}`, e);
    for (const k of p.usage.keylessRequests ?? []) {
      if (k.account !== p.account && trailRead.has(`${k.account}\u0000${k.region}`)) continue;
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
