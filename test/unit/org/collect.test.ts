import { KMSClient, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ClientCredentials, ClientFactory, InventoryClients } from '../../../src/collect/clients.js';
import { InputError } from '../../../src/errors.js';
import { parseAccountList } from '../../../src/org/accounts.js';
import { collectInventory } from '../../../src/org/collect.js';

const CALLER = '111111111111';
const NO_ROLE = '999999999999';
const CALLER_CREDENTIALS = { accessKeyId: `AKIA${CALLER}`, secretAccessKey: 'x' };

const sts = mockClient(STSClient);
const kms = mockClient(KMSClient);
const organizations = mockClient(OrganizationsClient);

/** Clients whose KMS calls are mocked; each account's session signs with `ASIA<account>`. */
function fakeClients(): ClientFactory<InventoryClients> {
  return (credentials) => ({
    organizations: () => new OrganizationsClient({ region: 'us-east-1', credentials: CALLER_CREDENTIALS }),
    kms: (region) => new KMSClient({ region, credentials: credentials ?? CALLER_CREDENTIALS }),
    sts: (region) => new STSClient({ region, credentials: credentials ?? CALLER_CREDENTIALS }),
    account: () => {
      throw new Error('regions are named');
    },
  });
}

/** Tracks how many region scans run at once, overall and per account. */
function scanMeter() {
  let inFlight = 0;
  let maxInFlight = 0;
  const accountsInFlight = new Map<string, number>();
  let maxAccounts = 0;
  const scanned: string[] = [];
  kms.on(ListKeysCommand).callsFake(async (_input, getClient) => {
    // Read the client before the first await: the mock's getClient follows the latest call.
    const client = getClient();
    const provider = client.config.credentials as () => Promise<{ accessKeyId: string }>;
    const region = await client.config.region();
    const account = (await provider()).accessKeyId.slice(4);
    scanned.push(`${account}/${region}`);
    inFlight += 1;
    accountsInFlight.set(account, (accountsInFlight.get(account) ?? 0) + 1);
    maxInFlight = Math.max(maxInFlight, inFlight);
    maxAccounts = Math.max(maxAccounts, [...accountsInFlight.values()].filter((n) => n > 0).length);
    await new Promise((r) => setTimeout(r, 15));
    inFlight -= 1;
    accountsInFlight.set(account, (accountsInFlight.get(account) ?? 1) - 1);
    return { Keys: [], Truncated: false };
  });
  kms.on(ListAliasesCommand).resolves({ Aliases: [], Truncated: false });
  return {
    get maxInFlight() {
      return maxInFlight;
    },
    get maxAccounts() {
      return maxAccounts;
    },
    scanned,
  };
}

describe('Function: collectInventory over a group of accounts', () => {
  beforeEach(() => {
    sts.reset();
    kms.reset();
    organizations.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: CALLER, Arn: `arn:aws:iam::${CALLER}:user/audit` });
    sts.on(AssumeRoleCommand).callsFake(async (input: { RoleArn: string }) => {
      const account = input.RoleArn.split(':')[4] as string;
      if (account === NO_ROLE)
        throw Object.assign(
          new Error(`not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`),
          {
            name: 'AccessDenied',
          },
        );
      return {
        Credentials: {
          AccessKeyId: `ASIA${account}`,
          SecretAccessKey: 's',
          SessionToken: 't',
          Expiration: new Date(Date.now() + 3_600_000),
        },
      };
    });
  });

  it('keeps accounts and (account, region) scans within their bounds, and still runs them in parallel', async () => {
    // Prepare: six accounts of four regions each.
    const meter = scanMeter();
    const accounts = ['222222222222', '333333333333', '444444444444', '555555555555', '666666666666'];
    // Act
    const { snapshot } = await collectInventory({
      group: {
        accounts: parseAccountList([CALLER, ...accounts].join(',')),
        roleName: 'KmsReportReader',
        accountConcurrency: 2,
      },
      regions: ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'],
      clients: fakeClients(),
      regionConcurrency: 3,
      lastUsage: false,
    });
    // Assess
    expect(meter.scanned).toHaveLength(24);
    expect(meter.maxInFlight).toBeLessThanOrEqual(3);
    expect(meter.maxAccounts).toBeLessThanOrEqual(2);
    expect(meter.maxInFlight).toBeGreaterThan(1);
    expect(meter.maxAccounts).toBe(2);
    expect(snapshot.regions).toHaveLength(24);
    expect(snapshot.gaps).toEqual([]);
  });

  it('reads the caller account with its own credentials and every other one through the role', async () => {
    scanMeter();
    const { snapshot, sessions } = await collectInventory({
      group: {
        accounts: parseAccountList(`222222222222,${CALLER}`),
        roleName: 'KmsReportReader',
        externalId: 'audit-2026',
      },
      regions: ['us-east-1'],
      clients: fakeClients(),
    });
    const roles = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    expect(roles).toHaveLength(1);
    expect(roles[0]).toMatchObject({
      RoleArn: 'arn:aws:iam::222222222222:role/KmsReportReader',
      ExternalId: 'audit-2026',
      RoleSessionName: expect.stringMatching(/^kms-report-\d{8}T\d{6}Z$/),
    });
    expect(snapshot.accounts).toEqual([CALLER, '222222222222']);
    expect(snapshot.organization?.accounts.map((a) => [a.id, a.roleArn, a.status])).toEqual([
      [CALLER, null, 'collected'],
      ['222222222222', 'arn:aws:iam::222222222222:role/KmsReportReader', 'collected'],
    ]);
    expect(sessions.map((s) => [s.account, s.credentials === null, s.regions])).toEqual([
      [CALLER, true, ['us-east-1']],
      ['222222222222', false, ['us-east-1']],
    ]);
    // Nothing secret is in the evidence.
    expect(JSON.stringify(snapshot)).not.toMatch(/ASIA|AKIA|audit-2026/);
  });

  it('records an account whose role cannot be assumed as an account gap, and reads the others', async () => {
    const meter = scanMeter();
    const { snapshot } = await collectInventory({
      group: { accounts: parseAccountList(`222222222222,${NO_ROLE}`), roleName: 'KmsReportReader' },
      regions: ['us-east-1', 'eu-west-1'],
      clients: fakeClients(),
    });
    expect(meter.scanned.sort()).toEqual(['222222222222/eu-west-1', '222222222222/us-east-1']);
    expect(snapshot.gaps).toEqual([
      {
        scope: 'account',
        account: NO_ROLE,
        region: null,
        keyArn: null,
        field: null,
        operation: 'AssumeRole',
        errorCode: 'AccessDenied',
        message: expect.stringContaining(`could not assume arn:aws:iam::${NO_ROLE}:role/KmsReportReader`),
      },
    ]);
    expect(snapshot.regions.filter((r) => r.account === NO_ROLE)).toEqual([
      { account: NO_ROLE, region: 'eu-west-1', status: 'failed', keysListed: 0 },
      { account: NO_ROLE, region: 'us-east-1', status: 'failed', keysListed: 0 },
    ]);
    expect(snapshot.organization?.accounts.find((a) => a.id === NO_ROLE)?.status).toBe('failed');
  });

  it('narrows the organisation to --accounts, and needs a role name for member accounts', async () => {
    scanMeter();
    organizations.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: CALLER, Name: 'management', State: 'ACTIVE' },
        { Id: '222222222222', Name: 'dev', State: 'ACTIVE' },
        { Id: '333333333333', Name: 'prod', State: 'ACTIVE' },
      ],
    });
    const { snapshot } = await collectInventory({
      group: { organization: true, accounts: parseAccountList('333333333333'), roleName: 'KmsReportReader' },
      regions: ['us-east-1'],
      clients: fakeClients(),
    });
    expect(snapshot.accounts).toEqual(['333333333333']);
    expect(snapshot.organization?.accounts[0]?.name).toBe('prod');

    await expect(
      collectInventory({ group: { organization: true }, regions: ['us-east-1'], clients: fakeClients() }),
    ).rejects.toThrow(InputError);
    await expect(
      collectInventory({ group: { organization: true }, regions: ['us-east-1'], clients: fakeClients() }),
    ).rejects.toThrow('--role-name: needed to enter account 222222222222');
  });

  it('records a region whose session stops working as a region gap of that account, and reads the rest', async () => {
    const meter = scanMeter();
    kms.on(ListKeysCommand).callsFake(async (_input, getClient) => {
      const client = getClient();
      const region = await client.config.region();
      const provider = client.config.credentials as () => Promise<{ accessKeyId: string }>;
      const account = (await provider()).accessKeyId.slice(4);
      if (account === '222222222222' && region === 'eu-west-1')
        throw Object.assign(new Error('The security token included in the request is expired'), {
          name: 'ExpiredTokenException',
        });
      meter.scanned.push(`${account}/${region}`);
      return { Keys: [], Truncated: false };
    });
    const { snapshot } = await collectInventory({
      group: { accounts: parseAccountList(`222222222222,${CALLER}`), roleName: 'KmsReportReader' },
      regions: ['us-east-1', 'eu-west-1'],
      clients: fakeClients(),
    });
    expect(snapshot.gaps).toEqual([
      {
        scope: 'region',
        account: '222222222222',
        region: 'eu-west-1',
        keyArn: null,
        field: null,
        operation: 'ListKeys',
        errorCode: 'ExpiredTokenException',
        message:
          "the account's credentials stopped working: The security token included in the request is expired",
      },
    ]);
    expect(snapshot.regions.map((r) => [r.account, r.region, r.status])).toEqual([
      [CALLER, 'eu-west-1', 'complete'],
      [CALLER, 'us-east-1', 'complete'],
      ['222222222222', 'eu-west-1', 'failed'],
      ['222222222222', 'us-east-1', 'complete'],
    ]);
  });
});

/** Clients as a class: its methods live on the prototype, which a spread (`{ ...clients }`) drops. */
class ClassClients implements InventoryClients {
  constructor(private readonly signWith: ClientCredentials) {}
  kms(region: string) {
    return new KMSClient({ region, credentials: this.signWith });
  }
  sts(region: string) {
    return new STSClient({ region, credentials: this.signWith });
  }
  account(): never {
    throw new Error('regions are named');
  }
  organizations() {
    return new OrganizationsClient({ region: 'us-east-1', credentials: CALLER_CREDENTIALS });
  }
}

describe('Function: collectInventory with clients that are class instances', () => {
  beforeEach(() => {
    sts.reset();
    kms.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: CALLER, Arn: `arn:aws:iam::${CALLER}:user/audit` });
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIA222222222222',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
  });

  it("reads the caller's own account with one instance, and a group with the instances a factory returns", async () => {
    const meter = scanMeter();
    const own = await collectInventory({
      regions: ['us-east-1'],
      clients: new ClassClients(CALLER_CREDENTIALS),
      lastUsage: false,
    });
    expect(own.snapshot.regions.map((r) => [r.account, r.status])).toEqual([[CALLER, 'complete']]);

    const group = await collectInventory({
      group: { accounts: parseAccountList(`222222222222,${CALLER}`), roleName: 'KmsReportReader' },
      regions: ['us-east-1'],
      clients: (credentials) => new ClassClients(credentials ?? CALLER_CREDENTIALS),
      lastUsage: false,
    });
    expect(group.snapshot.gaps).toEqual([]);
    expect(meter.scanned.sort()).toEqual([
      `${CALLER}/us-east-1`,
      `${CALLER}/us-east-1`,
      '222222222222/us-east-1',
    ]);
  });
});

describe('Function: collectInventory over a group with one fixed set of clients', () => {
  it('is refused before any call, naming the option', async () => {
    sts.reset();
    kms.reset();
    const run = collectInventory({
      group: { accounts: parseAccountList('222222222222'), roleName: 'KmsReportReader' },
      regions: ['us-east-1'],
      clients: new ClassClients(CALLER_CREDENTIALS),
    });
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(/^clients: a fixed set of clients reads the caller's own account only/);
    expect(sts.calls()).toHaveLength(0);
  });
});
