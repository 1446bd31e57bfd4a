import {
  DescribeOrganizationalUnitCommand,
  ListAccountsCommand,
  ListParentsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import {
  filterAccounts,
  listOrganizationAccounts,
  OrganizationsAccessError,
  parseAccountList,
} from '../../../src/org/accounts.js';

const org = mockClient(OrganizationsClient);
const arn = (id: string) => `arn:aws:organizations::111122223333:account/o-abc123def4/${id}`;
const denied = () => Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });

describe('Function: listOrganizationAccounts', () => {
  beforeEach(() => org.reset());

  it('reads every page, keeps ACTIVE accounts only, and describes each OU once', async () => {
    // Prepare
    org
      .on(ListAccountsCommand)
      .resolvesOnce({
        Accounts: [
          { Id: '333333333333', Name: 'prod', Arn: arn('333333333333'), State: 'ACTIVE' },
          { Id: '111122223333', Name: 'management', Arn: arn('111122223333'), Status: 'ACTIVE' },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        Accounts: [
          { Id: '222222222222', Name: 'dev', Arn: arn('222222222222'), State: 'ACTIVE' },
          { Id: '444444444444', Name: 'closed', Arn: arn('444444444444'), State: 'SUSPENDED' },
        ],
      });
    org
      .on(ListParentsCommand)
      .resolves({ Parents: [{ Id: 'ou-ab12-workload', Type: 'ORGANIZATIONAL_UNIT' }] });
    org
      .on(ListParentsCommand, { ChildId: '111122223333' })
      .resolves({ Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] });
    org.on(DescribeOrganizationalUnitCommand).resolves({
      OrganizationalUnit: { Id: 'ou-ab12-workload', Name: 'Workloads' },
    });
    // Act
    const listing = await listOrganizationAccounts(new OrganizationsClient({ region: 'us-east-1' }));
    // Assess
    expect(listing.organizationId).toBe('o-abc123def4');
    expect(listing.ousReadable).toBe(true);
    expect(listing.accounts).toEqual([
      { id: '111122223333', name: 'management', ou: { id: 'r-ab12', name: 'Root' } },
      { id: '222222222222', name: 'dev', ou: { id: 'ou-ab12-workload', name: 'Workloads' } },
      { id: '333333333333', name: 'prod', ou: { id: 'ou-ab12-workload', name: 'Workloads' } },
    ]);
    expect(org.commandCalls(ListAccountsCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      'page-2',
    ]);
    expect(org.commandCalls(DescribeOrganizationalUnitCommand)).toHaveLength(1);
  });

  it('gives every account an unknown OU, and no error, when OUs may not be read', async () => {
    org.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: '222222222222', Name: 'dev', State: 'ACTIVE' },
        { Id: '333333333333', Name: 'prod', State: 'ACTIVE' },
      ],
    });
    org.on(ListParentsCommand).rejects(denied());
    const listing = await listOrganizationAccounts(new OrganizationsClient({ region: 'us-east-1' }), {
      concurrency: 1,
    });
    expect(listing.ousReadable).toBe(false);
    expect(listing.accounts.map((a) => a.ou)).toEqual([null, null]);
    // It stops asking after the first refusal.
    expect(org.commandCalls(ListParentsCommand)).toHaveLength(1);
  });

  it('fails with a named error when the accounts cannot be listed', async () => {
    org.on(ListAccountsCommand).rejects(denied());
    await expect(listOrganizationAccounts(new OrganizationsClient({ region: 'us-east-1' }))).rejects.toThrow(
      OrganizationsAccessError,
    );
    await expect(listOrganizationAccounts(new OrganizationsClient({ region: 'us-east-1' }))).rejects.toThrow(
      /organizations:ListAccounts: AccessDeniedException.*--accounts/,
    );
  });
});

describe('Function: parseAccountList', () => {
  it('reads account ids and role ARNs, once each', () => {
    expect(
      parseAccountList(' 111122223333, arn:aws:iam::444455556666:role/audit/KmsReader ,111122223333'),
    ).toEqual([
      { account: '111122223333', roleArn: null },
      { account: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/audit/KmsReader' },
    ]);
  });

  it('names the entry that is neither', () => {
    expect(() => parseAccountList('11112222333')).toThrow(InputError);
    expect(() => parseAccountList('123456789012,arn:aws:iam::123:role/x')).toThrow(
      '--accounts: "arn:aws:iam::123:role/x" is neither',
    );
    expect(() => parseAccountList(' , ')).toThrow('--accounts: expected');
    expect(() =>
      parseAccountList('arn:aws:iam::111122223333:role/A,arn:aws:iam::111122223333:role/B'),
    ).toThrow('named twice');
  });
});

describe('Function: filterAccounts', () => {
  const listed = [
    { id: '111111111111', name: 'a', ou: null },
    { id: '222222222222', name: 'b', ou: null },
    { id: '333333333333', name: 'c', ou: null },
  ];

  it('keeps only the accounts named, in the organisation order', () => {
    const wanted = parseAccountList('333333333333,111111111111');
    expect(filterAccounts(listed, wanted).map((a) => a.id)).toEqual(['111111111111', '333333333333']);
    expect(filterAccounts(listed, undefined)).toHaveLength(3);
  });

  it('refuses an account the organisation does not list, so a typo is not a smaller report', () => {
    expect(() => filterAccounts(listed, parseAccountList('999999999999'))).toThrow(
      '--accounts: 999999999999 is not an ACTIVE account of the organisation',
    );
  });
});
