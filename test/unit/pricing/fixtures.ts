import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type InventorySnapshot,
  type KeyMetadata,
  type KeyRecord,
  type Rotation,
  SNAPSHOT_KIND,
  SNAPSHOT_SCHEMA_VERSION,
} from '../../../src/model/inventory.js';
import { collected, notApplicable, type Observed, skipped } from '../../../src/model/observed.js';
import type {
  AccountUsageTotal,
  KeylessRequestCount,
  LifecycleEvent,
  MonthUsage,
  RequestCount,
  UsageCoverage,
} from '../../../src/model/usage.js';
import { DEFAULT_PRICING_DIR } from '../../../src/pricing/load.js';
import { type PricingTable, parsePricingTable } from '../../../src/pricing/table.js';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';

/** The tables shipped in pricing/, read synchronously for tests. */
export function shippedTables(): PricingTable[] {
  return readdirSync(DEFAULT_PRICING_DIR)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => {
      const path = join(DEFAULT_PRICING_DIR, n);
      return parsePricingTable(readFileSync(path, 'utf8'), path);
    });
}

export function arnOf(id: string, region = 'us-east-1', account = ACCOUNT): string {
  return `arn:aws:kms:${region}:${account}:key/${id}`;
}

export interface KeyOptions {
  readonly id: string;
  readonly region?: string;
  readonly account?: string;
  readonly metadata?: Partial<KeyMetadata>;
  readonly metadataObserved?: Observed<KeyMetadata>;
  readonly rotations?: readonly Rotation[] | Observed<readonly Rotation[]>;
  readonly aliases?: readonly string[];
}

/** A customer managed symmetric key, enabled, created long before any month the tests price. */
export function key(options: KeyOptions): KeyRecord {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? ACCOUNT;
  const metadata: KeyMetadata = {
    creationDate: '2025-01-01T00:00:00.000Z',
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
    ...options.metadata,
  };
  const rotations =
    options.rotations === undefined
      ? collected<readonly Rotation[]>([])
      : Array.isArray(options.rotations)
        ? collected<readonly Rotation[]>(options.rotations as readonly Rotation[])
        : (options.rotations as Observed<readonly Rotation[]>);
  return {
    account,
    region,
    keyId: options.id,
    arn: arnOf(options.id, region, account),
    metadata: options.metadataObserved ?? collected(metadata),
    aliases: collected(options.aliases ?? []),
    tags: collected([]),
    rotation: notApplicable('not needed by pricing'),
    rotations,
    policy: skipped('not needed by pricing'),
    lastUsage: skipped('not needed by pricing'),
  };
}

export function snapshot(
  keys: readonly KeyRecord[],
  finishedAt = '2026-11-02T00:00:00.000Z',
): InventorySnapshot {
  const accounts = [...new Set([ACCOUNT, ...keys.map((k) => k.account)])].sort();
  return {
    kind: SNAPSHOT_KIND,
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    tool: { name: 'kms-report', version: '0.1.0' },
    collection: { startedAt: finishedAt, finishedAt },
    partition: 'aws',
    accounts,
    regions: [],
    keys,
    gaps: [],
  };
}

export function requests(
  keyArn: string,
  operation: string,
  count: number,
  extra: Partial<RequestCount> = {},
): RequestCount {
  const [, , , region, account] = keyArn.split(':');
  return {
    account: account as string,
    region: region as string,
    keyArn,
    operation,
    keyPairSpec: null,
    count,
    failedCount: 0,
    source: 'cloudtrail-lookup',
    ...extra,
  };
}

export function event(
  keyArn: string,
  name: LifecycleEvent['event'],
  time: string,
  extra: Partial<LifecycleEvent> = {},
): LifecycleEvent {
  const [, , , region, account] = keyArn.split(':');
  return { account: account as string, region: region as string, keyArn, event: name, time, ...extra };
}

/**
 * Usage for a month. Unless `coverage` is given, per-key counts are complete for every
 * account and region that appears in the requests, lifecycle events and `regions`.
 */
export function usage(
  month: string,
  parts: {
    requests?: readonly RequestCount[];
    keylessRequests?: readonly KeylessRequestCount[];
    lifecycle?: readonly LifecycleEvent[];
    afterMonth?: MonthUsage['afterMonth'];
    accountTotals?: readonly AccountUsageTotal[];
    coverage?: readonly UsageCoverage[];
    regions?: readonly { account: string; region: string }[];
  } = {},
): MonthUsage {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const where = new Map<string, { account: string; region: string }>();
  for (const r of [
    ...(parts.requests ?? []),
    ...(parts.keylessRequests ?? []),
    ...(parts.lifecycle ?? []),
    ...(parts.regions ?? []),
  ])
    where.set(`${r.account}/${r.region}`, { account: r.account, region: r.region });
  where.set(`${ACCOUNT}/us-east-1`, { account: ACCOUNT, region: 'us-east-1' });
  return {
    month,
    window: {
      start: new Date(Date.UTC(y, m - 1, 1)).toISOString(),
      end: new Date(Date.UTC(y, m, 1)).toISOString(),
    },
    requests: parts.requests ?? [],
    keylessRequests: parts.keylessRequests ?? [],
    accountTotals: parts.accountTotals ?? [],
    lifecycle: parts.lifecycle ?? [],
    ...(parts.afterMonth ? { afterMonth: parts.afterMonth } : {}),
    coverage:
      parts.coverage ??
      [...where.values()].map((w) => ({
        ...w,
        source: 'cloudtrail-lookup' as const,
        status: 'complete' as const,
        detail: '',
      })),
  };
}
