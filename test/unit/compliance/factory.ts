import { complianceConfigSchema } from '../../../src/compliance/config.js';
import { buildRuleContext } from '../../../src/compliance/engine.js';
import type { RuleContext } from '../../../src/compliance/rules/types.js';
import type { InventorySnapshot, KeyMetadata, KeyRecord } from '../../../src/model/inventory.js';
import { collected, type Observed } from '../../../src/model/observed.js';
import type { LifecycleEvent, MonthUsage, RequestCount } from '../../../src/model/usage.js';

/** Test data for the compliance rules: one customer managed key that passes everything, tweaked per test. */
export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const REGION = 'eu-west-1';
export const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;
/** When the evidence was collected. */
export const AS_OF = '2026-10-15T00:00:00.000Z';
export const MONTH = '2026-09';

/** The policy AWS writes when a key is created without one. */
export function defaultPolicy(account = ACCOUNT): object {
  return {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
}

export function metadata(overrides: Partial<KeyMetadata> = {}): KeyMetadata {
  return {
    creationDate: '2025-01-10T09:00:00.000Z',
    description: 'payments',
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
    ...overrides,
  };
}

export interface KeyOverrides extends Partial<Omit<KeyRecord, 'metadata' | 'policy'>> {
  /** Fields of DescribeKey's answer to change. */
  readonly meta?: Partial<KeyMetadata>;
  /** The whole metadata evidence (for a failed DescribeKey). */
  readonly metadata?: Observed<KeyMetadata>;
  /** A policy document (serialised), raw text, or the whole evidence. */
  readonly policy?: object | string | Observed<string>;
}

export function makeKey(overrides: KeyOverrides = {}): KeyRecord {
  const { meta, metadata: observedMetadata, policy, ...rest } = overrides;
  const policyEvidence: Observed<string> =
    policy === undefined
      ? collected(JSON.stringify(defaultPolicy()))
      : typeof policy === 'string'
        ? collected(policy)
        : 'status' in policy
          ? (policy as Observed<string>)
          : collected(JSON.stringify(policy));
  return {
    account: ACCOUNT,
    region: REGION,
    keyId: KEY_ID,
    arn: KEY_ARN,
    metadata: observedMetadata ?? collected(metadata(meta)),
    aliases: collected(['alias/payments']),
    tags: collected([{ key: 'Owner', value: 'payments-team' }]),
    rotation: collected({
      enabled: true,
      periodInDays: 365,
      nextRotationDate: '2027-01-10T09:00:00.000Z',
      onDemandRotationStartDate: null,
    }),
    rotations: collected([]),
    lastUsage: collected({
      operation: 'Decrypt',
      timestamp: '2026-10-14T08:00:00.000Z',
      trackingStartDate: '2025-04-01T00:00:00.000Z',
      cloudTrailEventId: null,
    }),
    ...rest,
    policy: policyEvidence,
  };
}

export const awsManagedKey = (overrides: KeyOverrides = {}): KeyRecord =>
  makeKey({
    aliases: collected(['alias/aws/s3']),
    ...overrides,
    meta: { keyManager: 'AWS', description: 'Default key that protects my S3 objects', ...overrides.meta },
  });

export function usage(
  parts: {
    readonly requests?: readonly Partial<RequestCount>[];
    readonly lifecycle?: readonly Partial<LifecycleEvent>[];
    readonly coverage?: 'complete' | 'partial' | 'failed';
  } = {},
): MonthUsage {
  return {
    month: MONTH,
    window: { start: '2026-09-01T00:00:00.000Z', end: '2026-10-01T00:00:00.000Z' },
    requests: (parts.requests ?? []).map((r) => ({
      account: ACCOUNT,
      region: REGION,
      keyArn: KEY_ARN,
      operation: 'Decrypt',
      keyPairSpec: null,
      count: 1,
      failedCount: 0,
      source: 'cloudtrail-lookup',
      ...r,
    })),
    accountTotals: [],
    lifecycle: (parts.lifecycle ?? []).map((e) => ({
      account: ACCOUNT,
      region: REGION,
      keyArn: KEY_ARN,
      event: 'DisableKey',
      time: '2026-09-10T00:00:00.000Z',
      ...e,
    })),
    coverage: [
      {
        account: ACCOUNT,
        region: REGION,
        source: 'cloudtrail-lookup',
        status: parts.coverage ?? 'complete',
        detail: '',
      },
    ],
  };
}

/** A rule context; `config` is the configuration file's content (defaults filled in). */
export function contextFor(
  key: KeyRecord,
  options: { readonly config?: unknown; readonly usage?: MonthUsage; readonly month?: boolean } = {},
): RuleContext {
  return buildRuleContext(key, {
    asOf: AS_OF,
    config: complianceConfigSchema.parse(options.config ?? {}),
    usage: options.usage ?? null,
    window:
      options.month === false
        ? null
        : { month: MONTH, start: '2026-09-01T00:00:00.000Z', end: '2026-10-01T00:00:00.000Z' },
  });
}

export function snapshotOf(keys: readonly KeyRecord[]): InventorySnapshot {
  return {
    kind: 'kms-report/inventory',
    schemaVersion: 1,
    tool: { name: 'kms-report', version: '0.1.0' },
    collection: { startedAt: '2026-10-14T23:50:00.000Z', finishedAt: AS_OF },
    partition: 'aws',
    accounts: [ACCOUNT],
    regions: [{ account: ACCOUNT, region: REGION, status: 'complete', keysListed: keys.length }],
    keys,
    gaps: [],
  };
}
