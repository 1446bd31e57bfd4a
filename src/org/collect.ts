import { KMSClient } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import pLimit from 'p-limit';
import { classifyAwsError, networkError } from '../collect/aws-errors.js';
import type { NetworkOptions } from '../collect/client-defaults.js';
import { credentialsError } from '../collect/credentials.js';
import { type InventoryResult, resolveRegions } from '../collect/inventory.js';
import {
  collectKmsRegion,
  mergeRegionScans,
  RegionCredentialsFailure,
  type RegionInventory,
  type RegionProgress,
} from '../collect/kms.js';
import { InputError, KmsReportError } from '../errors.js';
import { awsAccountId } from '../model/account-id.js';
import {
  type Gap,
  type OrganizationAccount,
  type OrganizationalUnit,
  type RegionCoverage,
  SNAPSHOT_KIND,
  SNAPSHOT_SCHEMA_VERSION,
} from '../model/inventory.js';
import { type Clock, systemClock } from '../util/clock.js';
import { DEADLINE_ERROR_CODE, deadlinePassed } from '../util/deadline.js';
import { TOOL_VERSION } from '../version.js';
import { type AccountSpec, filterAccounts, listOrganizationAccounts, roleArnOf } from './accounts.js';
import { defaultOrganizationClients, type OrganizationClients } from './clients.js';
import {
  AssumeRoleError,
  assumeRoleSession,
  defaultSessionName,
  type SessionCredentialsProvider,
} from './session.js';

/** Accounts entered at once. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 4;
/**
 * (Account, region) pairs scanned at once across the whole run. Each pair has its own KMS quotas,
 * and each scan paces itself to them, so this bounds the work in flight, not the request rate.
 */
export const DEFAULT_ORG_REGION_CONCURRENCY = 8;

/** What the run knows of one account: who it is, and the session that reads it. */
export interface AccountTarget {
  readonly id: string;
  readonly name: string | null;
  readonly ou: OrganizationalUnit | null;
  /** Null: the caller's own account, read with the caller's credentials. */
  readonly roleArn: string | null;
}

/** An account that was entered: its regions and the session to read more of it with. */
export interface AccountSession {
  readonly account: string;
  /** The regions that could be listed (status not `failed`). */
  readonly regions: readonly string[];
  /** Null: the caller's credentials. Memory only: never written. */
  readonly credentials: SessionCredentialsProvider | null;
}

/** One account starting, done, or failed to enter, for a progress display. */
export interface AccountProgress {
  readonly account: string;
  readonly status: 'started' | 'collected' | 'failed';
  readonly accountsDone: number;
  readonly accountsTotal: number;
}

export interface CollectOrganizationOptions {
  /** Read the accounts from AWS Organizations (`--org`). */
  readonly organization?: boolean;
  /**
   * `--accounts`: with `organization`, narrows the organisation's accounts (a role ARN also names
   * the role for its account); without it, the accounts to read, with no Organizations call.
   */
  readonly accounts?: readonly AccountSpec[];
  /** The role to assume in each account not named by a role ARN. */
  readonly roleName?: string;
  readonly externalId?: string;
  /** Default `kms-report-<timestamp>`. */
  readonly sessionName?: string;
  readonly sessionSeconds?: number;
  /** As for `collectInventory`: a list, `'all'` (per account: its enabled regions), or the configured region. */
  readonly regions?: readonly string[] | 'all';
  readonly profile?: string;
  readonly clients?: OrganizationClients;
  /** Timeouts of the default clients (not of injected `clients`). */
  readonly network?: NetworkOptions;
  readonly lastUsage?: boolean;
  readonly quotaShare?: number;
  /** Keys worked on at once in one region. */
  readonly concurrency?: number;
  /** Default {@link DEFAULT_ACCOUNT_CONCURRENCY}. */
  readonly accountConcurrency?: number;
  /** Default {@link DEFAULT_ORG_REGION_CONCURRENCY}. */
  readonly regionConcurrency?: number;
  readonly clock?: Clock;
  readonly onProgress?: (progress: RegionProgress) => void;
  /** Stops the scan of every account (see {@link CollectKmsRegionOptions.signal}): rejects with an InterruptedError. */
  readonly signal?: AbortSignal;
  /**
   * The run's deadline (see {@link CollectKmsRegionOptions.deadline}): accounts not entered by
   * then are `account` gaps, regions and keys not read are gaps of their own.
   */
  readonly deadline?: AbortSignal;
  readonly onAccount?: (progress: AccountProgress) => void;
}

export interface OrganizationInventoryResult extends InventoryResult {
  /** The accounts entered, with their sessions: for collecting their usage next. */
  readonly sessions: readonly AccountSession[];
}

async function callerRegion(options: CollectOrganizationOptions): Promise<string> {
  if (Array.isArray(options.regions) && options.regions.length > 0) return options.regions[0] as string;
  const configured = await new KMSClient(options.profile ? { profile: options.profile } : {}).config
    .region()
    .catch(() => undefined);
  return configured ?? 'us-east-1';
}

async function targetsOf(
  options: CollectOrganizationOptions,
  clients: OrganizationClients,
  caller: { account: string; partition: string },
): Promise<{ organizationId: string | null; targets: AccountTarget[] }> {
  let organizationId: string | null = null;
  let listed: { id: string; name: string | null; ou: OrganizationalUnit | null }[];
  if (options.organization) {
    const listing = await listOrganizationAccounts(clients.organizations());
    organizationId = listing.organizationId;
    listed = filterAccounts(listing.accounts, options.accounts);
  } else {
    if (!options.accounts || options.accounts.length === 0)
      throw new InputError('--accounts', 'name the accounts to read, or read the organisation with --org');
    listed = options.accounts.map((a) => ({ id: a.account, name: null, ou: null }));
  }
  const roles = new Map((options.accounts ?? []).map((a) => [a.account, a.roleArn]));
  const targets = listed.map((a): AccountTarget => {
    const given = roles.get(a.id) ?? null;
    if (given) return { ...a, roleArn: given };
    if (a.id === caller.account) return { ...a, roleArn: null };
    if (!options.roleName)
      throw new InputError(
        '--role-name',
        `needed to enter account ${a.id}: name the role kms-report assumes in each account (or give role ARNs to --accounts)`,
      );
    return { ...a, roleArn: roleArnOf(caller.partition, a.id, options.roleName) };
  });
  targets.sort((a, b) => a.id.localeCompare(b.id));
  return { organizationId, targets };
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

/**
 * Collects the KMS inventory of many accounts into one snapshot: the organisation's ACTIVE
 * accounts (`organization`, AWS Organizations) or the accounts named (`accounts`), each read
 * through a role assumed in it (sts:AssumeRole; the caller's own account with the caller's
 * credentials), every chosen region of each.
 *
 * Accounts run in parallel (each account and region has its own KMS quotas, and each region
 * scan paces itself to them): at most `accountConcurrency` accounts and `regionConcurrency`
 * (account, region) scans at once. An account whose role cannot be assumed, or whose regions
 * cannot be listed, is an `account` gap with the error; a region that refuses is a `region`
 * gap; the other accounts are collected. Sessions live in memory and renew before they expire.
 *
 * Throws when the caller's own credentials are unusable or the organisation cannot be listed.
 *
 * @example
 * ```ts
 * import { collectOrganizationInventory, writeSnapshot } from 'kms-report';
 *
 * const { snapshot } = await collectOrganizationInventory({
 *   organization: true,
 *   roleName: 'KmsReportReader',
 *   regions: 'all',
 * });
 * await writeSnapshot('reports/organization.json', snapshot);
 * ```
 */
export async function collectOrganizationInventory(
  options: CollectOrganizationOptions,
): Promise<OrganizationInventoryResult> {
  const clock = options.clock ?? systemClock;
  const clients = options.clients ?? defaultOrganizationClients(options.profile, options.network);
  const startedAt = new Date(clock.now()).toISOString();
  const stsRegion = await callerRegion(options);

  let caller: { account: string; partition: string };
  try {
    const who = await clients.sts(stsRegion).send(new GetCallerIdentityCommand({}));
    if (!who.Account) throw new Error('GetCallerIdentity returned no account');
    caller = { account: who.Account, partition: who.Arn?.split(':')[1] ?? 'aws' };
  } catch (error) {
    const e = classifyAwsError(error);
    if (e.kind === 'unreachable') throw networkError('sts:GetCallerIdentity', e, error);
    if (e.kind === 'credentials' || e.kind === 'region-unavailable' || e.kind === 'access-denied')
      throw credentialsError(options.profile, `${e.code}${e.message ? `: ${e.message}` : ''}`, error);
    throw new KmsReportError(
      `could not identify the caller (sts:GetCallerIdentity: ${e.code} ${e.message})`,
      {
        cause: error,
      },
    );
  }
  // The caller's account may become a folder name: an answer that is not an account id is refused.
  caller = { ...caller, account: awsAccountId(caller.account, 'sts:GetCallerIdentity') };

  const { organizationId, targets } = await targetsOf(options, clients, caller);
  const sessionName = options.sessionName ?? defaultSessionName(new Date(clock.now()));
  const accountLimit = pLimit(Math.max(1, options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY));
  const regionLimit = pLimit(Math.max(1, options.regionConcurrency ?? DEFAULT_ORG_REGION_CONCURRENCY));
  let accountsDone = 0;
  const finished = (account: string, status: 'collected' | 'failed') => {
    accountsDone += 1;
    options.onAccount?.({ account, status, accountsDone, accountsTotal: targets.length });
  };

  interface AccountResult {
    readonly info: OrganizationAccount;
    readonly regions: RegionInventory[];
    readonly gaps: Gap[];
    readonly coverage: RegionCoverage[];
    readonly session: AccountSession | null;
  }

  const collectAccount = async (target: AccountTarget): Promise<AccountResult> => {
    const info = { id: target.id, name: target.name, ou: target.ou, roleArn: target.roleArn };
    options.onAccount?.({
      account: target.id,
      status: 'started',
      accountsDone,
      accountsTotal: targets.length,
    });
    const failedAccount = (gap: Gap): AccountResult => {
      finished(target.id, 'failed');
      // The regions that were to be read are named as not seen; with 'all' they are unknown.
      const coverage = Array.isArray(options.regions)
        ? options.regions.map(
            (region): RegionCoverage => ({ account: target.id, region, status: 'failed', keysListed: 0 }),
          )
        : [];
      return { info: { ...info, status: 'failed' }, regions: [], gaps: [gap], coverage, session: null };
    };

    const passed = deadlinePassed(options.deadline);
    if (passed)
      return failedAccount(
        accountGap(
          target.id,
          target.roleArn ? 'AssumeRole' : 'ListRegions',
          DEADLINE_ERROR_CODE,
          `not read: ${passed.message}`,
        ),
      );

    let credentials: SessionCredentialsProvider | null = null;
    if (target.roleArn) {
      credentials = assumeRoleSession({
        sts: clients.sts(stsRegion),
        roleArn: target.roleArn,
        externalId: options.externalId,
        sessionName,
        durationSeconds: options.sessionSeconds,
        clock,
      });
      try {
        // Enter the account now, so a refusal is this account's gap, said once.
        await credentials();
      } catch (error) {
        const e =
          error instanceof AssumeRoleError
            ? { code: error.errorCode, message: error.detail }
            : classifyAwsError(error);
        return failedAccount(
          accountGap(
            target.id,
            'AssumeRole',
            e.code,
            `could not assume ${target.roleArn}${e.message ? `: ${e.message}` : ''}`,
          ),
        );
      }
    }
    const inventory = clients.inventory(credentials);

    let regions: string[];
    try {
      regions = await resolveRegions({ regions: options.regions, profile: options.profile }, inventory);
    } catch (error) {
      const cause = error instanceof KmsReportError && error.cause ? error.cause : error;
      const e = classifyAwsError(cause);
      return failedAccount(
        accountGap(
          target.id,
          'ListRegions',
          e.code,
          `could not list the account's enabled regions${e.message ? `: ${e.message}` : ''}`,
        ),
      );
    }

    const gaps: Gap[] = [];
    const coverage: RegionCoverage[] = [];
    const scans = await Promise.all(
      regions.map((region) =>
        regionLimit(async () => {
          try {
            return await collectKmsRegion(inventory.kms(region), {
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
            // The session stopped working in this region: this region is not seen, the run goes on.
            const [code = 'ExpiredToken', ...rest] = error.message.split(': ');
            gaps.push({
              scope: 'region',
              account: target.id,
              region,
              keyArn: null,
              field: null,
              operation: 'ListKeys',
              errorCode: code,
              message: `the account's credentials stopped working: ${rest.join(': ')}`,
            });
            coverage.push({ account: target.id, region, status: 'failed', keysListed: 0 });
            return null;
          }
        }),
      ),
    );
    const done = scans.filter((s): s is RegionInventory => s !== null);
    finished(target.id, 'collected');
    return {
      info: { ...info, status: 'collected' },
      regions: done,
      gaps,
      coverage,
      session: {
        account: target.id,
        regions: done.filter((r) => r.coverage.status !== 'failed').map((r) => r.coverage.region),
        credentials,
      },
    };
  };

  const results = await Promise.all(targets.map((t) => accountLimit(() => collectAccount(t)))).catch(
    (error: unknown) => {
      // Stopped (Ctrl-C) or failed: the accounts not begun are not entered.
      accountLimit.clearQueue();
      throw error;
    },
  );

  const { keys, stats } = mergeRegionScans(results.flatMap((r) => r.regions));
  // Per account: its own gaps and coverage (not entered, a region whose session failed), then its regions'.
  const gaps: Gap[] = results.flatMap((r) => [...r.gaps, ...r.regions.flatMap((region) => region.gaps)]);
  const coverage: RegionCoverage[] = results.flatMap((r) => [
    ...r.coverage,
    ...r.regions.map((region) => region.coverage),
  ]);
  keys.sort(
    (a, b) =>
      a.account.localeCompare(b.account) || a.region.localeCompare(b.region) || a.arn.localeCompare(b.arn),
  );
  coverage.sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
  return {
    snapshot: {
      kind: SNAPSHOT_KIND,
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      tool: { name: 'kms-report', version: TOOL_VERSION },
      collection: { startedAt, finishedAt: new Date(clock.now()).toISOString() },
      partition: caller.partition,
      accounts: targets.map((t) => t.id),
      regions: coverage,
      keys,
      gaps,
      organization: {
        id: organizationId,
        callerAccount: caller.account,
        accounts: results.map((r) => r.info),
      },
    },
    stats,
    sessions: results.flatMap((r) => (r.session ? [r.session] : [])),
  };
}
