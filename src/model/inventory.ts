import type { Observed } from './observed.js';

/** Dates are ISO 8601 strings in UTC (`2026-10-01T00:00:00.000Z`) everywhere in the model. */
export type IsoDate = string;

export type KeyManager = 'AWS' | 'CUSTOMER';

/** The multi-Region role of a key, from DescribeKey's MultiRegionConfiguration. */
export interface MultiRegionInfo {
  readonly role: 'PRIMARY' | 'REPLICA';
  readonly primary: { readonly arn: string; readonly region: string } | null;
  readonly replicas: readonly { readonly arn: string; readonly region: string }[];
}

/** Everything DescribeKey says about a key that kms-report uses, normalised. */
export interface KeyMetadata {
  readonly creationDate: IsoDate | null;
  readonly description: string;
  readonly keyState: string;
  readonly enabled: boolean;
  readonly keySpec: string;
  readonly keyUsage: string;
  readonly keyManager: KeyManager;
  readonly origin: string;
  readonly multiRegion: MultiRegionInfo | null;
  /** Present only while the key is PendingDeletion (or PendingReplicaDeletion). */
  readonly deletionDate: IsoDate | null;
  readonly pendingDeletionWindowInDays: number | null;
  readonly customKeyStoreId: string | null;
  readonly cloudHsmClusterId: string | null;
  readonly currentKeyMaterialId: string | null;
  readonly expirationModel: string | null;
  readonly validTo: IsoDate | null;
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** GetKeyRotationStatus. */
export interface RotationStatus {
  readonly enabled: boolean;
  readonly periodInDays: number | null;
  readonly nextRotationDate: IsoDate | null;
  readonly onDemandRotationStartDate: IsoDate | null;
}

/** One entry of ListKeyRotations: a completed rotation of the key material. */
export interface Rotation {
  readonly date: IsoDate;
  readonly type: 'AUTOMATIC' | 'ON_DEMAND' | string;
}

/** GetKeyLastUsage: the last successful cryptographic operation, if any since tracking began. */
export interface LastUsage {
  readonly operation: string | null;
  readonly timestamp: IsoDate | null;
  readonly trackingStartDate: IsoDate | null;
  readonly cloudTrailEventId: string | null;
}

/** One KMS key as collected: identity, metadata and each piece of evidence with its status. */
export interface KeyRecord {
  readonly account: string;
  readonly region: string;
  readonly keyId: string;
  readonly arn: string;
  readonly metadata: Observed<KeyMetadata>;
  /** Alias names (`alias/...`), sorted. */
  readonly aliases: Observed<readonly string[]>;
  readonly tags: Observed<readonly Tag[]>;
  readonly rotation: Observed<RotationStatus>;
  /** Completed rotations, oldest first. */
  readonly rotations: Observed<readonly Rotation[]>;
  /** The key policy exactly as AWS returned it (policy name `default`). */
  readonly policy: Observed<string>;
  readonly lastUsage: Observed<LastUsage>;
}

/** Where a gap sits: a whole region, one key, or one piece of one key's evidence. */
export type GapScope = 'account' | 'region' | 'key' | 'field';

/**
 * Something kms-report could not see. Every gap is listed in the snapshot and the report,
 * and turns the checks that need that evidence UNKNOWN.
 */
export interface Gap {
  readonly scope: GapScope;
  readonly account: string | null;
  readonly region: string | null;
  readonly keyArn: string | null;
  /** For `field` gaps: which evidence (`policy`, `tags`, ...). */
  readonly field: string | null;
  readonly operation: string;
  readonly errorCode: string;
  readonly message: string;
}

export type RegionStatus = 'complete' | 'partial' | 'failed';

export interface RegionCoverage {
  readonly account: string;
  readonly region: string;
  readonly status: RegionStatus;
  readonly keysListed: number;
}

export const SNAPSHOT_KIND = 'kms-report/inventory';
export const SNAPSHOT_SCHEMA_VERSION = 1;

/** An organizational unit (or the organisation's root) an account sits in. */
export interface OrganizationalUnit {
  readonly id: string;
  readonly name: string;
}

/** One account of an organisation-wide run: who it is, where it sits, and how it was read. */
export interface OrganizationAccount {
  readonly id: string;
  /** The account's name in AWS Organizations; null when the account was named by id only. */
  readonly name: string | null;
  /** Its parent OU; null when the caller may not read OUs (not a gap: the report says "unknown OU"). */
  readonly ou: OrganizationalUnit | null;
  /** The role assumed to read it; null for the caller's own account, read with the caller's credentials. */
  readonly roleArn: string | null;
  /** `failed`: the account could not be entered (role not assumable, regions not listable): see the gaps. */
  readonly status: 'collected' | 'failed';
}

/** Present in snapshots of organisation-wide runs (`--org`, `--accounts`). */
export interface OrganizationScope {
  /** `o-...`, when known from AWS Organizations. */
  readonly id: string | null;
  /** The account the run was made from. */
  readonly callerAccount: string;
  readonly accounts: readonly OrganizationAccount[];
}

/** The evidence file: everything collected in one run, re-readable later. */
export interface InventorySnapshot {
  readonly kind: typeof SNAPSHOT_KIND;
  readonly schemaVersion: typeof SNAPSHOT_SCHEMA_VERSION;
  readonly tool: { readonly name: 'kms-report'; readonly version: string };
  readonly collection: { readonly startedAt: IsoDate; readonly finishedAt: IsoDate };
  readonly partition: string;
  readonly accounts: readonly string[];
  readonly regions: readonly RegionCoverage[];
  readonly keys: readonly KeyRecord[];
  readonly gaps: readonly Gap[];
  /** Names, OUs and status of the accounts of an organisation-wide run; absent for one account. */
  readonly organization?: OrganizationScope;
}
