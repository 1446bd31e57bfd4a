import {
  DescribeOrganizationalUnitCommand,
  ListAccountsCommand,
  ListParentsCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import pLimit from 'p-limit';
import { classifyAwsError, networkError } from '../collect/aws-errors.js';
import { InputError, KmsReportError } from '../errors.js';
import { awsAccountId, isAccountId } from '../model/account-id.js';
import type { OrganizationalUnit } from '../model/inventory.js';
import { compareText } from '../util/compare.js';

/** An account as AWS Organizations lists it. */
export interface ListedAccount {
  readonly id: string;
  readonly name: string | null;
  /** Null when OUs could not be read (see {@link OrganizationListing.ousReadable}). */
  readonly ou: OrganizationalUnit | null;
}

export interface OrganizationListing {
  /** `o-...`, read from the accounts' ARNs. */
  readonly organizationId: string | null;
  /** ACTIVE accounts only (suspended and closing accounts have no keys to bill), sorted by id. */
  readonly accounts: readonly ListedAccount[];
  /** False when ListParents or DescribeOrganizationalUnit was refused: every OU is then unknown. */
  readonly ousReadable: boolean;
}

/** The name the report gives the organisation's root, which is not an OU but holds accounts. */
export const ROOT_OU_NAME = 'Root';

/** The error for an Organizations call the run cannot do without. */
export class OrganizationsAccessError extends KmsReportError {
  override readonly name = 'OrganizationsAccessError';
}

/**
 * Lists the organisation's ACTIVE accounts (organizations:ListAccounts, every page) and, when the
 * caller may read them, each account's parent OU (ListParents, DescribeOrganizationalUnit; an OU
 * is described once). OUs are a convenience: when they are refused (or fail) every account's OU is null,
 * which the report shows as "unknown OU", and the run goes on. ListAccounts itself is required:
 * its failure throws {@link OrganizationsAccessError}.
 *
 * @example
 * ```ts
 * import { OrganizationsClient } from '@aws-sdk/client-organizations';
 *
 * const { accounts } = await listOrganizationAccounts(new OrganizationsClient({ region: 'us-east-1' }));
 * ```
 */
export async function listOrganizationAccounts(
  client: OrganizationsClient,
  options: { readonly ous?: boolean; readonly concurrency?: number } = {},
): Promise<OrganizationListing> {
  const listed: { id: string; name: string | null; arn: string | null }[] = [];
  try {
    let NextToken: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await client.send(new ListAccountsCommand({ NextToken }));
      for (const a of page.Accounts ?? []) {
        // `State` replaces the deprecated `Status`; either says ACTIVE for a live account.
        const state = a.State ?? a.Status;
        if (!a.Id || state !== 'ACTIVE') continue;
        listed.push({ id: a.Id, name: a.Name ?? null, arn: a.Arn ?? null });
      }
      NextToken = page.NextToken;
      if (NextToken !== undefined) {
        if (seen.has(NextToken)) throw new Error('ListAccounts returned the same NextToken twice');
        seen.add(NextToken);
      }
    } while (NextToken);
  } catch (error) {
    const e = classifyAwsError(error);
    if (e.kind === 'unreachable') throw networkError('organizations:ListAccounts', e, error);
    throw new OrganizationsAccessError(
      `could not list the organisation's accounts (organizations:ListAccounts: ${e.code}${e.message ? `, ${e.message}` : ''}); run from the management account or a delegated administrator, or name the accounts with --accounts`,
      { cause: error },
    );
  }
  // Each id names a folder of the report's evidence: an id that is not 12 digits is refused.
  for (const a of listed) awsAccountId(a.id, 'organizations:ListAccounts');
  listed.sort((a, b) => compareText(a.id, b.id));
  const organizationId =
    listed.map((a) => /:account\/(o-[a-z0-9]+)\//.exec(a.arn ?? '')?.[1]).find(Boolean) ?? null;

  let ousReadable = options.ous ?? true;
  const ouNames = new Map<string, Promise<OrganizationalUnit>>();
  const describe = (id: string): Promise<OrganizationalUnit> => {
    let name = ouNames.get(id);
    if (!name) {
      name = client
        .send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: id }))
        .then((r) => ({ id, name: r.OrganizationalUnit?.Name ?? id }));
      ouNames.set(id, name);
    }
    return name;
  };
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  const ouOf = async (accountId: string): Promise<OrganizationalUnit | null> => {
    if (!ousReadable) return null;
    try {
      const r = await client.send(new ListParentsCommand({ ChildId: accountId }));
      const parent = r.Parents?.[0];
      if (!parent?.Id) return null;
      if (parent.Type === 'ROOT') return { id: parent.Id, name: ROOT_OU_NAME };
      return await describe(parent.Id);
    } catch {
      // Refused (no ListParents / DescribeOrganizationalUnit) or failing: OUs are a convenience,
      // so stop asking and show every account's OU as unknown.
      ousReadable = false;
      return null;
    }
  };
  const ous = await Promise.all(listed.map((a) => limit(() => ouOf(a.id))));
  return {
    organizationId,
    accounts: listed.map((a, i) => ({
      id: a.id,
      name: a.name,
      ou: ousReadable ? (ous[i] ?? null) : null,
    })),
    ousReadable,
  };
}

/** One entry of `--accounts`: an account id, or the ARN of the role to assume in it. */
export interface AccountSpec {
  readonly account: string;
  /** The role to assume, when the entry was a role ARN. */
  readonly roleArn: string | null;
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/**
 * Checks an `--accounts` list: comma-separated 12-digit account ids and/or role ARNs
 * (`arn:aws:iam::111122223333:role/KmsReportReader`). Names the bad entry.
 *
 * @example
 * ```ts
 * parseAccountList('111122223333,arn:aws:iam::444455556666:role/Audit');
 * // [{ account: '111122223333', roleArn: null },
 * //  { account: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/Audit' }]
 * ```
 */
export function parseAccountList(input: string, flag = '--accounts'): AccountSpec[] {
  const entries = [...new Set(input.split(',').map((s) => s.trim()))].filter(Boolean);
  if (entries.length === 0)
    throw new InputError(flag, 'expected a comma-separated list of account ids or role ARNs');
  const specs = new Map<string, AccountSpec>();
  for (const entry of entries) {
    let spec: AccountSpec;
    if (isAccountId(entry)) spec = { account: entry, roleArn: null };
    else {
      const m = ROLE_ARN.exec(entry);
      if (!m)
        throw new InputError(
          flag,
          `"${entry}" is neither a 12-digit account id nor a role ARN (arn:aws:iam::111122223333:role/NAME)`,
        );
      spec = { account: m[2] as string, roleArn: entry };
    }
    const before = specs.get(spec.account);
    if (before && before.roleArn !== spec.roleArn)
      throw new InputError(flag, `account ${spec.account} is named twice with different roles`);
    specs.set(spec.account, spec);
  }
  return [...specs.values()];
}

/** A role name as IAM allows it (path excluded). */
export function parseRoleName(input: string, flag = '--role-name'): string {
  const name = input.trim();
  if (!/^[\w+=,.@-]{1,64}$/.test(name))
    throw new InputError(flag, `"${input}" is not an IAM role name (1-64 of letters, digits and +=,.@_-)`);
  return name;
}

/** The ARN of `roleName` in `account`. */
export function roleArnOf(partition: string, account: string, roleName: string): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

/**
 * The organisation's accounts narrowed by `--accounts`: only those named, in the organisation's
 * order. A named account the organisation does not list (not a member, or not ACTIVE) is refused,
 * naming it, so a typo does not become a silently smaller report.
 */
export function filterAccounts(
  listed: readonly ListedAccount[],
  wanted: readonly AccountSpec[] | undefined,
  flag = '--accounts',
): ListedAccount[] {
  if (!wanted) return [...listed];
  const known = new Set(listed.map((a) => a.id));
  const missing = wanted.filter((w) => !known.has(w.account)).map((w) => w.account);
  if (missing.length > 0)
    throw new InputError(
      flag,
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not an ACTIVE account of the organisation`,
    );
  const keep = new Set(wanted.map((w) => w.account));
  return listed.filter((a) => keep.has(a.id));
}
