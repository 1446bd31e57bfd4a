import pLimit, { type LimitFunction } from 'p-limit';
import { classifyAwsError, RegionCredentialsFailure } from '../collect/aws-errors.js';
import type { NetworkOptions } from '../collect/client-defaults.js';
import {
  type ClientCredentials,
  type ClientSource,
  clientFactory,
  clientsFor,
  type InventoryClients,
} from '../collect/clients.js';
import { awsCredentialsError } from '../collect/credentials.js';
import { type CallerIdentity, callerIdentity, configuredRegion } from '../collect/identity.js';
import {
  type CallStats,
  collectKmsRegion,
  mergeRegionScans,
  type RegionInventory,
  type RegionProgress,
} from '../collect/kms.js';
import { type RegionChoice, resolveRegions } from '../collect/regions.js';
import { InputError, KmsReportError } from '../errors.js';
import {
  type Gap,
  type InventorySnapshot,
  type OrganizationAccount,
  type RegionCoverage,
  SNAPSHOT_KIND,
  SNAPSHOT_SCHEMA_VERSION,
} from '../model/inventory.js';
import { type Clock, systemClock } from '../util/clock.js';
import { compareText } from '../util/compare.js';
import { DEADLINE_ERROR_CODE, deadlinePassed } from '../util/deadline.js';
import { TOOL_VERSION } from '../version.js';
import { assumeRoleSession, defaultSessionName } from './session.js';
import {
  type AccountGroup,
  type AccountProgress,
  type AccountSession,
  type AccountTarget,
  DEFAULT_ACCOUNT_CONCURRENCY,
  groupTargets,
} from './targets.js';

/** Regions scanned at once in a run over the caller's own account. Each has its own KMS quotas. */
export const DEFAULT_REGION_CONCURRENCY = 4;
/**
 * (Account, region) pairs scanned at once across a run over a group of accounts. Each pair has its
 * own KMS quotas, and each scan paces itself to them, so this bounds the work in flight, not the
 * request rate.
 */
export const DEFAULT_ORG_REGION_CONCURRENCY = 8;

export interface CollectInventoryOptions extends RegionChoice {
  /**
   * The accounts to read and how to enter them (see {@link AccountGroup}). Omitted: the caller's
   * own account, with the caller's credentials; the snapshot then has no `organization`, and
   * credentials that fail are the run's failure (a `CredentialsError`), not a gap.
   */
  readonly group?: AccountGroup;
  /**
   * The SDK clients: one set (the caller's own account only), or a function of the credentials
   * (`null`: the caller's), needed to enter other accounts. Default: {@link clientFactory}.
   */
  readonly clients?: ClientSource<InventoryClients>;
  /** Timeouts of the default clients (not of injected `clients`). */
  readonly network?: NetworkOptions;
  /** Call GetKeyLastUsage for customer managed keys. Default true. */
  readonly lastUsage?: boolean;
  readonly quotaShare?: number;
  /** Keys worked on at once in one region. */
  readonly concurrency?: number;
  /**
   * (Account, region) scans at once. Default {@link DEFAULT_REGION_CONCURRENCY}, or
   * {@link DEFAULT_ORG_REGION_CONCURRENCY} for a group.
   */
  readonly regionConcurrency?: number;
  readonly clock?: Clock;
  readonly onProgress?: (progress: RegionProgress) => void;
  /** Stops the scan of every account (see `CollectKmsRegionOptions.signal`): rejects with an InterruptedError. */
  readonly signal?: AbortSignal;
  /**
   * The run's deadline (see `CollectKmsRegionOptions.deadline`): accounts not entered by then
   * are `account` gaps, regions and keys not read are gaps of their own.
   */
  readonly deadline?: AbortSignal;
}

export interface InventoryResult {
  readonly snapshot: InventorySnapshot;
  readonly stats: CallStats;
  /** The accounts entered, with their sessions: for collecting their usage next. */
  readonly sessions: readonly AccountSession[];
}

/** Who runs, the accounts it reads, and (for the caller's own account alone) its regions. */
interface RunPlan {
  readonly caller: CallerIdentity;
  readonly organizationId: string | null;
  readonly targets: readonly AccountTarget[];
  /** Where AssumeRole is asked. */
  readonly stsRegion: string;
  /** Null for a group: each account's regions are listed when it is entered. */
  readonly ownRegions: readonly string[] | null;
}

/** What one account step shares with the others. */
interface AccountRun {
  readonly options: CollectInventoryOptions;
  readonly group: AccountGroup | null;
  readonly source: ClientSource<InventoryClients>;
  readonly plan: RunPlan;
  readonly clock: Clock;
  readonly sessionName: string;
  readonly regionLimit: LimitFunction;
  readonly progress: (account: string, status: AccountProgress['status']) => void;
}

interface AccountResult {
  readonly info: OrganizationAccount;
  readonly regions: RegionInventory[];
  /** The account's own gaps: not entered, or a region whose session failed. */
  readonly gaps: Gap[];
  readonly coverage: RegionCoverage[];
  readonly session: AccountSession | null;
}

/**
 * Collects the KMS inventory of the caller's account, or of a group of accounts, in the chosen
 * regions: every key with its metadata and evidence, and every gap, as a versioned snapshot.
 *
 * With a `group`: the organisation's ACTIVE accounts (`organization`, AWS Organizations) or the
 * accounts named (`accounts`), each read through a role assumed in it (sts:AssumeRole; the
 * caller's own account with the caller's credentials), into one snapshot with an `organization`
 * block. Accounts run in parallel: at most `accountConcurrency` accounts and `regionConcurrency`
 * (account, region) scans at once. An account whose role cannot be assumed, or whose regions
 * cannot be listed, is an `account` gap; a region whose session fails is a `region` gap; the
 * other accounts are collected. Sessions live in memory and renew before they expire.
 *
 * Throws when the caller's own credentials are unusable or the organisation cannot be listed.
 *
 * @example
 * ```ts
 * import { collectInventory, writeSnapshot } from 'kms-report';
 *
 * const { snapshot } = await collectInventory({ regions: ['us-east-1', 'eu-west-1'] });
 * console.log(`${snapshot.keys.length} keys, ${snapshot.gaps.length} gaps`);
 *
 * const org = await collectInventory({
 *   regions: 'all',
 *   group: { organization: true, roleName: 'KmsReportReader' },
 * });
 * await writeSnapshot('reports/organization.json', org.snapshot);
 * ```
 */
export async function collectInventory(options: CollectInventoryOptions = {}): Promise<InventoryResult> {
  const clock = options.clock ?? systemClock;
  const source = options.clients ?? clientFactory(options.profile, options.network);
  const group = options.group ?? null;
  // Said before any call, not after the first AssumeRole succeeded.
  if (group && typeof source !== 'function')
    throw new InputError(
      'clients',
      "a fixed set of clients reads the caller's own account only; with a group, give a function of the credentials (a ClientFactory)",
    );
  const startedAt = new Date(clock.now()).toISOString();
  const plan = group ? await groupPlan(options, group, source) : await ownAccountPlan(options, source);
  const regionLimit = pLimit(
    Math.max(
      1,
      options.regionConcurrency ?? (group ? DEFAULT_ORG_REGION_CONCURRENCY : DEFAULT_REGION_CONCURRENCY),
    ),
  );
  const accountLimit = pLimit(Math.max(1, group?.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY));
  let accountsDone = 0;
  const run: AccountRun = {
    options,
    group,
    source,
    plan,
    clock,
    sessionName: group?.sessionName ?? defaultSessionName(new Date(clock.now())),
    regionLimit,
    progress: (account, status) => {
      if (status !== 'started') accountsDone += 1;
      group?.onAccount?.({ account, status, accountsDone, accountsTotal: plan.targets.length });
    },
  };
  const results = await Promise.all(
    plan.targets.map((t) => accountLimit(() => collectAccount(run, t))),
  ).catch((error: unknown) => {
    // Stopped (Ctrl-C) or failed: the accounts and regions not begun are not read.
    accountLimit.clearQueue();
    regionLimit.clearQueue();
    throw error;
  });
  return inventoryResult(run, results, startedAt);
}

/** The caller's own account alone: its regions first (a failure is the run's), then who it is. */
async function ownAccountPlan(
  options: CollectInventoryOptions,
  source: ClientSource<InventoryClients>,
): Promise<RunPlan> {
  const clients = clientsFor(source, null);
  const regions = await resolveRegions(options, clients);
  const first = regions[0];
  if (first === undefined) throw new InputError('--regions', 'no region to scan');
  const caller = await callerIdentity(clients.sts(first), options.profile);
  const target: AccountTarget = { id: caller.account, name: null, ou: null, roleArn: null };
  return { caller, organizationId: null, targets: [target], stsRegion: first, ownRegions: regions };
}

/** A group: who the caller is (in the first region named, else the configured one), then its accounts. */
async function groupPlan(
  options: CollectInventoryOptions,
  group: AccountGroup,
  source: ClientSource<InventoryClients>,
): Promise<RunPlan> {
  const clients = clientsFor(source, null);
  const named = Array.isArray(options.regions) ? options.regions[0] : undefined;
  const stsRegion = named ?? (await configuredRegion(options.profile)) ?? 'us-east-1';
  const caller = await callerIdentity(clients.sts(stsRegion), options.profile);
  const { organizationId, targets } = await groupTargets(group, clients, caller);
  return { caller, organizationId, targets, stsRegion, ownRegions: null };
}

const accountGap = (account: string, operation: string, errorCode: string, message: string): Gap => ({
  scope: 'account',
  account,
  region: null,
  keyArn: null,
  field: null,
  operation,
  errorCode,
  message,
});

/** Enters one account (its session, its regions) and scans its regions. */
async function collectAccount(run: AccountRun, target: AccountTarget): Promise<AccountResult> {
  run.progress(target.id, 'started');
  const info = { id: target.id, name: target.name, ou: target.ou, roleArn: target.roleArn };
  const entered = await enterAccount(run, target);
  if ('gap' in entered) {
    run.progress(target.id, 'failed');
    // The regions that were to be read are named as not seen; with 'all' they are unknown.
    const regions = Array.isArray(run.options.regions) ? run.options.regions : [];
    const coverage = regions.map(
      (region): RegionCoverage => ({ account: target.id, region, status: 'failed', keysListed: 0 }),
    );
    return { info: { ...info, status: 'failed' }, regions: [], gaps: [entered.gap], coverage, session: null };
  }
  const { credentials, regions } = entered;
  const scanned = await scanRegions(run, target, regions, clientsFor(run.source, credentials));
  run.progress(target.id, 'collected');
  return {
    info: { ...info, status: 'collected' },
    ...scanned,
    session: {
      account: target.id,
      regions: scanned.regions.filter((r) => r.coverage.status !== 'failed').map((r) => r.coverage.region),
      credentials,
    },
  };
}

type Entered = { credentials: ClientCredentials | null; regions: readonly string[] } | { gap: Gap };

/**
 * The session and regions of one account of a group, or the `account` gap saying why it could
 * not be entered. The caller's own account alone is entered already (its regions are known).
 */
async function enterAccount(run: AccountRun, target: AccountTarget): Promise<Entered> {
  if (run.plan.ownRegions) return { credentials: null, regions: run.plan.ownRegions };
  const passed = deadlinePassed(run.options.deadline);
  if (passed) {
    const operation = target.roleArn ? 'AssumeRole' : 'ListRegions';
    return { gap: accountGap(target.id, operation, DEADLINE_ERROR_CODE, `not read: ${passed.message}`) };
  }
  let credentials: ClientCredentials | null = null;
  if (target.roleArn) {
    const session = assumeRoleSession({
      sts: clientsFor(run.source, null).sts(run.plan.stsRegion),
      roleArn: target.roleArn,
      externalId: run.group?.externalId,
      sessionName: run.sessionName,
      durationSeconds: run.group?.sessionSeconds,
      clock: run.clock,
    });
    try {
      // Enter the account now, so a refusal is this account's gap, said once.
      await session();
    } catch (error) {
      const e = classifyAwsError(error);
      const detail = e.message ? `: ${e.message}` : '';
      return {
        gap: accountGap(target.id, 'AssumeRole', e.code, `could not assume ${target.roleArn}${detail}`),
      };
    }
    credentials = session;
  }
  const clients = clientsFor(run.source, credentials);
  try {
    const regions = await resolveRegions(
      { regions: run.options.regions, profile: run.options.profile },
      clients,
    );
    return { credentials, regions };
  } catch (error) {
    const e = classifyAwsError(error instanceof KmsReportError && error.cause ? error.cause : error);
    const detail = e.message ? `: ${e.message}` : '';
    return {
      gap: accountGap(
        target.id,
        'ListRegions',
        e.code,
        `could not list the account's enabled regions${detail}`,
      ),
    };
  }
}

/**
 * Scans the regions of one entered account. Credentials that stop working in a region fail the
 * run for the caller's own account alone (a `CredentialsError` naming the profile); in a group
 * they are a `region` gap of the account, and the run goes on.
 */
async function scanRegions(
  run: AccountRun,
  target: AccountTarget,
  regions: readonly string[],
  clients: InventoryClients,
): Promise<Pick<AccountResult, 'regions' | 'gaps' | 'coverage'>> {
  const { options } = run;
  const gaps: Gap[] = [];
  const coverage: RegionCoverage[] = [];
  const scan = async (region: string): Promise<RegionInventory | null> => {
    try {
      return await collectKmsRegion(clients.kms(region), {
        account: target.id,
        region,
        lastUsage: options.lastUsage,
        quotaShare: options.quotaShare,
        concurrency: options.concurrency,
        clock: options.clock,
        onProgress: options.onProgress,
        signal: options.signal,
        deadline: options.deadline,
      });
    } catch (error) {
      if (!(error instanceof RegionCredentialsFailure)) throw error;
      if (!run.group) throw awsCredentialsError(options.profile, classifyAwsError(error), error);
      gaps.push({
        scope: 'region',
        account: target.id,
        region,
        keyArn: null,
        field: null,
        operation: 'ListKeys',
        errorCode: error.code,
        message: `the account's credentials stopped working: ${error.detail}`,
      });
      coverage.push({ account: target.id, region, status: 'failed', keysListed: 0 });
      return null;
    }
  };
  const scans = await Promise.all(regions.map((region) => run.regionLimit(() => scan(region))));
  return { regions: scans.filter((s): s is RegionInventory => s !== null), gaps, coverage };
}

/**
 * The snapshot of the accounts read. Per account: its own gaps and coverage (not entered, a region
 * whose session failed), then its regions'. A group's keys and coverage are sorted by account and
 * region and it has an `organization` block; the caller's own account keeps its regions' order.
 */
function inventoryResult(
  run: AccountRun,
  results: readonly AccountResult[],
  startedAt: string,
): InventoryResult {
  const { plan, group } = run;
  const { keys, stats } = mergeRegionScans(results.flatMap((r) => r.regions));
  const gaps: Gap[] = results.flatMap((r) => [...r.gaps, ...r.regions.flatMap((region) => region.gaps)]);
  const coverage: RegionCoverage[] = results.flatMap((r) => [
    ...r.coverage,
    ...r.regions.map((region) => region.coverage),
  ]);
  if (group) {
    keys.sort(
      (a, b) =>
        compareText(a.account, b.account) || compareText(a.region, b.region) || compareText(a.arn, b.arn),
    );
    coverage.sort((a, b) => compareText(a.account, b.account) || compareText(a.region, b.region));
  }
  const snapshot: InventorySnapshot = {
    kind: SNAPSHOT_KIND,
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    tool: { name: 'kms-report', version: TOOL_VERSION },
    collection: { startedAt, finishedAt: new Date(run.clock.now()).toISOString() },
    partition: plan.caller.partition,
    accounts: plan.targets.map((t) => t.id),
    regions: coverage,
    keys,
    gaps,
    ...(group
      ? {
          organization: {
            id: plan.organizationId,
            callerAccount: plan.caller.account,
            accounts: results.map((r) => r.info),
          },
        }
      : {}),
  };
  return { snapshot, stats, sessions: results.flatMap((r) => (r.session ? [r.session] : [])) };
}
