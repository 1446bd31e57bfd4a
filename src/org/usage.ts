import pLimit from 'p-limit';
import { classifyAwsError } from '../collect/aws-errors.js';
import {
  type ClientCredentials,
  type ClientSource,
  clientFactory,
  clientsFor,
  type UsageClients,
} from '../collect/clients.js';
import { callerIdentity } from '../collect/identity.js';
import { InputError } from '../errors.js';
import type { MonthUsage, UsageCoverage } from '../model/usage.js';
import { athenaMonthReader } from '../usage/athena.js';
import {
  type AccountUsageResult,
  accountUsageEvidence,
  collectAccountUsage,
  USAGE_SOURCE_OF,
  type UsageReadOptions,
  validateUsageRequest,
} from '../usage/collect.js';
import type { KeyClass } from '../usage/events.js';
import { USAGE_KIND, USAGE_SCHEMA_VERSION, type UsageEvidence } from '../usage/evidence.js';
import { reconcileUsage } from '../usage/reconcile.js';
import { type Clock, systemClock } from '../util/clock.js';
import { compareText } from '../util/compare.js';
import { type MonthWindow, parseMonth } from '../util/month.js';
import { TOOL_VERSION } from '../version.js';
import { byPlaceAndSource, type MergedUsage, mergeAccountUsage } from './merge.js';
import { type AccountSession, DEFAULT_ACCOUNT_CONCURRENCY } from './targets.js';

export interface CollectMonthUsageOptions extends UsageReadOptions {
  /** `YYYY-MM`, or a window from `parseMonth`. */
  readonly month: string | MonthWindow;
  /** The caller's own account alone: the regions to read. */
  readonly regions?: readonly string[];
  /** With `regions`: the account whose usage is read; default the caller's (sts:GetCallerIdentity). */
  readonly account?: string;
  /**
   * The accounts `collectInventory` entered (its `sessions`), each read with its own session in
   * its regions, and merged (see `mergeAccountUsage`). Replaces `regions` and `account`.
   */
  readonly sessions?: readonly AccountSession[];
  /** With `sessions`: accounts read at once (each has its own CloudTrail and CloudWatch quotas). */
  readonly accountConcurrency?: number;
  /**
   * The SDK clients: one set (the caller's own account only), or a function of the credentials
   * (`null`: the caller's), needed to read `sessions`. Default: `clientFactory`.
   */
  readonly clients?: ClientSource<UsageClients>;
}

/** One month's usage of the accounts read, and its evidence file. */
export interface MonthUsageResult {
  /** The accounts read, in the order given. */
  readonly accounts: readonly string[];
  readonly usage: MonthUsage;
  /** The evidence file (`writeUsageEvidence`): the usage with its key classes and reconciliation. */
  readonly evidence: UsageEvidence;
  /** Each account's own month, before the merge (one entry for the caller's own account). */
  readonly perAccount: readonly AccountUsageResult[];
  /** Request rows the merge rule left out (0 for one account). */
  readonly duplicatesDropped: number;
  /** Stopped (`signal`) before the end: what was read is kept, marked partial. */
  readonly interrupted: boolean;
}

/** One account's read: its month, or the coverage saying it could not be read. */
interface AccountRead {
  readonly result: AccountUsageResult | null;
  readonly failed: UsageCoverage[];
}

/**
 * Collects one month's KMS request volumes and key lifecycle for the caller's account
 * (`regions`, `account`) or for the accounts `collectInventory` entered (`sessions`), from the
 * chosen sources: CloudTrail Event history (`lookup`) or the trail's log files (`s3`) for per-key
 * counts and lifecycle events, CloudWatch `AWS/Usage` (`cloudwatch`) for account totals. Each
 * (account, region, source) gets a coverage entry: a source that failed, was stopped or was not
 * requested is named there, as the gap it is. Per-key counts are reconciled with CloudWatch's
 * totals when both were read.
 *
 * With `sessions`, each account is read with its own session (accounts in parallel) and the
 * months are merged by the rule of `mergeAccountUsage`; an account whose usage cannot be read is
 * named in the coverage as `failed` for each region and source, and the others are kept. With the
 * `s3` source the trail bucket (an organisation trail's, usually in a log archive account) is read
 * with the caller's credentials. For the caller's own account alone, unusable credentials are a
 * `CredentialsError`.
 *
 * Refused before any call: `lookup` with `s3` (the same events twice), `s3` without a bucket,
 * `lookup` for a month Event history no longer holds.
 *
 * @example
 * ```ts
 * import { collectMonthUsage, writeUsageEvidence } from 'kms-report';
 *
 * const { evidence } = await collectMonthUsage({
 *   month: '2026-10',
 *   regions: ['us-east-1', 'eu-west-1'],
 *   sources: ['lookup', 'cloudwatch'],
 * });
 * await writeUsageEvidence('reports/usage-2026-10.json', evidence);
 * ```
 */
export async function collectMonthUsage(options: CollectMonthUsageOptions): Promise<MonthUsageResult> {
  const clock = options.clock ?? systemClock;
  const startedAt = new Date(clock.now()).toISOString();
  const window = typeof options.month === 'string' ? parseMonth(options.month) : options.month;
  const regions = options.sessions ? undefined : (options.regions ?? []);
  validateUsageRequest({ ...options, regions }, window, new Date(clock.now()));
  const source = options.clients ?? clientFactory(options.profile, options.network);
  if (options.sessions?.some((s) => s.credentials !== null) && typeof source !== 'function')
    throw new InputError(
      'clients',
      "a fixed set of clients reads the caller's own account only; with sessions of other accounts, give a function of the credentials (a ClientFactory)",
    );
  if (options.sessions) return groupUsage(options, options.sessions, window, source, startedAt);

  const caller = clientsFor(source, null);
  const first = regions?.[0] as string;
  const account = options.account ?? (await callerIdentity(caller.sts(first), options.profile)).account;
  const session: AccountSession = { account, regions: regions ?? [], credentials: null };
  const [read] = await readAccounts(options, [session], window, source, true);
  const result = read?.result as AccountUsageResult;
  return {
    accounts: [account],
    usage: result.usage,
    evidence: accountUsageEvidence({ ...result, startedAt }),
    perAccount: [result],
    duplicatesDropped: 0,
    interrupted: result.interrupted,
  };
}

/**
 * Reads each account with its own clients (the trail bucket with the caller's). `fatal`: a
 * failure is the run's (the caller's own account alone); else it is the account's `failed`
 * coverage and the others are read.
 */
async function readAccounts(
  options: CollectMonthUsageOptions,
  sessions: readonly AccountSession[],
  window: MonthWindow,
  source: ClientSource<UsageClients>,
  fatal: boolean,
): Promise<AccountRead[]> {
  const caller = clientsFor(source, null);
  const limit = pLimit(Math.max(1, options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY));
  // Athena counts every account and region of the run in one query, with the caller's clients.
  const athenaReader = options.sources.includes('athena')
    ? athenaMonthReader(caller, {
        ...options,
        window,
        accounts: sessions.map((s) => s.account),
        regions: sessions.flatMap((s) => s.regions),
      })
    : undefined;
  const read = async (session: AccountSession): Promise<AccountRead> => {
    const clients = accountClients(caller, source, session.credentials);
    try {
      const result = await collectAccountUsage({
        ...options,
        athenaReader,
        month: window,
        regions: session.regions,
        account: session.account,
        clients,
      });
      return { result, failed: [] };
    } catch (error) {
      if (fatal || error instanceof InputError) throw error;
      const e = classifyAwsError((error as { cause?: unknown }).cause ?? error);
      const detail = `the account's usage could not be read: ${(error as Error).message ?? e.code}`;
      const failed = session.regions.flatMap((region) =>
        options.sources.map(
          (s): UsageCoverage => ({
            account: session.account,
            region,
            source: USAGE_SOURCE_OF[s],
            status: 'failed',
            detail,
          }),
        ),
      );
      return { result: null, failed };
    }
  };
  return Promise.all(sessions.map((session) => limit(() => read(session))));
}

/**
 * The clients of one account: the caller's own as given; an account's session's, with the trail
 * bucket read by the caller's. Delegated, not spread: a spread copies own properties only, and
 * drops the methods of a class instance.
 */
function accountClients(
  caller: UsageClients,
  source: ClientSource<UsageClients>,
  credentials: ClientCredentials | null,
): UsageClients {
  if (credentials === null) return caller;
  const own = clientsFor(source, credentials);
  return {
    cloudTrail: (region) => own.cloudTrail(region),
    cloudWatch: (region) => own.cloudWatch(region),
    sts: (region) => own.sts(region),
    s3: (region) => caller.s3(region),
    athena: (region) => {
      if (!caller.athena) throw new Error('the usage clients have no athena(region)');
      return caller.athena(region);
    },
  };
}

/** The accounts of `sessions` that have regions, read and merged into one month. */
async function groupUsage(
  options: CollectMonthUsageOptions,
  sessions: readonly AccountSession[],
  window: MonthWindow,
  source: ClientSource<UsageClients>,
  startedAt: string,
): Promise<MonthUsageResult> {
  const clock: Clock = options.clock ?? systemClock;
  const read = sessions.filter((s) => s.regions.length > 0);
  const results = await readAccounts(options, read, window, source, false);
  const perAccount = results.flatMap((r) => (r.result ? [r.result] : []));
  const merged = mergedMonth(
    window,
    perAccount,
    results.flatMap((r) => r.failed),
  );
  const keyClasses: Record<string, KeyClass> = {};
  for (const r of perAccount) Object.assign(keyClasses, r.keyClasses);
  const sortedClasses = Object.fromEntries(Object.entries(keyClasses).sort(([a], [b]) => compareText(a, b)));
  const interrupted = options.signal?.aborted ?? false;
  const evidence: UsageEvidence = {
    kind: USAGE_KIND,
    schemaVersion: USAGE_SCHEMA_VERSION,
    tool: { name: 'kms-report', version: TOOL_VERSION },
    collection: { startedAt, finishedAt: new Date(clock.now()).toISOString(), interrupted },
    accounts: read.map((s) => s.account),
    regions: [...new Set(read.flatMap((s) => s.regions))].sort(),
    usage: merged.usage,
    keyClasses: sortedClasses,
    reconciliation: reconcileUsage(merged.usage, sortedClasses),
  };
  const accounts = read.map((s) => s.account);
  const { duplicatesDropped } = merged;
  return { accounts, usage: merged.usage, evidence, perAccount, duplicatesDropped, interrupted };
}

/** The accounts' months merged, with the accounts that could not be read in the coverage. */
function mergedMonth(
  window: MonthWindow,
  perAccount: readonly AccountUsageResult[],
  failed: readonly UsageCoverage[],
): MergedUsage {
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
  const parts = perAccount.map((r) => ({ account: r.account, usage: r.usage }));
  const joined = parts.length > 0 ? mergeAccountUsage(parts) : none;
  const coverage = [...joined.usage.coverage, ...failed].sort(byPlaceAndSource);
  return { ...joined, usage: { ...joined.usage, coverage } };
}
