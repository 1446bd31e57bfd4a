import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import pLimit from 'p-limit';
import { InputError, KmsReportError } from '../errors.js';
import { awsAccountId } from '../model/account-id.js';
import { type InventorySnapshot, SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION } from '../model/inventory.js';
import type { Clock } from '../util/clock.js';
import { TOOL_VERSION } from '../version.js';
import { classifyAwsError, networkError } from './aws-errors.js';
import { makeClient, type NetworkOptions, SDK_RETRY } from './client-defaults.js';
import { credentialsError } from './credentials.js';
import {
  type CallStats,
  collectKmsRegion,
  mergeRegionScans,
  RegionCredentialsFailure,
  type RegionProgress,
} from './kms.js';

/** The SDK clients a collection uses. Inject your own (tests, custom credentials, proxies). */
export interface InventoryClients {
  kms(region: string): KMSClient;
  sts(region: string): STSClient;
  account(): AccountClient;
}

export { SDK_RETRY } from './client-defaults.js';

/**
 * What kms-report's KMS clients add to {@link makeClient}'s defaults: the SDK's middleware cache
 * (`cacheMiddleware`): each command's middleware chain is resolved once per client instead of
 * on every call. Safe because kms-report adds middleware to its KMS clients only when it makes
 * them (the endpoint note of {@link makeClient}), before the first call, and none to their
 * commands; it saves 10-15% of the SDK's CPU per call, which is what bounds a region scanned at
 * the full quota (about 1,150 calls a second for two regions; see bench/README.md).
 */
export const KMS_CLIENT_DEFAULTS = { ...SDK_RETRY, cacheMiddleware: true } as const;

/** Credentials for a client: fixed, or a provider the SDK calls again before they expire. */
export type ClientCredentials = KMSClientConfig['credentials'];

/**
 * Clients on the standard AWS credential chain (environment, `AWS_PROFILE` or `profile`,
 * SSO, instance role...), or on the `credentials` given (an assumed-role session, see
 * `assumeRoleSession`), with kms-report's retries and the timeouts of `network` (see
 * {@link makeClient}). `AWS_ENDPOINT_URL` is honoured by the SDK itself.
 */
export function defaultClients(
  profile?: string,
  credentials?: ClientCredentials,
  network?: NetworkOptions,
): InventoryClients {
  const base = credentials ? { credentials } : profile ? { profile } : {};
  const kms = new Map<string, KMSClient>();
  return {
    kms: (region) => {
      let client = kms.get(region);
      if (!client) {
        client = makeClient(KMSClient, { ...base, ...KMS_CLIENT_DEFAULTS, region }, network);
        kms.set(region, client);
      }
      return client;
    },
    sts: (region) => makeClient(STSClient, { ...base, region }, network),
    // The Account API is global; its endpoint is in us-east-1.
    account: () => makeClient(AccountClient, { ...base, region: 'us-east-1' }, network),
  };
}

export interface CollectInventoryOptions {
  /**
   * Regions to scan: a list, `'all'` (every region enabled for the account, from
   * account:ListRegions), or omitted for the configured region (AWS_REGION or the profile's).
   */
  readonly regions?: readonly string[] | 'all';
  /** Named profile for the default clients and for error messages. */
  readonly profile?: string;
  readonly clients?: InventoryClients;
  /** Timeouts of the default clients (not of injected `clients`). */
  readonly network?: NetworkOptions;
  /** Call GetKeyLastUsage for customer managed keys. Default true. */
  readonly lastUsage?: boolean;
  readonly quotaShare?: number;
  readonly concurrency?: number;
  /** Regions scanned at once. Each region has its own KMS quotas. Default 4. */
  readonly regionConcurrency?: number;
  readonly clock?: Clock;
  readonly onProgress?: (progress: RegionProgress) => void;
  /** Stops the scan (see {@link CollectKmsRegionOptions.signal}): rejects with an InterruptedError. */
  readonly signal?: AbortSignal;
  /** The run's deadline (see {@link CollectKmsRegionOptions.deadline}): what is not read by then is a gap. */
  readonly deadline?: AbortSignal;
}

export interface InventoryResult {
  readonly snapshot: InventorySnapshot;
  readonly stats: CallStats;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Checks a user-given region list; names the offending entry. */
export function parseRegionList(input: string, flag = '--regions'): string[] | 'all' {
  const trimmed = input.trim();
  if (trimmed === 'all') return 'all';
  const regions = [...new Set(trimmed.split(',').map((r) => r.trim()))].filter(Boolean);
  if (regions.length === 0)
    throw new InputError(flag, 'expected a comma-separated list of regions, or "all"');
  for (const region of regions) {
    if (!REGION_PATTERN.test(region))
      throw new InputError(flag, `"${region}" is not a region name (expected something like us-east-1)`);
  }
  return regions;
}

/**
 * The regions a collection reads: the list given, every region enabled for the account of
 * `clients` (`'all'`, account:ListRegions), or the configured region.
 */
export async function resolveRegions(
  options: CollectInventoryOptions,
  clients: InventoryClients,
): Promise<string[]> {
  if (options.regions === 'all') {
    const regions: string[] = [];
    try {
      let NextToken: string | undefined;
      do {
        const page = await clients.account().send(
          new ListRegionsCommand({
            RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'],
            MaxResults: 50,
            NextToken,
          }),
        );
        for (const r of page.Regions ?? []) if (r.RegionName) regions.push(r.RegionName);
        NextToken = page.NextToken;
      } while (NextToken);
    } catch (error) {
      const e = classifyAwsError(error);
      if (e.kind === 'credentials') throw awsCredentialsError(options.profile, e.code, e.message, error);
      if (e.kind === 'unreachable') throw networkError('account:ListRegions', e, error);
      throw new KmsReportError(
        `could not list the account's enabled regions (account:ListRegions: ${e.code}${e.message ? `, ${e.message}` : ''}); grant account:ListRegions or name the regions with --regions`,
        { cause: error },
      );
    }
    return regions.sort();
  }
  if (options.regions && options.regions.length > 0) return [...options.regions];
  const configured = await new KMSClient(options.profile ? { profile: options.profile } : {}).config
    .region()
    .catch(() => undefined);
  if (!configured)
    throw new InputError(
      'region',
      'no AWS region is configured: set AWS_REGION, give the profile a region, or pass --regions',
    );
  return [configured];
}

function awsCredentialsError(profile: string | undefined, code: string, message: string, cause: unknown) {
  return credentialsError(profile, `${code}${message ? `: ${message}` : ''}`, cause);
}

/**
 * Collects the KMS inventory of the caller's account in the chosen regions: every key with
 * its metadata and evidence, and every gap, as a versioned snapshot.
 *
 * @example
 * ```ts
 * import { collectInventory, writeSnapshot } from 'kms-report';
 *
 * const { snapshot } = await collectInventory({ regions: ['us-east-1', 'eu-west-1'] });
 * console.log(`${snapshot.keys.length} keys, ${snapshot.gaps.length} gaps`);
 * await writeSnapshot('reports/inventory.json', snapshot);
 * ```
 */
export async function collectInventory(options: CollectInventoryOptions = {}): Promise<InventoryResult> {
  const clients = options.clients ?? defaultClients(options.profile, undefined, options.network);
  const startedAt = new Date(options.clock?.now() ?? Date.now()).toISOString();
  const regions = await resolveRegions(options, clients);
  if (regions.length === 0) throw new InputError('--regions', 'no region to scan');

  let account: string;
  let partition: string;
  try {
    const who = await clients.sts(regions[0] as string).send(new GetCallerIdentityCommand({}));
    account = who.Account ?? '';
    partition = who.Arn?.split(':')[1] ?? 'aws';
    if (!account) throw new Error('GetCallerIdentity returned no account');
  } catch (error) {
    const e = classifyAwsError(error);
    if (e.kind === 'unreachable') throw networkError('sts:GetCallerIdentity', e, error);
    if (e.kind === 'credentials' || e.kind === 'region-unavailable' || e.kind === 'access-denied')
      throw awsCredentialsError(options.profile, e.code, e.message, error);
    throw new KmsReportError(
      `could not identify the account (sts:GetCallerIdentity: ${e.code} ${e.message})`,
      {
        cause: error,
      },
    );
  }
  // The account names the report's folder: an answer that is not an account id is refused.
  account = awsAccountId(account, 'sts:GetCallerIdentity');

  const limit = pLimit(options.regionConcurrency ?? 4);
  let results: Awaited<ReturnType<typeof collectKmsRegion>>[];
  try {
    results = await Promise.all(
      regions.map((region) =>
        limit(() =>
          collectKmsRegion(clients.kms(region), {
            account,
            region,
            lastUsage: options.lastUsage,
            quotaShare: options.quotaShare,
            concurrency: options.concurrency,
            clock: options.clock,
            onProgress: options.onProgress,
            signal: options.signal,
            deadline: options.deadline,
          }),
        ),
      ),
    );
  } catch (error) {
    limit.clearQueue();
    if (error instanceof RegionCredentialsFailure) {
      const [code = 'ExpiredToken', ...rest] = error.message.split(': ');
      throw awsCredentialsError(options.profile, code, rest.join(': '), error);
    }
    throw error;
  }

  const { keys, gaps, coverage, stats } = mergeRegionScans(results);
  const finishedAt = new Date(options.clock?.now() ?? Date.now()).toISOString();
  return {
    snapshot: {
      kind: SNAPSHOT_KIND,
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      tool: { name: 'kms-report', version: TOOL_VERSION },
      collection: { startedAt, finishedAt },
      partition,
      accounts: [account],
      regions: coverage,
      keys,
      gaps,
    },
    stats,
  };
}
