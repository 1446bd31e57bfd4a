/**
 * `kms-report/collect`: the parts the collectors are built from, for a caller who brings their own
 * SDK clients or tunes the collection. SDK client defaults (retries, connect and request
 * timeouts), the KMS read quotas the collectors pace themselves under, one region's scan, the
 * organisation's accounts and the sessions assumed in them, and the run's deadline.
 *
 * The collectors themselves (`collectInventory`, `collectMonthUsage`: one account or many) are in the root.
 *
 * @example A KMS client with kms-report's retries and timeouts, and one region's keys
 * ```ts
 * import { KMSClient } from '@aws-sdk/client-kms';
 * import { collectKmsRegion, makeClient } from 'kms-report/collect';
 *
 * const kms = makeClient(KMSClient, { region: 'eu-west-1' }, { requestTimeoutMs: 10_000 });
 * const region = await collectKmsRegion(kms, { account: '111122223333', region: 'eu-west-1' });
 * console.log(region.keys.length, region.gaps);
 * ```
 *
 * @packageDocumentation
 */

export { AwsFailure, type ClassifiedError, classifyAwsError, type ErrorKind } from '../collect/aws-errors.js';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  makeClient,
  type NetworkOptions,
  networkConfig,
  SDK_RETRY,
} from '../collect/client-defaults.js';
export {
  type AwsClients,
  type AwsClientsOptions,
  awsClients,
  type ClientFactory,
  type ClientSource,
  clientFactory,
  KMS_CLIENT_DEFAULTS,
} from '../collect/clients.js';
export { type CallerIdentity, callerIdentity, configuredRegion } from '../collect/identity.js';
export {
  applicability,
  type CallStats,
  type CollectKmsRegionOptions,
  collectKmsRegion,
  type RegionInventory,
  type RegionProgress,
  toKeyMetadata,
} from '../collect/kms.js';
export {
  DEFAULT_KEY_CONCURRENCY,
  DEFAULT_QUOTA_SHARE,
  KMS_READ_QUOTAS,
  type KmsReadApi,
  ratesFor,
} from '../collect/kms-limits.js';
export { parseRegionList, type RegionChoice, resolveRegions } from '../collect/regions.js';
// The base class of AwsFailure (the root exports every error class).
export { KmsReportError } from '../errors.js';
// Types its signatures use, the root's model among them (the root exports them too).
export type {
  AccountGroup,
  AccountProgress,
  ClientCredentials,
  Clock,
  CollectInventoryOptions,
  InventoryClients,
  UsageClients,
} from '../index.js';
export {
  type AccountSpec,
  type AccountTarget,
  type AssumeRoleSessionOptions,
  assumeRoleSession,
  DEFAULT_ACCOUNT_CONCURRENCY,
  DEFAULT_ORG_REGION_CONCURRENCY,
  DEFAULT_REGION_CONCURRENCY,
  DEFAULT_SESSION_SECONDS,
  defaultSessionName,
  filterAccounts,
  type ListedAccount,
  listOrganizationAccounts,
  type OrganizationListing,
  parseAccountList,
  parseRoleName,
  ROOT_OU_NAME,
  roleArnOf,
  SESSION_REFRESH_MARGIN_MS,
  type SessionCredentials,
  type SessionCredentialsProvider,
} from '../org/index.js';
export { DEADLINE_ERROR_CODE, formatDuration, parseDuration, startDeadline } from '../util/deadline.js';
export * from './model.js';
