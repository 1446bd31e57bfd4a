import type { ClientCredentials, InventoryClients } from '../collect/clients.js';
import type { CallerIdentity } from '../collect/identity.js';
import { InputError, KmsReportError } from '../errors.js';
import type { OrganizationalUnit } from '../model/inventory.js';
import { compareText } from '../util/compare.js';
import { type AccountSpec, filterAccounts, listOrganizationAccounts, roleArnOf } from './accounts.js';

/** Accounts entered at once. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 4;

/** One account starting, done, or failed to enter, for a progress display. */
export interface AccountProgress {
  readonly account: string;
  readonly status: 'started' | 'collected' | 'failed';
  readonly accountsDone: number;
  readonly accountsTotal: number;
}

/**
 * The accounts a run reads besides (or instead of) the caller's own, and how it enters them.
 * A run without a group reads the caller's own account alone: a group of one target with no
 * role to assume, whose failures are the run's.
 */
export interface AccountGroup {
  /** Read the accounts from AWS Organizations (`--org`). */
  readonly organization?: boolean;
  /**
   * `--accounts`: with `organization`, narrows the organisation's accounts (a role ARN also names
   * the role for its account); without it, the accounts to read, with no Organizations call.
   */
  readonly accounts?: readonly AccountSpec[];
  /** The role to assume in each account not named by a role ARN (not in the caller's own). */
  readonly roleName?: string;
  readonly externalId?: string;
  /** Default `kms-report-<timestamp>`. */
  readonly sessionName?: string;
  readonly sessionSeconds?: number;
  /** Accounts read at once. Default {@link DEFAULT_ACCOUNT_CONCURRENCY}. */
  readonly accountConcurrency?: number;
  readonly onAccount?: (progress: AccountProgress) => void;
}

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
  readonly credentials: ClientCredentials | null;
}

/**
 * The accounts of `group`, sorted by id, each with the role that enters it: the organisation's
 * (narrowed by `accounts`) or the accounts named. Refused (an {@link InputError}) when no account
 * is named, or a role is needed and none was given.
 */
export async function groupTargets(
  group: AccountGroup,
  caller: Pick<InventoryClients, 'organizations'>,
  identity: CallerIdentity,
): Promise<{ organizationId: string | null; targets: AccountTarget[] }> {
  let organizationId: string | null = null;
  let listed: { id: string; name: string | null; ou: OrganizationalUnit | null }[];
  if (group.organization) {
    if (!caller.organizations)
      throw new KmsReportError('clients: no Organizations client to list the accounts');
    const listing = await listOrganizationAccounts(caller.organizations());
    organizationId = listing.organizationId;
    listed = filterAccounts(listing.accounts, group.accounts);
  } else {
    if (!group.accounts || group.accounts.length === 0)
      throw new InputError('--accounts', 'name the accounts to read, or read the organisation with --org');
    listed = group.accounts.map((a) => ({ id: a.account, name: null, ou: null }));
  }
  const roles = new Map((group.accounts ?? []).map((a) => [a.account, a.roleArn]));
  const targets = listed.map((a): AccountTarget => {
    const given = roles.get(a.id) ?? null;
    if (given) return { ...a, roleArn: given };
    if (a.id === identity.account) return { ...a, roleArn: null };
    if (!group.roleName)
      throw new InputError(
        '--role-name',
        `needed to enter account ${a.id}: name the role kms-report assumes in each account (or give role ARNs to --accounts)`,
      );
    return { ...a, roleArn: roleArnOf(identity.partition, a.id, group.roleName) };
  });
  targets.sort((a, b) => compareText(a.id, b.id));
  return { organizationId, targets };
}
