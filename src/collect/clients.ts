import { AccountClient } from '@aws-sdk/client-account';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { KmsReportError } from '../errors.js';
import { makeClient, type NetworkOptions, SDK_RETRY } from './client-defaults.js';

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

/** Every SDK client kms-report uses, signed with one set of credentials. */
export interface AwsClients {
  kms(region: string): KMSClient;
  /** The caller's identity, and (the caller's own) AssumeRole into other accounts. */
  sts(region: string): STSClient;
  /** The Account API (account:ListRegions); global, its endpoint is in us-east-1. */
  account(): AccountClient;
  cloudTrail(region: string): CloudTrailClient;
  cloudWatch(region: string): CloudWatchClient;
  /** The client for the trail bucket (`region`: where the bucket is, if known). */
  s3(region: string): S3Client;
  /** AWS Organizations (management account or delegated administrator); global, in us-east-1. */
  organizations(): OrganizationsClient;
  /** Cost Explorer (the bill read: `--bill cost-explorer`); global, its endpoint is in us-east-1. */
  costExplorer(): CostExplorerClient;
  /**
   * Amazon Athena, where the trail's (or the CUR's) table is queried (`--usage-source athena`).
   * Optional, so that client sets made before it existed still type-check; {@link awsClients} has it.
   */
  athena?(region: string): AthenaClient;
}

/**
 * The clients an inventory collection uses. Inject your own (tests, custom credentials, proxies);
 * `organizations` is needed only to list an organisation's accounts.
 */
export type InventoryClients = Pick<AwsClients, 'kms' | 'sts' | 'account'> &
  Partial<Pick<AwsClients, 'organizations'>>;

/**
 * The clients a usage collection uses. Inject your own (tests, custom credentials); `athena` is
 * needed only for the `athena` source.
 */
export type UsageClients = Pick<AwsClients, 'cloudTrail' | 'cloudWatch' | 's3' | 'sts'> &
  Partial<Pick<AwsClients, 'athena'>>;

/**
 * The clients of each set of credentials: `null` for the caller's own (the profile or the
 * default chain), else an account's session (see `assumeRoleSession`).
 */
export type ClientFactory<C = AwsClients> = (credentials: ClientCredentials | null) => C;

/**
 * Where a collector gets its clients: one set (the caller's, enough for the caller's own
 * account), or a {@link ClientFactory} (needed to enter other accounts).
 */
export type ClientSource<C> = C | ClientFactory<C>;

export interface AwsClientsOptions {
  /** Named profile; ignored when `credentials` are given. */
  readonly profile?: string;
  /** Credentials to sign with (an assumed-role session) instead of the standard chain. */
  readonly credentials?: ClientCredentials;
  /** Timeouts of every client (see {@link makeClient}). */
  readonly network?: NetworkOptions;
}

/**
 * Clients on the standard AWS credential chain (environment, `AWS_PROFILE` or `profile`, SSO,
 * instance role...), or on the `credentials` given, with kms-report's retries and the timeouts of
 * `network` (see {@link makeClient}). One client per service and region, made when first asked
 * for: every request of a region shares its client (and the KMS client its middleware cache).
 * `AWS_ENDPOINT_URL` is honoured by the SDK itself. The S3 client follows the bucket's region
 * when it is not the one given.
 *
 * @example
 * ```ts
 * const clients = awsClients({ profile: 'audit', network: { requestTimeoutMs: 10_000 } });
 * const kms = clients.kms('eu-west-1');
 * ```
 */
export function awsClients(options: AwsClientsOptions = {}): AwsClients {
  const { profile, credentials, network } = options;
  const base = credentials ? { credentials } : profile ? { profile } : {};
  const made = new Map<string, unknown>();
  const once = <T>(id: string, make: () => T): T => {
    if (!made.has(id)) made.set(id, make());
    return made.get(id) as T;
  };
  return {
    kms: (region) =>
      once(`kms/${region}`, () =>
        makeClient(KMSClient, { ...base, ...KMS_CLIENT_DEFAULTS, region }, network),
      ),
    sts: (region) => once(`sts/${region}`, () => makeClient(STSClient, { ...base, region }, network)),
    account: () =>
      once('account', () => makeClient(AccountClient, { ...base, region: 'us-east-1' }, network)),
    cloudTrail: (region) =>
      once(`cloudtrail/${region}`, () => makeClient(CloudTrailClient, { ...base, region }, network)),
    cloudWatch: (region) =>
      once(`cloudwatch/${region}`, () => makeClient(CloudWatchClient, { ...base, region }, network)),
    s3: (region) =>
      once(`s3/${region}`, () =>
        makeClient(S3Client, { ...base, region, followRegionRedirects: true }, network),
      ),
    organizations: () =>
      once('organizations', () => makeClient(OrganizationsClient, { ...base, region: 'us-east-1' }, network)),
    costExplorer: () =>
      once('ce', () => makeClient(CostExplorerClient, { ...base, region: 'us-east-1' }, network)),
    athena: (region) =>
      once(`athena/${region}`, () => makeClient(AthenaClient, { ...base, region }, network)),
  };
}

/**
 * The default {@link ClientFactory}: {@link awsClients} for the caller (`profile`) and for each
 * account's session, one set per credentials, so every client of an account shares its session
 * and its renewal.
 */
export function clientFactory(profile?: string, network?: NetworkOptions): ClientFactory {
  const sets = new Map<ClientCredentials | null, AwsClients>();
  return (credentials) => {
    let clients = sets.get(credentials);
    if (!clients) {
      clients = awsClients({ profile, credentials: credentials ?? undefined, network });
      sets.set(credentials, clients);
    }
    return clients;
  };
}

/** The clients of `source` for `credentials` (`null`: the caller's own). */
export function clientsFor<C>(source: ClientSource<C>, credentials: ClientCredentials | null): C {
  if (typeof source === 'function') return (source as ClientFactory<C>)(credentials);
  if (credentials === null) return source;
  throw new KmsReportError(
    "clients: a fixed set of clients reads the caller's own account only; give a function of the credentials (a ClientFactory) to enter other accounts",
  );
}
