/**
 * Runs over 1..N accounts: the caller's own, or the organisation's (AWS Organizations) or those
 * named, with a session in each (STS AssumeRole, memory only, renewed before expiry); one
 * inventory and one month of usage for them all.
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
export {
  type CollectInventoryOptions,
  collectInventory,
  DEFAULT_ORG_REGION_CONCURRENCY,
  DEFAULT_REGION_CONCURRENCY,
  type InventoryResult,
} from './collect.js';
export { type AccountMonthUsage, type MergedUsage, mergeAccountUsage } from './merge.js';
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
  type AccountGroup,
  type AccountProgress,
  type AccountSession,
  type AccountTarget,
  DEFAULT_ACCOUNT_CONCURRENCY,
} from './targets.js';
export { type CollectMonthUsageOptions, collectMonthUsage, type MonthUsageResult } from './usage.js';
