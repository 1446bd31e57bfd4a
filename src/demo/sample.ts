import { type ComplianceConfig, complianceConfigSchema } from '../compliance/config.js';
import type { InventorySnapshot, KeyMetadata, KeyRecord, Tag } from '../model/inventory.js';
import { SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION } from '../model/inventory.js';
import { collected, collectedValue, failed, notApplicable, type Observed } from '../model/observed.js';
import type {
  AccountUsageTotal,
  CallerRequestCount,
  LifecycleEvent,
  MonthUsage,
  RequestCount,
} from '../model/usage.js';
import type { KeyClass } from '../usage/events.js';
import { USAGE_KIND, USAGE_SCHEMA_VERSION, type UsageEvidence } from '../usage/evidence.js';
import { keyClassOfSpec, reconcileUsage } from '../usage/reconcile.js';
import { compareBy } from '../util/compare.js';
import { TOOL_VERSION } from '../version.js';

/**
 * The demo: a realistic account as kms-report would have collected it on 1 November 2026 for
 * October 2026, so a newcomer sees the product without AWS. It is built in code (not a JSON
 * blob) so it always matches the model. Between them, its keys pass and fail every rule and
 * use every pricing tier.
 */
export const DEMO_ACCOUNT = '111122223333';
/** The one month the demo's evidence holds: a demo run reports it, and no other. */
export const DEMO_MONTH = '2026-10';
/**
 * When the demo is dated as if it ran (the 1st of the next month, after its inventory and usage
 * were collected): the report's `generatedAt` and the clock its rules judge by.
 */
export const DEMO_EVIDENCE_TIME = '2026-11-01T02:05:00.000Z';
const OTHER_ACCOUNT = '444455556666';
const COLLECTED_AT = '2026-11-01T02:00:00.000Z';

const arn = (region: string, id: string) => `arn:aws:kms:${region}:${DEMO_ACCOUNT}:key/${id}`;

function policyOf(statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'key-policy', Statement: statements }, null, 2);
}

const ROOT_STATEMENT = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${DEMO_ACCOUNT}:root` },
  Action: 'kms:*',
  Resource: '*',
};

/** The AWS default key policy: the root statement alone. */
const DEFAULT_POLICY = policyOf([ROOT_STATEMENT]);

/** Administrators apart from users, grants only for AWS resources: what a good policy looks like. */
const GOOD_POLICY = policyOf([
  ROOT_STATEMENT,
  {
    Sid: 'Allow access for Key Administrators',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${DEMO_ACCOUNT}:role/KeyAdmins` },
    Action: [
      'kms:Create*',
      'kms:Describe*',
      'kms:Enable*',
      'kms:List*',
      'kms:Put*',
      'kms:Update*',
      'kms:Revoke*',
      'kms:Disable*',
      'kms:Get*',
      'kms:Delete*',
      'kms:TagResource',
      'kms:UntagResource',
      'kms:ScheduleKeyDeletion',
      'kms:CancelKeyDeletion',
    ],
    Resource: '*',
  },
  {
    Sid: 'Allow use of the key',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${DEMO_ACCOUNT}:role/payments-app` },
    Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
    Resource: '*',
  },
  {
    Sid: 'Allow attachment of persistent resources',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${DEMO_ACCOUNT}:role/payments-app` },
    Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
    Resource: '*',
    Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  },
]);

interface KeySpec {
  id: string;
  region?: string;
  meta?: Partial<KeyMetadata>;
  aliases?: string[];
  tags?: Tag[];
  rotation?: Observed<{
    enabled: boolean;
    periodInDays: number | null;
    nextRotationDate: string | null;
    onDemandRotationStartDate: string | null;
  }>;
  rotations?: { date: string; type: string }[];
  policy?: Observed<string>;
  lastUsage?: { operation: string | null; timestamp: string | null };
}

const OWNED = (owner: string, name: string): Tag[] => [
  { key: 'Name', value: name },
  { key: 'Owner', value: owner },
];

function key(spec: KeySpec): KeyRecord {
  const region = spec.region ?? 'us-east-1';
  const meta: KeyMetadata = {
    creationDate: '2025-02-03T10:15:00.000Z',
    description: '',
    keyState: 'Enabled',
    enabled: true,
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    keyManager: 'CUSTOMER',
    origin: 'AWS_KMS',
    multiRegion: null,
    deletionDate: null,
    pendingDeletionWindowInDays: null,
    customKeyStoreId: null,
    cloudHsmClusterId: null,
    currentKeyMaterialId: null,
    expirationModel: null,
    validTo: null,
    ...spec.meta,
  };
  const symmetric = meta.keySpec === 'SYMMETRIC_DEFAULT';
  const awsManaged = meta.keyManager === 'AWS';
  const cannotRotate = `${meta.keySpec} keys cannot rotate automatically`;
  return {
    account: DEMO_ACCOUNT,
    region,
    keyId: spec.id,
    arn: arn(region, spec.id),
    metadata: collected(meta),
    aliases: collected(spec.aliases ?? []),
    tags: awsManaged ? notApplicable('AWS managed keys cannot be tagged') : collected(spec.tags ?? []),
    rotation: !symmetric
      ? notApplicable(cannotRotate)
      : (spec.rotation ??
        collected({
          enabled: false,
          periodInDays: null,
          nextRotationDate: null,
          onDemandRotationStartDate: null,
        })),
    rotations: !symmetric
      ? notApplicable(cannotRotate)
      : awsManaged
        ? notApplicable('AWS managed keys carry no rotation fee')
        : collected(spec.rotations ?? []),
    policy: spec.policy ?? collected(DEFAULT_POLICY),
    lastUsage: awsManaged
      ? notApplicable('AWS managed keys carry no monthly fee')
      : collected({
          operation: spec.lastUsage?.operation ?? 'Decrypt',
          timestamp: spec.lastUsage ? spec.lastUsage.timestamp : '2026-10-31T23:12:09.000Z',
          trackingStartDate: '2026-04-01T00:00:00.000Z',
          cloudTrailEventId:
            spec.lastUsage?.timestamp === null ? null : '6b0a7c1e-2f3d-4e5a-9b8c-7d6e5f4a3b2c',
        }),
  };
}

const rotatingYearly = (next: string) =>
  collected({ enabled: true, periodInDays: 365, nextRotationDate: next, onDemandRotationStartDate: null });

const ID = {
  payments: '0b6f2a51-7c3e-4d1a-9f0e-5a2b8c4d6e71',
  legacy: '1c7e3b62-8d4f-4e2b-a01f-6b3c9d5e7f82',
  longPeriod: '2d8f4c73-9e50-4f3c-b120-7c4daf6f8093',
  untagged: '3e905d84-af61-4a4d-8231-8d5eb07091a4',
  public: '4fa16e95-b072-4b5e-9342-9e6fc18102b5',
  crossAccount: '50b27fa6-c183-4c6f-a453-af70d29213c6',
  overbroad: '61c380b7-d294-4d70-b564-b081e3a324d7',
  retiring: '72d491c8-e3a5-4e81-8675-c192f4b435e8',
  disabled: '83e5a2d9-f4b6-4f92-9786-d2a305c546f9',
  unused: '94f6b3ea-05c7-40a3-a897-e3b416d6570a',
  signingRsa2048: 'a507c4fb-16d8-41b4-b9a8-f4c527e7681b',
  encryptRsa4096: 'b618d50c-27e9-42c5-8ab9-05d638f8792c',
  signingEcc: 'c729e61d-38fa-43d6-9bca-16e749098a3d',
  hmac: 'd83af72e-490b-44e7-acdb-27f85a1a9b4e',
  dataKeyPairs: 'e94b083f-5a1c-45f8-bdec-38096b2bac5f',
  orders: 'mrk-f5a1c940-6b2d-4609-8efd-490a7c3cbd60',
  approvedGlobal: 'mrk-06b2da51-7c3e-471a-9f0e-5a1b8d4dce71',
  awsS3: '17c3eb62-8d4f-482b-a01f-6b2c9e5edf82',
  rotatedOften: '28d4fc73-9e50-493c-b120-7c3daf6fe093',
  euAnalytics: '39e50d84-af61-4a4d-8231-8d4eb07ff1a4',
  deniedPolicy: '4af61e95-b072-4b5e-9342-9e5fc1810ab5',
  deletedInMonth: '5b072fa6-c183-4c6f-a453-af60d2921bc6',
  decommissioned: '6c183fb7-d294-4d70-b564-b071e3a32cd7',
} as const;

/** The demo inventory, as collected on 1 November 2026. */
export function demoSnapshot(): InventorySnapshot {
  const keys: KeyRecord[] = [
    key({
      id: ID.payments,
      meta: { description: 'Payments: card data at rest' },
      aliases: ['alias/payments'],
      tags: OWNED('payments-team', 'payments'),
      rotation: rotatingYearly('2027-03-01T00:00:00.000Z'),
      rotations: [{ date: '2026-03-01T00:00:00.000Z', type: 'AUTOMATIC' }],
      policy: collected(GOOD_POLICY),
    }),
    key({
      id: ID.legacy,
      meta: { description: '=2+3 legacy app | *do not touch*' },
      aliases: ['alias/legacy-app'],
      tags: [{ key: 'Name', value: '=HYPERLINK("http://example.invalid","click")' }],
    }),
    key({
      id: ID.longPeriod,
      meta: { description: 'Archive encryption' },
      aliases: ['alias/archive'],
      tags: OWNED('data-team', 'archive'),
      rotation: collected({
        enabled: true,
        periodInDays: 730,
        nextRotationDate: '2027-06-01T00:00:00.000Z',
        onDemandRotationStartDate: null,
      }),
    }),
    key({
      id: ID.untagged,
      meta: { description: 'Created mid-month, no alias', creationDate: '2026-10-16T00:00:00.000Z' },
      tags: [],
      rotation: rotatingYearly('2027-10-16T00:00:00.000Z'),
    }),
    key({
      id: ID.public,
      meta: { description: 'Shared with everyone (by mistake)' },
      aliases: ['alias/shared-uploads'],
      tags: OWNED('web-team', 'uploads'),
      rotation: rotatingYearly('2027-02-03T10:15:00.000Z'),
      policy: collected(
        policyOf([
          ROOT_STATEMENT,
          { Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' },
        ]),
      ),
    }),
    key({
      id: ID.crossAccount,
      meta: { description: 'Shared with a partner account' },
      aliases: ['alias/partner-exchange'],
      tags: OWNED('integrations', 'partner'),
      rotation: rotatingYearly('2027-02-03T10:15:00.000Z'),
      policy: collected(
        policyOf([
          ROOT_STATEMENT,
          {
            Sid: 'Partner use',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
            Action: ['kms:Decrypt', 'kms:DescribeKey'],
            Resource: '*',
          },
        ]),
      ),
    }),
    key({
      id: ID.overbroad,
      meta: { description: 'CI pipeline key' },
      aliases: ['alias/ci'],
      tags: OWNED('platform-team', 'ci'),
      rotation: rotatingYearly('2027-02-03T10:15:00.000Z'),
      policy: collected(
        policyOf([
          ROOT_STATEMENT,
          {
            Sid: 'Pipeline does everything',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${DEMO_ACCOUNT}:role/ci-deployer` },
            Action: 'kms:*',
            Resource: '*',
          },
        ]),
      ),
    }),
    key({
      id: ID.retiring,
      meta: {
        description: 'Old reporting key',
        keyState: 'PendingDeletion',
        enabled: false,
        deletionDate: '2026-11-18T09:00:00.000Z',
      },
      aliases: ['alias/reporting-old'],
      tags: OWNED('analytics', 'reporting-old'),
    }),
    key({
      id: ID.decommissioned,
      meta: {
        description: 'Batch jobs key, decommissioned in a hurry',
        keyState: 'PendingDeletion',
        enabled: false,
        deletionDate: '2026-11-04T16:00:00.000Z',
      },
      aliases: ['alias/batch'],
      tags: OWNED('platform-team', 'batch'),
    }),
    key({
      id: ID.disabled,
      meta: { description: 'Disabled since the migration', keyState: 'Disabled', enabled: false },
      aliases: ['alias/migrated'],
      tags: OWNED('platform-team', 'migrated'),
      rotation: rotatingYearly('2027-02-03T10:15:00.000Z'),
      lastUsage: { operation: null, timestamp: null },
    }),
    key({
      id: ID.unused,
      meta: { description: 'Experiment from last year' },
      aliases: ['alias/experiment'],
      tags: OWNED('research', 'experiment'),
      rotation: rotatingYearly('2027-02-03T10:15:00.000Z'),
      lastUsage: { operation: null, timestamp: null },
    }),
    key({
      id: ID.signingRsa2048,
      meta: { description: 'Release signing', keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' },
      aliases: ['alias/release-signing'],
      tags: OWNED('release-eng', 'release-signing'),
      lastUsage: { operation: 'Sign', timestamp: '2026-10-30T11:00:00.000Z' },
    }),
    key({
      id: ID.encryptRsa4096,
      meta: { description: 'Partner envelope (RSA 4096)', keySpec: 'RSA_4096' },
      aliases: ['alias/partner-envelope'],
      tags: OWNED('integrations', 'partner-envelope'),
    }),
    key({
      id: ID.signingEcc,
      meta: { description: 'Token signing', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' },
      aliases: ['alias/token-signing'],
      tags: OWNED('identity', 'token-signing'),
      lastUsage: { operation: 'Sign', timestamp: '2026-10-31T22:00:00.000Z' },
    }),
    key({
      id: ID.hmac,
      meta: { description: 'Webhook MACs', keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' },
      aliases: ['alias/webhooks'],
      tags: OWNED('integrations', 'webhooks'),
      lastUsage: { operation: 'GenerateMac', timestamp: '2026-10-31T23:59:00.000Z' },
    }),
    key({
      id: ID.dataKeyPairs,
      meta: { description: 'Device certificates (data key pairs)' },
      aliases: ['alias/device-certs'],
      tags: OWNED('iot', 'device-certs'),
      rotation: rotatingYearly('2027-02-03T10:15:00.000Z'),
      lastUsage: { operation: 'GenerateDataKeyPair', timestamp: '2026-10-31T20:00:00.000Z' },
    }),
    key({
      id: ID.orders,
      meta: {
        description: 'Orders (multi-Region)',
        multiRegion: {
          role: 'PRIMARY',
          primary: { arn: arn('us-east-1', ID.orders), region: 'us-east-1' },
          replicas: [{ arn: arn('eu-west-1', ID.orders), region: 'eu-west-1' }],
        },
      },
      aliases: ['alias/orders'],
      tags: OWNED('orders-team', 'orders'),
      rotation: rotatingYearly('2027-02-03T10:15:00.000Z'),
    }),
    key({
      id: ID.orders,
      region: 'eu-west-1',
      meta: {
        description: 'Orders (multi-Region)',
        multiRegion: {
          role: 'REPLICA',
          primary: { arn: arn('us-east-1', ID.orders), region: 'us-east-1' },
          replicas: [{ arn: arn('eu-west-1', ID.orders), region: 'eu-west-1' }],
        },
      },
      aliases: ['alias/orders'],
      tags: OWNED('orders-team', 'orders'),
      rotation: rotatingYearly('2027-02-03T10:15:00.000Z'),
    }),
    key({
      id: ID.approvedGlobal,
      meta: {
        description: 'Global sessions (approved multi-Region)',
        multiRegion: {
          role: 'PRIMARY',
          primary: { arn: arn('us-east-1', ID.approvedGlobal), region: 'us-east-1' },
          replicas: [],
        },
      },
      aliases: ['alias/sessions'],
      tags: OWNED('identity', 'sessions'),
      rotation: rotatingYearly('2027-02-03T10:15:00.000Z'),
    }),
    key({
      id: ID.awsS3,
      meta: {
        description: 'Default key that protects my S3 objects when no other key is defined',
        keyManager: 'AWS',
      },
      aliases: ['alias/aws/s3'],
      rotation: rotatingYearly('2027-01-10T00:00:00.000Z'),
    }),
    key({
      id: ID.rotatedOften,
      meta: { description: 'Secrets vault (rotated on demand)' },
      aliases: ['alias/vault'],
      tags: OWNED('security', 'vault'),
      rotation: rotatingYearly('2027-05-01T00:00:00.000Z'),
      rotations: [
        { date: '2026-05-01T00:00:00.000Z', type: 'ON_DEMAND' },
        { date: '2026-08-01T00:00:00.000Z', type: 'ON_DEMAND' },
        { date: '2026-10-21T00:00:00.000Z', type: 'ON_DEMAND' },
      ],
    }),
    key({
      id: ID.euAnalytics,
      region: 'eu-west-1',
      meta: { description: 'Analytics lake (EU)' },
      aliases: ['alias/analytics'],
      tags: OWNED('data-team', 'analytics'),
      rotation: rotatingYearly('2027-02-03T10:15:00.000Z'),
      rotations: [{ date: '2026-10-21T00:00:00.000Z', type: 'AUTOMATIC' }],
      policy: collected(GOOD_POLICY),
    }),
    key({
      id: ID.deniedPolicy,
      region: 'eu-west-1',
      meta: { description: 'Owned by another team' },
      aliases: ['alias/team-b'],
      tags: OWNED('team-b', 'team-b'),
      rotation: rotatingYearly('2027-02-03T10:15:00.000Z'),
      policy: failed(
        'GetKeyPolicy',
        'AccessDeniedException',
        `User: arn:aws:sts::${DEMO_ACCOUNT}:assumed-role/Auditor/kms-report is not authorized to perform: kms:GetKeyPolicy`,
      ),
    }),
  ];
  keys.sort(
    compareBy(
      (k) => k.region,
      (k) => k.arn,
    ),
  );
  const denied = keys.find((k) => k.keyId === ID.deniedPolicy);
  return {
    kind: SNAPSHOT_KIND,
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    tool: { name: 'kms-report', version: TOOL_VERSION },
    collection: { startedAt: COLLECTED_AT, finishedAt: '2026-11-01T02:03:41.000Z' },
    partition: 'aws',
    accounts: [DEMO_ACCOUNT],
    regions: [
      { account: DEMO_ACCOUNT, region: 'eu-west-1', status: 'partial', keysListed: 3 },
      { account: DEMO_ACCOUNT, region: 'us-east-1', status: 'complete', keysListed: 20 },
    ],
    keys,
    gaps: [
      {
        scope: 'field',
        account: DEMO_ACCOUNT,
        region: 'eu-west-1',
        keyArn: denied?.arn ?? null,
        field: 'policy',
        operation: 'GetKeyPolicy',
        errorCode: 'AccessDeniedException',
        message: denied?.policy.status === 'failed' ? denied.policy.message : '',
      },
    ],
  };
}

function requests(
  id: string,
  counts: Record<string, number>,
  options: { region?: string; keyPairSpec?: string; failed?: number; account?: string } = {},
): RequestCount[] {
  return Object.entries(counts).map(([operation, count]) => ({
    account: options.account ?? DEMO_ACCOUNT,
    region: options.region ?? 'us-east-1',
    keyArn: arn(options.region ?? 'us-east-1', id),
    operation,
    keyPairSpec: options.keyPairSpec ?? null,
    count,
    failedCount: options.failed ?? 0,
    source: 'sample',
  }));
}

/** Who made a demo request: the principal, and for S3 the bucket and whether it has a Bucket Key. */
interface DemoCaller {
  readonly caller: string;
  readonly account: string;
  readonly invokedBy?: string;
  readonly bucket?: { readonly name: string; readonly scope: 'bucket' | 'object' };
}

const role = (name: string, account = DEMO_ACCOUNT) => ({
  caller: `arn:aws:iam::${account}:role/${name}`,
  account,
});

/**
 * The demo's callers, by key and billed account: a Lambda role calling GenerateDataKey/Decrypt
 * directly at a high rate, S3 encrypting a bucket without a Bucket Key (one request per object)
 * and one with a Bucket Key, a partner account's role, an RSA data-key-pair caller; every other
 * key is called by the platform's application role.
 */
function demoCallerOf(rc: RequestCount): DemoCaller {
  const is = (id: string) => rc.keyArn.endsWith(id);
  if (rc.account === OTHER_ACCOUNT) return role('partner-reconciliation', OTHER_ACCOUNT);
  if (is(ID.payments)) return role('payments-api-lambda');
  if (is(ID.euAnalytics))
    return {
      ...role('analytics-etl'),
      invokedBy: 's3.amazonaws.com',
      bucket: { name: 'example-analytics-raw-eu', scope: 'object' },
    };
  if (is(ID.awsS3))
    return {
      ...role('static-site-publisher'),
      invokedBy: 's3.amazonaws.com',
      bucket: { name: 'example-static-assets', scope: 'bucket' },
    };
  if (is(ID.dataKeyPairs)) return role('device-provisioning');
  if (is(ID.orders)) return role('orders-service');
  return role('platform-app');
}

/** The demo's request counts split by caller (one caller per count: the counts add up). */
function demoCallers(counts: readonly RequestCount[]): CallerRequestCount[] {
  return counts.map((rc) => {
    const c = demoCallerOf(rc);
    return {
      account: rc.account,
      region: rc.region,
      keyArn: rc.keyArn,
      operation: rc.operation,
      keyPairSpec: rc.keyPairSpec,
      caller: c.caller,
      callerType: 'role',
      callerAccount: c.account,
      invokedBy: c.invokedBy ?? null,
      bucketArn: c.bucket ? `arn:aws:s3:::${c.bucket.name}` : null,
      s3ContextScope: c.bucket?.scope ?? null,
      count: rc.count,
      failedCount: rc.failedCount,
      source: rc.source,
    };
  });
}

/** The demo's October 2026 request volumes and key lifecycle. */
export function demoUsage(): MonthUsage {
  const requestCounts: RequestCount[] = [
    ...requests(
      ID.payments,
      { Decrypt: 1_200_000, Encrypt: 300_000, GenerateDataKey: 500_000 },
      { failed: 12 },
    ),
    ...requests(ID.legacy, { Decrypt: 4_000 }),
    ...requests(ID.longPeriod, { Encrypt: 2_500 }),
    ...requests(ID.untagged, { GenerateDataKey: 800 }),
    ...requests(ID.public, { Decrypt: 15_000 }),
    ...requests(ID.crossAccount, { Decrypt: 1_000 }),
    // The partner's calls on our key are billed to the partner.
    ...requests(ID.crossAccount, { Decrypt: 60_000 }, { account: OTHER_ACCOUNT }),
    ...requests(ID.overbroad, { Encrypt: 9_000, Decrypt: 9_000 }),
    ...requests(ID.retiring, { Decrypt: 300 }),
    ...requests(ID.signingRsa2048, { Sign: 10_000, Verify: 5_000 }),
    ...requests(ID.encryptRsa4096, { Decrypt: 20_000 }),
    ...requests(ID.signingEcc, { Sign: 40_000, GetPublicKey: 200 }),
    ...requests(ID.hmac, { GenerateMac: 100_000, VerifyMac: 98_000 }),
    ...requests(ID.dataKeyPairs, { GenerateDataKeyPair: 1_000 }, { keyPairSpec: 'RSA_2048' }),
    ...requests(
      ID.dataKeyPairs,
      { GenerateDataKeyPairWithoutPlaintext: 5_000 },
      { keyPairSpec: 'ECC_NIST_P256' },
    ),
    ...requests(ID.orders, { Decrypt: 75_000, Encrypt: 25_000 }),
    ...requests(ID.orders, { Decrypt: 40_000 }, { region: 'eu-west-1' }),
    ...requests(ID.approvedGlobal, { Decrypt: 3_000 }),
    ...requests(ID.awsS3, { Decrypt: 100_000, GenerateDataKey: 20_000 }),
    ...requests(ID.rotatedOften, { Decrypt: 6_000 }),
    ...requests(ID.euAnalytics, { Decrypt: 250_000, GenerateDataKey: 50_000 }, { region: 'eu-west-1' }),
    ...requests(ID.deniedPolicy, { Encrypt: 1_200 }, { region: 'eu-west-1' }),
  ];
  const symmetricInRegion = (region: string) =>
    requestCounts
      .filter(
        (r) =>
          r.region === region &&
          r.account === DEMO_ACCOUNT &&
          // CloudWatch's symmetric class counts HMAC operations too.
          ![ID.signingRsa2048, ID.encryptRsa4096, ID.signingEcc].some((id) => r.keyArn.endsWith(id)) &&
          !r.operation.startsWith('GenerateDataKeyPair'),
      )
      // CloudWatch counts every call, failed or not.
      .reduce((sum, r) => sum + r.count + r.failedCount, 0);
  const accountTotals: AccountUsageTotal[] = [
    // CloudWatch sees more than CloudTrail attributed: 35,000 symmetric calls in us-east-1 are unattributed.
    {
      account: DEMO_ACCOUNT,
      region: 'us-east-1',
      resource: 'CryptographicOperationsSymmetric',
      count: symmetricInRegion('us-east-1') + 35_000,
      source: 'sample',
    },
    {
      account: DEMO_ACCOUNT,
      region: 'us-east-1',
      resource: 'CryptographicOperationsRsa',
      count: 35_000,
      source: 'sample',
    },
    {
      account: DEMO_ACCOUNT,
      region: 'us-east-1',
      resource: 'CryptographicOperationsEcc',
      count: 40_200,
      source: 'sample',
    },
    {
      account: DEMO_ACCOUNT,
      region: 'eu-west-1',
      resource: 'CryptographicOperationsSymmetric',
      count: symmetricInRegion('eu-west-1'),
      source: 'sample',
    },
  ];
  const lifecycle: LifecycleEvent[] = [
    {
      account: DEMO_ACCOUNT,
      region: 'us-east-1',
      keyArn: arn('us-east-1', ID.untagged),
      event: 'CreateKey',
      time: '2026-10-16T00:00:00.000Z',
    },
    {
      account: DEMO_ACCOUNT,
      region: 'us-east-1',
      keyArn: arn('us-east-1', ID.retiring),
      event: 'ScheduleKeyDeletion',
      time: '2026-10-11T09:00:00.000Z',
      pendingWindowInDays: 7,
      deletionDate: '2026-10-18T09:00:00.000Z',
    },
    {
      account: DEMO_ACCOUNT,
      region: 'us-east-1',
      keyArn: arn('us-east-1', ID.retiring),
      event: 'CancelKeyDeletion',
      time: '2026-10-17T15:30:00.000Z',
    },
    {
      account: DEMO_ACCOUNT,
      region: 'us-east-1',
      keyArn: arn('us-east-1', ID.retiring),
      event: 'ScheduleKeyDeletion',
      time: '2026-10-19T09:00:00.000Z',
      pendingWindowInDays: 30,
      deletionDate: '2026-11-18T09:00:00.000Z',
    },
    {
      account: DEMO_ACCOUNT,
      region: 'us-east-1',
      keyArn: arn('us-east-1', ID.rotatedOften),
      event: 'RotateKeyOnDemand',
      time: '2026-10-21T00:00:00.000Z',
    },
    {
      account: DEMO_ACCOUNT,
      region: 'eu-west-1',
      keyArn: arn('eu-west-1', ID.euAnalytics),
      event: 'RotateKey',
      time: '2026-10-21T00:00:00.000Z',
    },
    {
      account: DEMO_ACCOUNT,
      region: 'us-east-1',
      keyArn: arn('us-east-1', ID.decommissioned),
      event: 'ScheduleKeyDeletion',
      time: '2026-10-28T16:00:00.000Z',
      pendingWindowInDays: 7,
      deletionDate: '2026-11-04T16:00:00.000Z',
    },
    // A key deleted during the month: ListKeys no longer returns it, but October billed it.
    {
      account: DEMO_ACCOUNT,
      region: 'us-east-1',
      keyArn: arn('us-east-1', ID.deletedInMonth),
      event: 'ScheduleKeyDeletion',
      time: '2026-10-03T12:00:00.000Z',
      pendingWindowInDays: 7,
      deletionDate: '2026-10-10T12:00:00.000Z',
    },
    {
      account: DEMO_ACCOUNT,
      region: 'us-east-1',
      keyArn: arn('us-east-1', ID.deletedInMonth),
      event: 'DeleteKey',
      time: '2026-10-10T12:00:00.000Z',
    },
  ];
  return {
    month: DEMO_MONTH,
    window: { start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z' },
    requests: requestCounts,
    callers: demoCallers(requestCounts),
    // The demo's callers made no request that names no key (ListKeys, CreateKey, ...).
    keylessRequests: [],
    accountTotals,
    lifecycle,
    coverage: ['us-east-1', 'eu-west-1'].flatMap((region) => [
      {
        account: DEMO_ACCOUNT,
        region,
        source: 'sample' as const,
        status: 'complete' as const,
        detail: 'demo data: per-key counts as CloudTrail would give them',
      },
    ]),
  };
}

/** The demo's compliance configuration: required tags, an alias pattern, one approved multi-Region key, and two suppressions (one active, one expired). */
export function demoComplianceConfig(): ComplianceConfig {
  return complianceConfigSchema.parse({
    requiredTags: ['Owner'],
    aliasPattern: '^alias/[a-z0-9-]+$',
    multiRegionAllowList: ['alias/sessions'],
    suppressions: [
      {
        rule: 'KMS-ROT-02',
        key: arn('us-east-1', ID.longPeriod),
        justification: 'Archive data is re-encrypted every two years by the archive job',
        owner: 'data-team@example.com',
        ticket: 'SEC-2211',
        expires: '2027-03-31',
      },
      {
        rule: 'KMS-TAG-01',
        key: `arn:aws:kms:us-east-1:${DEMO_ACCOUNT}:key/*`,
        justification: 'Tagging campaign to finish in September',
        owner: 'platform@example.com',
        ticket: 'SEC-1999',
        expires: '2026-09-30',
      },
    ],
  });
}

/** The demo's usage as the evidence file `kms-report usage` would write, with its reconciliation. */
export function demoUsageEvidence(): UsageEvidence {
  const usage = demoUsage();
  const keyClasses: Record<string, KeyClass> = {};
  for (const k of demoSnapshot().keys) {
    const cls = keyClassOfSpec(collectedValue(k.metadata)?.keySpec);
    if (cls) keyClasses[k.arn] = cls;
  }
  return {
    kind: USAGE_KIND,
    schemaVersion: USAGE_SCHEMA_VERSION,
    tool: { name: 'kms-report', version: TOOL_VERSION },
    collection: {
      startedAt: '2026-11-01T02:03:41.000Z',
      finishedAt: '2026-11-01T02:04:55.000Z',
      interrupted: false,
    },
    accounts: [DEMO_ACCOUNT],
    regions: ['eu-west-1', 'us-east-1'],
    usage,
    keyClasses,
    reconciliation: reconcileUsage(usage, keyClasses),
  };
}
