import {
  CreateAliasCommand,
  CreateKeyCommand,
  type CreateKeyCommandInput,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  KMSClient,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import type { InventoryClients } from '../../src/collect/clients.js';

/** The account moto uses for unsigned-by-real-AWS requests with any credentials. */
export const MOTO_ACCOUNT = '123456789012';
export const SCENARIO_REGIONS = ['us-east-1', 'eu-west-1'] as const;

const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** Clients pointed at a local AWS-protocol endpoint (moto), with dummy credentials. */
export function endpointClients(endpoint: string, options: { maxAttempts?: number } = {}): InventoryClients {
  const base = { endpoint, credentials: CREDENTIALS, maxAttempts: options.maxAttempts ?? 3 };
  const kms = new Map<string, KMSClient>();
  return {
    kms: (region) => {
      let client = kms.get(region);
      if (!client) {
        client = new KMSClient({ ...base, region });
        kms.set(region, client);
      }
      return client;
    },
    sts: (region) => new STSClient({ ...base, region }),
    account: () => {
      throw new Error('the scenario names its regions; the Account API is not used');
    },
  };
}

/** A key policy of the kind teams write by hand: administrators and users apart. */
export function customPolicy(account: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'payments-key-policy',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'Allow use of the key',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:role/payments-app` },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

/** What the scenario made, per key: the facts an inventory must report back. */
export interface ScenarioKey {
  readonly name: string;
  readonly region: string;
  readonly arn: string;
  readonly keyId: string;
  readonly description: string;
  readonly keySpec: string;
  readonly keyUsage: string;
  readonly keyState: 'Enabled' | 'Disabled' | 'PendingDeletion';
  readonly aliases: string[];
  readonly tags: { key: string; value: string }[];
  /** null: rotation does not apply to the key's spec. */
  readonly rotationEnabled: boolean | null;
  readonly onDemandRotations: number;
  readonly multiRegion: 'PRIMARY' | 'REPLICA' | null;
  /** The exact policy text set at creation, when custom. */
  readonly policy: string | null;
}

interface Spec {
  name: string;
  region: (typeof SCENARIO_REGIONS)[number];
  create?: Partial<CreateKeyCommandInput>;
  aliases?: string[];
  tags?: { key: string; value: string }[];
  rotation?: { periodInDays?: number };
  onDemandRotations?: number;
  disable?: boolean;
  scheduleDeletionInDays?: number;
  customPolicy?: boolean;
  replicateTo?: (typeof SCENARIO_REGIONS)[number];
}

/** Fourteen keys in two regions covering what real accounts hold. */
export const SCENARIO: readonly Spec[] = [
  { name: 'app-data', region: 'us-east-1', rotation: {}, aliases: ['alias/app-data'] },
  { name: 'legacy-no-rotation', region: 'us-east-1', aliases: ['alias/legacy'] },
  { name: 'custom-period', region: 'us-east-1', rotation: { periodInDays: 180 } },
  { name: 'rotated-on-demand', region: 'us-east-1', rotation: {}, onDemandRotations: 2 },
  { name: 'signing-rsa2048', region: 'us-east-1', create: { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' } },
  {
    name: 'encrypt-rsa4096',
    region: 'us-east-1',
    create: { KeySpec: 'RSA_4096', KeyUsage: 'ENCRYPT_DECRYPT' },
  },
  { name: 'ecc-p256', region: 'us-east-1', create: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' } },
  { name: 'hmac-256', region: 'us-east-1', create: { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' } },
  { name: 'disabled', region: 'us-east-1', disable: true },
  { name: 'retiring', region: 'us-east-1', scheduleDeletionInDays: 7 },
  {
    name: 'global-orders',
    region: 'us-east-1',
    create: { MultiRegion: true },
    rotation: {},
    replicateTo: 'eu-west-1',
    aliases: ['alias/orders'],
  },
  {
    name: 'shared-platform',
    region: 'us-east-1',
    rotation: {},
    aliases: ['alias/platform', 'alias/platform-v2', 'alias/shared/platform'],
    tags: [
      { key: 'Name', value: 'shared-platform' },
      { key: 'Owner', value: 'platform-team' },
      { key: 'CostCenter', value: '=HYPERLINK("http://evil")' },
    ],
  },
  { name: 'payments', region: 'us-east-1', customPolicy: true, rotation: {}, aliases: ['alias/payments'] },
  {
    name: 'eu-analytics',
    region: 'eu-west-1',
    rotation: {},
    aliases: ['alias/analytics'],
    tags: [{ key: 'Owner', value: 'data-team' }],
  },
];

/**
 * Creates the scenario's keys through the KMS API at `endpoint` and returns what it made,
 * including the replica created in another region.
 */
export async function seedScenario(endpoint: string): Promise<ScenarioKey[]> {
  const clients = endpointClients(endpoint);
  const made: ScenarioKey[] = [];
  for (const spec of SCENARIO) {
    const kms = clients.kms(spec.region);
    const description = `kms-report scenario: ${spec.name}`;
    const policy = spec.customPolicy ? customPolicy(MOTO_ACCOUNT) : null;
    const created = await kms.send(
      new CreateKeyCommand({
        Description: description,
        KeyUsage: 'ENCRYPT_DECRYPT',
        ...spec.create,
        ...(policy ? { Policy: policy } : {}),
        ...(spec.tags ? { Tags: spec.tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) } : {}),
      }),
    );
    const meta = created.KeyMetadata;
    if (!meta?.KeyId || !meta.Arn) throw new Error(`CreateKey returned no key for ${spec.name}`);
    const KeyId = meta.KeyId;
    for (const alias of spec.aliases ?? [])
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyId }));
    if (spec.rotation)
      await kms.send(
        new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: spec.rotation.periodInDays }),
      );
    for (let i = 0; i < (spec.onDemandRotations ?? 0); i++)
      await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
    if (spec.disable) await kms.send(new DisableKeyCommand({ KeyId }));
    if (spec.scheduleDeletionInDays)
      await kms.send(
        new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: spec.scheduleDeletionInDays }),
      );
    const keySpec = spec.create?.KeySpec ?? 'SYMMETRIC_DEFAULT';
    const base: ScenarioKey = {
      name: spec.name,
      region: spec.region,
      arn: meta.Arn,
      keyId: KeyId,
      description,
      keySpec,
      keyUsage: spec.create?.KeyUsage ?? 'ENCRYPT_DECRYPT',
      keyState: spec.scheduleDeletionInDays ? 'PendingDeletion' : spec.disable ? 'Disabled' : 'Enabled',
      aliases: [...(spec.aliases ?? [])].sort(),
      tags: [...(spec.tags ?? [])].sort((a, b) => a.key.localeCompare(b.key)),
      rotationEnabled: keySpec === 'SYMMETRIC_DEFAULT' ? Boolean(spec.rotation) : null,
      onDemandRotations: spec.onDemandRotations ?? 0,
      multiRegion: spec.create?.MultiRegion ? 'PRIMARY' : null,
      policy,
    };
    made.push(base);
    if (spec.replicateTo) {
      const replica = await kms.send(
        // The description is not shared between multi-Region keys: give the replica the same one.
        new ReplicateKeyCommand({ KeyId, ReplicaRegion: spec.replicateTo, Description: description }),
      );
      const r = replica.ReplicaKeyMetadata;
      if (!r?.Arn || !r.KeyId) throw new Error(`ReplicateKey returned no replica for ${spec.name}`);
      for (const alias of spec.aliases ?? [])
        await clients
          .kms(spec.replicateTo)
          .send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: r.KeyId }))
          .catch((error: Error) => {
            // moto shares the primary's aliases with its replica; real KMS keeps them apart.
            if (error.name !== 'AlreadyExistsException') throw error;
          });
      made.push({
        ...base,
        name: `${spec.name}-replica`,
        region: spec.replicateTo,
        arn: r.Arn,
        keyId: r.KeyId,
        // Aliases are regional: the replica gets its own, of the same name.
        aliases: base.aliases,
        tags: [],
        multiRegion: 'REPLICA',
      });
    }
  }
  return made;
}
