/**
 * Organisation-wide runs: the organisation's accounts (AWS Organizations), a session in each
 * (STS AssumeRole, memory only, renewed before expiry), one inventory and one month of usage for
 * them all.
 */
export {
  type AccountSpec,
  filterAccounts,
  type ListedAccount,
  listOrganizationAccounts,
  type OrganizationListing,
  OrganizationsAccessError,
  parseAccountList,
  parseRoleName,
  ROOT_OU_NAME,
  roleArnOf,
} from './accounts.js';
export { defaultOrganizationClients, type OrganizationClients } from './clients.js';
export {
  type AccountProgress,
  type AccountSession,
  type AccountTarget,
  type CollectOrganizationOptions,
  collectOrganizationInventory,
  DEFAULT_ACCOUNT_CONCURRENCY,
  DEFAULT_ORG_REGION_CONCURRENCY,
  type OrganizationInventoryResult,
} from './collect.js';
export {
  AssumeRoleError,
  type AssumeRoleSessionOptions,
  assumeRoleSession,
  DEFAULT_SESSION_SECONDS,
  defaultSessionName,
  SESSION_REFRESH_MARGIN_MS,
  type SessionCredentials,
  type SessionCredentialsProvider,
} from './session.js';
export {
  type AccountMonthUsage,
  type CollectOrganizationUsageOptions,
  collectOrganizationUsage,
  type MergedUsage,
  mergeAccountUsage,
  type OrganizationUsageResult,
} from './usage.js';
