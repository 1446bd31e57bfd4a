import { AccountClient, ListRegionsCommand } from '@aws-sdk/client-account';
import {
  DescribeKeyCommand,
  GetKeyLastUsageCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  type KeyMetadata,
  KMSClient,
  KMSInvalidStateException,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  NotFoundException,
  UnsupportedOperationException,
} from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InventoryClients } from '../../../src/collect/clients.js';
import { collectKmsRegion } from '../../../src/collect/kms.js';
import { KMS_READ_QUOTAS } from '../../../src/collect/kms-limits.js';
import { parseRegionList } from '../../../src/collect/regions.js';
import { CredentialsError, InputError, InterruptedError } from '../../../src/errors.js';
import { collectInventory } from '../../../src/org/collect.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const arnOf = (id: string, region = REGION) => `arn:aws:kms:${region}:${ACCOUNT}:key/${id}`;
const idOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** DescribeKey's KeyMetadata as KMS returns it for a customer managed symmetric key. */
function metadata(id: string, overrides: Partial<KeyMetadata> = {}): KeyMetadata {
  return {
    AWSAccountId: ACCOUNT,
    KeyId: id,
    Arn: arnOf(id),
    CreationDate: new Date('2025-03-14T09:26:53Z'),
    Enabled: true,
    Description: `key ${id}`,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    CurrentKeyMaterialId: 'a1b2c3',
    ...overrides,
  };
}

function awsError(name: string, message = `${name} message`) {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

const kms = mockClient(KMSClient);
const client = new KMSClient({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

/** A region with `ids` keys, each with a describable symmetric key and empty evidence. */
function region(ids: string[], meta: (id: string) => KeyMetadata = (id) => metadata(id)) {
  kms
    .on(ListKeysCommand)
    .resolves({ Keys: ids.map((id) => ({ KeyId: id, KeyArn: arnOf(id) })), Truncated: false });
  kms.on(ListAliasesCommand).resolves({ Aliases: [], Truncated: false });
  kms.on(DescribeKeyCommand).callsFake(({ KeyId }: { KeyId: string }) => {
    const id = KeyId.split('/').pop() as string;
    return { KeyMetadata: meta(id) };
  });
  kms.on(ListResourceTagsCommand).resolves({ Tags: [], Truncated: false });
  kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
  kms.on(ListKeyRotationsCommand).resolves({ Rotations: [], Truncated: false });
  kms
    .on(GetKeyPolicyCommand)
    .resolves({ Policy: '{"Version":"2012-10-17","Statement":[]}', PolicyName: 'default' });
  kms.on(GetKeyLastUsageCommand).resolves({ TrackingStartDate: new Date('2026-04-01T00:00:00Z') });
}

const callsOf = (command: Parameters<typeof kms.commandCalls>[0]) => kms.commandCalls(command).length;

beforeEach(() => {
  kms.reset();
});

describe('collectKmsRegion', () => {
  // Thousands of mocked calls on fake time: a few seconds of real time, more on a loaded machine.
  describe('pagination', { timeout: 30_000 }, () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('reads every page of ListKeys, ListAliases, ListResourceTags and ListKeyRotations', async () => {
      const ids = Array.from({ length: 2345 }, (_, i) => idOf(i));
      region(ids);
      // ListKeys: pages of 1000, 1000 and 345.
      kms.on(ListKeysCommand).callsFake(({ Marker }: { Marker?: string }) => {
        const start = Marker ? Number(Marker) : 0;
        const page = ids.slice(start, start + 1000);
        const next = start + 1000 < ids.length ? String(start + 1000) : undefined;
        return {
          Keys: page.map((id) => ({ KeyId: id, KeyArn: arnOf(id) })),
          Truncated: !!next,
          NextMarker: next,
        };
      });
      // ListAliases: two pages, aliases for key 0 on both.
      kms
        .on(ListAliasesCommand)
        .resolvesOnce({
          Aliases: [
            { AliasName: 'alias/b-second', TargetKeyId: idOf(0) },
            { AliasName: 'alias/aws/s3', TargetKeyId: idOf(1) },
          ],
          Truncated: true,
          NextMarker: 'a2',
        })
        .resolves({ Aliases: [{ AliasName: 'alias/a-first', TargetKeyId: idOf(0) }], Truncated: false });
      // Tags and rotations of key 0 come on two pages.
      kms
        .on(ListResourceTagsCommand, { KeyId: arnOf(idOf(0)) })
        .resolvesOnce({ Tags: [{ TagKey: 'Owner', TagValue: 'team-a' }], Truncated: true, NextMarker: 't2' })
        .resolves({ Tags: [{ TagKey: 'CostCenter', TagValue: '42' }], Truncated: false });
      kms
        .on(ListKeyRotationsCommand, { KeyId: arnOf(idOf(0)) })
        .resolvesOnce({
          Rotations: [{ RotationDate: new Date('2026-02-01T00:00:00Z'), RotationType: 'AUTOMATIC' }],
          Truncated: true,
          NextMarker: 'r2',
        })
        .resolves({
          Rotations: [{ RotationDate: new Date('2025-02-01T00:00:00Z'), RotationType: 'ON_DEMAND' }],
          Truncated: false,
        });

      const running = collectKmsRegion(client, {
        account: ACCOUNT,
        region: REGION,
        lastUsage: false,
        quotaShare: 1,
      });
      await vi.runAllTimersAsync();
      const result = await running;

      expect(result.keys).toHaveLength(2345);
      expect(result.gaps).toEqual([]);
      expect(callsOf(ListKeysCommand)).toBe(3);
      expect(kms.commandCalls(ListKeysCommand).map((c) => c.args[0].input.Limit)).toEqual([1000, 1000, 1000]);
      const first = result.keys.find((k) => k.keyId === idOf(0));
      expect(first?.aliases).toEqual({ status: 'collected', value: ['alias/a-first', 'alias/b-second'] });
      expect(result.keys.find((k) => k.keyId === idOf(1))?.aliases).toEqual({
        status: 'collected',
        value: ['alias/aws/s3'],
      });
      expect(first?.tags).toEqual({
        status: 'collected',
        value: [
          { key: 'CostCenter', value: '42' },
          { key: 'Owner', value: 'team-a' },
        ],
      });
      expect(first?.rotations).toEqual({
        status: 'collected',
        value: [
          { date: '2025-02-01T00:00:00.000Z', type: 'ON_DEMAND' },
          { date: '2026-02-01T00:00:00.000Z', type: 'AUTOMATIC' },
        ],
      });
    });

    it('never sends more DescribeKey requests in a second than its share of the quota', async () => {
      const ids = Array.from({ length: 3000 }, (_, i) => idOf(i));
      region(ids);
      const times: number[] = [];
      kms.on(DescribeKeyCommand).callsFake(({ KeyId }: { KeyId: string }) => {
        times.push(Date.now());
        return { KeyMetadata: metadata(KeyId.split('/').pop() as string) };
      });
      const started = Date.now();
      const running = collectKmsRegion(client, {
        account: ACCOUNT,
        region: REGION,
        lastUsage: false,
        quotaShare: 0.5,
      });
      await vi.runAllTimersAsync();
      await running;
      const elapsed = Date.now() - started;
      const allowed = KMS_READ_QUOTAS.DescribeKey * 0.5;
      let busiest = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while ((times[i] as number) - (times[j] as number) >= 1000) j++;
        busiest = Math.max(busiest, i - j + 1);
      }
      expect(times).toHaveLength(3000);
      expect(busiest).toBeLessThanOrEqual(allowed);
      // ...and the region takes (in fake time) about what its slowest API allows: 3,000
      // ListKeyRotations calls at half of 100/s is 60 s; the pacing adds less than 10 %.
      const bound = (3000 / (KMS_READ_QUOTAS.ListKeyRotations * 0.5)) * 1000;
      expect(elapsed).toBeGreaterThanOrEqual(bound * 0.95);
      expect(elapsed).toBeLessThan(bound * 1.1);
    });
  });

  it('marks AccessDenied on 2 of 5 key policies as field gaps and keeps all five keys', async () => {
    const ids = [1, 2, 3, 4, 5].map(idOf);
    region(ids);
    for (const denied of [ids[1], ids[3]])
      kms
        .on(GetKeyPolicyCommand, { KeyId: arnOf(denied as string) })
        .rejects(awsError('AccessDeniedException', 'User is not authorized to perform: kms:GetKeyPolicy'));

    const result = await collectKmsRegion(client, { account: ACCOUNT, region: REGION, lastUsage: false });

    expect(result.keys).toHaveLength(5);
    expect(result.keys.filter((k) => k.policy.status === 'collected')).toHaveLength(3);
    const denied = result.keys.filter((k) => k.policy.status === 'failed');
    expect(denied.map((k) => k.keyId)).toEqual([ids[1], ids[3]]);
    expect(denied[0]?.policy).toEqual({
      status: 'failed',
      operation: 'GetKeyPolicy',
      errorCode: 'AccessDeniedException',
      message: 'User is not authorized to perform: kms:GetKeyPolicy',
    });
    expect(result.gaps).toEqual(
      [ids[1], ids[3]].map((id) => ({
        scope: 'field',
        account: ACCOUNT,
        region: REGION,
        keyArn: arnOf(id as string),
        field: 'policy',
        operation: 'GetKeyPolicy',
        errorCode: 'AccessDeniedException',
        message: 'User is not authorized to perform: kms:GetKeyPolicy',
      })),
    );
    expect(result.coverage).toEqual({ account: ACCOUNT, region: REGION, status: 'partial', keysListed: 5 });
  });

  it('records a key deleted between ListKeys and DescribeKey as a gap, not a failure of the run', async () => {
    const ids = [1, 2, 3].map(idOf);
    region(ids);
    kms
      .on(DescribeKeyCommand, { KeyId: arnOf(ids[1] as string) })
      .rejects(
        new NotFoundException({ message: `Key '${arnOf(ids[1] as string)}' does not exist`, $metadata: {} }),
      );

    const result = await collectKmsRegion(client, { account: ACCOUNT, region: REGION, lastUsage: false });

    expect(result.keys.map((k) => k.keyId)).toEqual([ids[0], ids[2]]);
    expect(result.gaps).toEqual([
      expect.objectContaining({
        scope: 'key',
        keyArn: arnOf(ids[1] as string),
        operation: 'DescribeKey',
        errorCode: 'NotFoundException',
        message: expect.stringContaining('deleted during the scan'),
      }),
    ]);
    // Nothing else was asked about the vanished key.
    expect(kms.commandCalls(GetKeyPolicyCommand).map((c) => c.args[0].input.KeyId)).not.toContain(
      arnOf(ids[1] as string),
    );
  });

  it('stops starting keys when aborted (Ctrl-C) and rejects instead of returning part of the region', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => idOf(i));
    region(ids);
    const controller = new AbortController();
    let described = 0;
    kms.on(DescribeKeyCommand).callsFake(({ KeyId }: { KeyId: string }) => {
      described += 1;
      if (described === 10) controller.abort();
      return { KeyMetadata: metadata(KeyId.split('/').pop() as string) };
    });

    await expect(
      collectInventory({
        regions: [REGION],
        clients: {
          kms: () => client,
          sts: () =>
            ({ send: async () => ({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` }) }) as never,
          account: () => ({}) as never,
        },
        lastUsage: false,
        signal: controller.signal,
      }),
    ).rejects.toThrow(InterruptedError);
    // The keys already started (at most one concurrency's worth) finished; no other key was begun.
    expect(described).toBeGreaterThanOrEqual(10);
    expect(described).toBeLessThanOrEqual(10 + 32);
  });

  it('keeps a key whose DescribeKey is denied, with its metadata as a gap and nothing guessed', async () => {
    region([idOf(1)]);
    kms.on(DescribeKeyCommand).rejects(awsError('AccessDeniedException'));
    const result = await collectKmsRegion(client, { account: ACCOUNT, region: REGION });
    expect(result.keys).toHaveLength(1);
    const key = result.keys[0];
    expect(key?.metadata).toMatchObject({ status: 'failed', errorCode: 'AccessDeniedException' });
    expect(key?.policy.status).toBe('skipped');
    expect(key?.rotation.status).toBe('skipped');
    expect(result.gaps).toEqual([expect.objectContaining({ scope: 'key', field: 'metadata' })]);
  });

  it('reads GetKeyLastUsage for customer managed keys: used, never used since tracking began', async () => {
    const used = idOf(1);
    const unused = idOf(2);
    region([used, unused]);
    kms.on(GetKeyLastUsageCommand, { KeyId: arnOf(used) }).resolves({
      KeyId: used,
      KeyLastUsage: {
        Operation: 'Decrypt',
        Timestamp: new Date('2026-10-30T17:45:12Z'),
        CloudTrailEventId: '3f1b2c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d',
        KmsRequestId: 'b7f0a1c2-d3e4-4f56-a789-0b1c2d3e4f50',
      },
      TrackingStartDate: new Date('2026-04-01T00:00:00Z'),
      KeyCreationDate: new Date('2025-03-14T09:26:53Z'),
    });
    kms.on(GetKeyLastUsageCommand, { KeyId: arnOf(unused) }).resolves({
      KeyId: unused,
      TrackingStartDate: new Date('2026-04-01T00:00:00Z'),
      KeyCreationDate: new Date('2025-03-14T09:26:53Z'),
    });
    const result = await collectKmsRegion(client, { account: ACCOUNT, region: REGION });
    const byId = new Map(result.keys.map((k) => [k.keyId, k]));
    expect(byId.get(used)?.lastUsage).toEqual({
      status: 'collected',
      value: {
        operation: 'Decrypt',
        timestamp: '2026-10-30T17:45:12.000Z',
        trackingStartDate: '2026-04-01T00:00:00.000Z',
        cloudTrailEventId: '3f1b2c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d',
      },
    });
    expect(byId.get(unused)?.lastUsage).toEqual({
      status: 'collected',
      value: {
        operation: null,
        timestamp: null,
        trackingStartDate: '2026-04-01T00:00:00.000Z',
        cloudTrailEventId: null,
      },
    });
  });

  it('does not make calls that cannot apply: tags, rotation history and last use of AWS managed keys, rotation of asymmetric keys', async () => {
    const awsManaged = idOf(1);
    const rsa = idOf(2);
    const hsm = idOf(3);
    region([awsManaged, rsa, hsm], (id) =>
      id === awsManaged
        ? metadata(id, { KeyManager: 'AWS', Description: 'Default key that protects my S3 objects' })
        : id === rsa
          ? metadata(id, { KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' })
          : metadata(id, { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: 'cks-1234567890abcdef0' }),
    );
    const result = await collectKmsRegion(client, { account: ACCOUNT, region: REGION });
    const byId = new Map(result.keys.map((k) => [k.keyId, k]));

    expect(result.gaps).toEqual([]);
    expect(byId.get(awsManaged)?.tags.status).toBe('not-applicable');
    expect(byId.get(awsManaged)?.lastUsage.status).toBe('not-applicable');
    expect(byId.get(awsManaged)?.rotation.status).toBe('collected');
    expect(byId.get(awsManaged)?.policy.status).toBe('collected');
    expect(byId.get(rsa)?.rotation).toEqual({
      status: 'not-applicable',
      reason: 'RSA_4096 keys cannot rotate automatically',
    });
    expect(byId.get(hsm)?.rotation.status).toBe('not-applicable');

    expect(kms.commandCalls(ListResourceTagsCommand).map((c) => c.args[0].input.KeyId)).toEqual(
      expect.not.arrayContaining([arnOf(awsManaged)]),
    );
    expect(kms.commandCalls(GetKeyRotationStatusCommand).map((c) => c.args[0].input.KeyId)).toEqual([
      arnOf(awsManaged),
    ]);
    expect(callsOf(ListKeyRotationsCommand)).toBe(0);
    expect(
      kms
        .commandCalls(GetKeyLastUsageCommand)
        .map((c) => c.args[0].input.KeyId)
        .sort(),
    ).toEqual([arnOf(rsa), arnOf(hsm)].sort());
  });

  it('treats UnsupportedOperationException as not applicable, not as a gap', async () => {
    // A key the metadata says can rotate, refused by the service all the same.
    region([idOf(1)]);
    kms
      .on(GetKeyRotationStatusCommand)
      .rejects(new UnsupportedOperationException({ message: 'not supported for this key', $metadata: {} }));
    const result = await collectKmsRegion(client, { account: ACCOUNT, region: REGION, lastUsage: false });
    expect(kms.commandCalls(GetKeyRotationStatusCommand)).toHaveLength(1);
    expect(result.keys[0]?.rotation.status).toBe('not-applicable');
    expect(result.gaps).toEqual([]);
  });

  it('does not ask for the rotation status of an imported key (AWS refuses it): not applicable without a call', async () => {
    region([idOf(1)], (id) => metadata(id, { Origin: 'EXTERNAL' }));
    const result = await collectKmsRegion(client, { account: ACCOUNT, region: REGION, lastUsage: false });
    expect(kms.commandCalls(GetKeyRotationStatusCommand)).toHaveLength(0);
    expect(result.keys[0]?.rotation.status).toBe('not-applicable');
    expect(result.gaps).toEqual([]);
  });

  it('records KMSInvalidStateException as a gap, so nothing downstream reads it as "no rotations"', async () => {
    region([idOf(1)]);
    kms
      .on(ListKeyRotationsCommand)
      .rejects(new KMSInvalidStateException({ message: 'key is pending import', $metadata: {} }));
    const result = await collectKmsRegion(client, { account: ACCOUNT, region: REGION, lastUsage: false });
    expect(result.keys[0]?.rotations).toMatchObject({
      status: 'failed',
      errorCode: 'KMSInvalidStateException',
    });
    expect(result.gaps).toEqual([
      expect.objectContaining({ field: 'rotations', operation: 'ListKeyRotations' }),
    ]);
  });

  it('turns a failed ListAliases into an alias gap on every key of the region', async () => {
    region([idOf(1), idOf(2)]);
    kms.on(ListAliasesCommand).rejects(awsError('AccessDeniedException'));
    const result = await collectKmsRegion(client, { account: ACCOUNT, region: REGION, lastUsage: false });
    expect(result.keys.map((k) => k.aliases.status)).toEqual(['failed', 'failed']);
    expect(result.gaps).toEqual([
      expect.objectContaining({ scope: 'region', field: 'aliases', operation: 'ListAliases' }),
    ]);
  });

  it('reports a region that is not enabled as a failed region with a gap', async () => {
    kms
      .on(ListKeysCommand)
      .rejects(
        awsError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
      );
    const result = await collectKmsRegion(client, { account: ACCOUNT, region: 'me-central-1' });
    expect(result.keys).toEqual([]);
    expect(result.coverage.status).toBe('failed');
    expect(result.gaps[0]).toMatchObject({
      scope: 'region',
      region: 'me-central-1',
      errorCode: 'UnrecognizedClientException',
      message: expect.stringContaining('not enabled'),
    });
  });

  it('normalises a multi-Region replica and a key pending deletion', async () => {
    const replica = 'mrk-1234abcd12ab34cd56ef1234567890ab';
    const doomed = idOf(9);
    region([replica, doomed], (id) =>
      id === replica
        ? metadata(id, {
            MultiRegion: true,
            MultiRegionConfiguration: {
              MultiRegionKeyType: 'REPLICA',
              PrimaryKey: { Arn: arnOf(id, 'us-east-1'), Region: 'us-east-1' },
              ReplicaKeys: [{ Arn: arnOf(id), Region: REGION }],
            },
          })
        : metadata(id, {
            KeyState: 'PendingDeletion',
            Enabled: false,
            DeletionDate: new Date('2026-12-07T00:00:00Z'),
          }),
    );
    const result = await collectKmsRegion(client, { account: ACCOUNT, region: REGION, lastUsage: false });
    const byId = new Map(result.keys.map((k) => [k.keyId, k]));
    expect(byId.get(replica)?.metadata).toMatchObject({
      status: 'collected',
      value: {
        multiRegion: {
          role: 'REPLICA',
          primary: { arn: arnOf(replica, 'us-east-1'), region: 'us-east-1' },
          replicas: [{ arn: arnOf(replica), region: REGION }],
        },
      },
    });
    expect(byId.get(doomed)?.metadata).toMatchObject({
      status: 'collected',
      value: { keyState: 'PendingDeletion', enabled: false, deletionDate: '2026-12-07T00:00:00.000Z' },
    });
  });
});

describe('collectInventory', () => {
  const sts = mockClient(STSClient);
  const account = mockClient(AccountClient);
  const clients: InventoryClients = {
    kms: () => client,
    sts: () => new STSClient({ region: 'us-east-1' }),
    account: () => new AccountClient({ region: 'us-east-1' }),
  };

  beforeEach(() => {
    sts.reset();
    account.reset();
    sts.on(GetCallerIdentityCommand).resolves({
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Auditor/kms-report`,
      UserId: 'AROAEXAMPLE:kms-report',
    });
  });

  it('scans every region the account has enabled when asked for "all"', async () => {
    region([idOf(1)]);
    account
      .on(ListRegionsCommand)
      .resolvesOnce({
        Regions: [{ RegionName: 'us-east-1', RegionOptStatus: 'ENABLED_BY_DEFAULT' }],
        NextToken: 'n',
      })
      .resolves({ Regions: [{ RegionName: 'af-south-1', RegionOptStatus: 'ENABLED' }] });
    const { snapshot } = await collectInventory({ regions: 'all', clients, lastUsage: false });
    expect(snapshot.regions.map((r) => r.region)).toEqual(['af-south-1', 'us-east-1']);
    expect(account.commandCalls(ListRegionsCommand)[0]?.args[0].input.RegionOptStatusContains).toEqual([
      'ENABLED',
      'ENABLED_BY_DEFAULT',
    ]);
    expect(snapshot.accounts).toEqual([ACCOUNT]);
    expect(snapshot.partition).toBe('aws');
  });

  it('fails with a message naming the profile when the credentials have expired', async () => {
    kms
      .on(ListKeysCommand)
      .rejects(awsError('ExpiredTokenException', 'The security token included in the request is expired'));
    const run = collectInventory({ regions: ['eu-west-1'], profile: 'prod-audit', clients });
    await expect(run).rejects.toThrow(CredentialsError);
    await expect(run).rejects.toThrow(
      /profile "prod-audit".*ExpiredTokenException.*aws sso login --profile prod-audit/,
    );
  });

  it('fails before any KMS call when STS rejects the credentials', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(awsError('InvalidClientTokenId', 'The security token included in the request is invalid.'));
    await expect(collectInventory({ regions: ['eu-west-1'], clients })).rejects.toThrow(CredentialsError);
    expect(callsOf(ListKeysCommand)).toBe(0);
  });
});

describe('parseRegionList', () => {
  it('accepts a comma-separated list, trims and de-duplicates it', () => {
    expect(parseRegionList(' us-east-1, eu-west-1 ,us-east-1')).toEqual(['us-east-1', 'eu-west-1']);
    expect(parseRegionList('all')).toBe('all');
    expect(parseRegionList('us-gov-west-1')).toEqual(['us-gov-west-1']);
  });

  it('rejects a malformed region, naming the flag and the value', () => {
    expect(() => parseRegionList('us-east-1,Frankfurt')).toThrow(InputError);
    expect(() => parseRegionList('us-east-1,Frankfurt')).toThrow(
      '--regions: "Frankfurt" is not a region name',
    );
    expect(() => parseRegionList(' , ')).toThrow('--regions: expected a comma-separated list');
  });
});
