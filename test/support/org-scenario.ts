import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { ClientCredentials, ClientFactory } from '../../src/collect/clients.js';
import { MOTO_ACCOUNT } from './scenario.js';

const CALLER = { accessKeyId: 'testing', secretAccessKey: 'testing' };
export const MEMBER_ROLE = 'KmsReportReader';

/** Whether moto holds an IAM role with this ARN (in any account). */
async function roleExists(endpoint: string, roleArn: string): Promise<boolean> {
  const data = (await (await fetch(`${endpoint}/moto-api/data.json`)).json()) as {
    iam?: { Role?: { arn: string }[] };
  };
  return (data.iam?.Role ?? []).some((r) => r.arn === roleArn);
}

/**
 * moto's AssumeRole succeeds for any role ARN ("the role does not need to exist", moto 5.2 sts
 * models). Real STS refuses a role that does not exist with AccessDenied. This STS client adds
 * that one check, against moto's own IAM state, and otherwise talks to moto unchanged.
 */
function stsRefusingMissingRoles(endpoint: string, region: string): STSClient {
  const sts = new STSClient({ endpoint, region, credentials: CALLER, maxAttempts: 2 });
  sts.middlewareStack.add(
    (next) => async (args) => {
      const roleArn = (args.input as { RoleArn?: string }).RoleArn;
      if (roleArn !== undefined && !(await roleExists(endpoint, roleArn)))
        throw Object.assign(
          new Error(
            `User: arn:aws:iam::${MOTO_ACCOUNT}:user/moto is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          ),
          { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } },
        );
      return next(args);
    },
    { step: 'initialize', name: 'motoRoleMustExist' },
  );
  return sts;
}

/** Clients pointed at moto, per credentials: the caller (`null`) is moto's default (management) account. */
export function motoOrganizationClients(endpoint: string): ClientFactory {
  const base = { endpoint, maxAttempts: 2 };
  return (credentials: ClientCredentials | null) => {
    const as = credentials ?? CALLER;
    return {
      organizations: () => new OrganizationsClient({ ...base, region: 'us-east-1', credentials: CALLER }),
      // The caller's STS assumes the roles; an account's own STS names its session.
      sts: (region) =>
        credentials === null
          ? stsRefusingMissingRoles(endpoint, region)
          : new STSClient({ ...base, region, credentials: as }),
      kms: (region) => new KMSClient({ ...base, region, credentials: as }),
      account: () => {
        throw new Error('the scenario names its regions; the Account API is not used');
      },
      cloudTrail: (region) => new CloudTrailClient({ ...base, region, credentials: as }),
      cloudWatch: (region) => new CloudWatchClient({ ...base, region, credentials: as }),
      s3: (region) => new S3Client({ ...base, region, credentials: as, forcePathStyle: true }),
      // The bill is read with the caller's (the management account's) credentials.
      costExplorer: () => new CostExplorerClient({ ...base, region: 'us-east-1', credentials: CALLER }),
    };
  };
}

export interface SeededAccount {
  readonly id: string;
  readonly name: string;
  /** Whether `MEMBER_ROLE` exists in it. */
  readonly hasRole: boolean;
  readonly ou: string | null;
}

export interface SeededOrganization {
  readonly id: string;
  readonly accounts: readonly SeededAccount[];
  /** Every key made, with the account that owns it. */
  readonly keys: readonly { readonly account: string; readonly arn: string; readonly alias: string }[];
}

/** Keys made per account name: region and alias. */
const KEYS: Record<string, readonly { region: string; alias: string }[]> = {
  master: [{ region: 'us-east-1', alias: 'alias/org-billing' }],
  payments: [
    { region: 'us-east-1', alias: 'alias/payments' },
    { region: 'eu-west-1', alias: 'alias/payments-eu' },
  ],
  analytics: [{ region: 'eu-west-1', alias: 'alias/analytics' }],
  sandbox: [],
  legacy: [{ region: 'us-east-1', alias: 'alias/legacy-unseen' }],
};

/**
 * An organisation in moto: the management account (moto's default) and four members made with
 * CreateAccount. moto creates the role named by CreateAccount's RoleName in the new account (as
 * AWS does with OrganizationAccountAccessRole): three members get `MEMBER_ROLE`, `legacy` gets
 * only OrganizationAccountAccessRole, so `MEMBER_ROLE` does not exist there. Two members sit in a
 * "Workloads" OU. Keys are made in the members by assuming a role into each (moto keeps accounts
 * apart by the assumed role's account).
 */
export async function seedOrganization(endpoint: string): Promise<SeededOrganization> {
  const org = new OrganizationsClient({ endpoint, region: 'us-east-1', credentials: CALLER });
  const made = await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const orgId = made.Organization?.Id as string;
  const root = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
  const ou = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Workloads' })))
    .OrganizationalUnit?.Id as string;

  // moto names the management account "master".
  const accounts: SeededAccount[] = [{ id: MOTO_ACCOUNT, name: 'master', hasRole: false, ou: 'Root' }];
  for (const [name, role, inOu] of [
    ['payments', MEMBER_ROLE, true],
    ['analytics', MEMBER_ROLE, true],
    ['sandbox', MEMBER_ROLE, false],
    ['legacy', 'OrganizationAccountAccessRole', false],
  ] as const) {
    const status = await org.send(
      new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com`, RoleName: role }),
    );
    const id = status.CreateAccountStatus?.AccountId as string;
    if (inOu)
      await org.send(
        new MoveAccountCommand({ AccountId: id, SourceParentId: root, DestinationParentId: ou }),
      );
    accounts.push({ id, name, hasRole: role === MEMBER_ROLE, ou: inOu ? 'Workloads' : 'Root' });
  }

  const sts = new STSClient({ endpoint, region: 'us-east-1', credentials: CALLER });
  const keys: { account: string; arn: string; alias: string }[] = [];
  for (const account of accounts) {
    let credentials = CALLER as { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    if (account.id !== MOTO_ACCOUNT) {
      const role = account.hasRole ? MEMBER_ROLE : 'OrganizationAccountAccessRole';
      const session = await sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${account.id}:role/${role}`,
          RoleSessionName: 'seed',
        }),
      );
      const c = session.Credentials;
      credentials = {
        accessKeyId: c?.AccessKeyId as string,
        secretAccessKey: c?.SecretAccessKey as string,
        sessionToken: c?.SessionToken,
      };
    }
    for (const spec of KEYS[account.name] ?? []) {
      const kms = new KMSClient({ endpoint, region: spec.region, credentials });
      const key = await kms.send(new CreateKeyCommand({ Description: `${account.name} ${spec.alias}` }));
      const arn = key.KeyMetadata?.Arn as string;
      await kms.send(new CreateAliasCommand({ AliasName: spec.alias, TargetKeyId: key.KeyMetadata?.KeyId }));
      keys.push({ account: account.id, arn, alias: spec.alias });
    }
  }
  return { id: orgId, accounts, keys };
}
