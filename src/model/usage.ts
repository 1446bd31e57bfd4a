import type { IsoDate } from './inventory.js';

/**
 * Request volumes and key lifecycle for one calendar month, as the usage collectors
 * (CloudTrail, CloudWatch) produce them and the pricing engine and rules consume them.
 */

/** Where a number came from. Recorded with every count and shown in the report. */
export type UsageSource =
  | 'cloudtrail-lookup'
  | 'cloudtrail-s3'
  | 'cloudtrail-athena'
  | 'cloudwatch'
  | 'sample';

/**
 * The sources that count requests per key (CloudTrail, read through LookupEvents, from the
 * trail's files in S3, or counted by Athena over the trail's table); CloudWatch gives account
 * totals only. The one home of this set.
 */
export const PER_KEY_SOURCES: ReadonlySet<UsageSource> = new Set<UsageSource>([
  'cloudtrail-lookup',
  'cloudtrail-s3',
  'cloudtrail-athena',
]);

/**
 * Whether a source's rows count requests per key: a {@link PER_KEY_SOURCES} source, or the
 * demo's `sample`, which stands in for every source.
 *
 * @example
 * ```ts
 * countsPerKey('cloudtrail-s3'); // true
 * countsPerKey('cloudwatch'); // false
 * ```
 */
export const countsPerKey = (source: UsageSource): boolean => PER_KEY_COUNT_SOURCES.includes(source);

/** The sources {@link countsPerKey} accepts: the {@link PER_KEY_SOURCES} and the demo's `sample`. */
export const PER_KEY_COUNT_SOURCES: readonly UsageSource[] = [...PER_KEY_SOURCES, 'sample'];

/** Successful and failed requests of one operation on one key (per-key sources: CloudTrail). */
export interface RequestCount {
  /**
   * The account billed for these requests: the caller's (`userIdentity.accountId`), which for
   * a cross-account call is not the key's owner, also when an AWS service made the call with
   * the caller's credentials (`invokedBy`); the key's own account only for calls a service
   * made as itself (`userIdentity.type` `AWSService`).
   */
  readonly account: string;
  readonly region: string;
  /** The key's ARN from the event's `resources[]`. */
  readonly keyArn: string;
  /** The API name, e.g. `Decrypt`, `GenerateDataKeyPair`. */
  readonly operation: string;
  /** For GenerateDataKeyPair*: the requested pair spec (`RSA_2048`, `ECC_NIST_P256`, ...); else null. */
  readonly keyPairSpec: string | null;
  /** Successful calls (billed). */
  readonly count: number;
  /** Calls that returned an error (`errorCode` set); counted apart. */
  readonly failedCount: number;
  readonly source: UsageSource;
}

/**
 * Successful and failed requests of one operation that name no key (ListKeys, ListAliases,
 * CreateKey, GenerateRandom, ...), per billed account and region. They are billed like any
 * request; only the per-key sources (CloudTrail) count them.
 */
export interface KeylessRequestCount {
  /** The caller's account (`userIdentity.accountId`, else the event's `recipientAccountId`). */
  readonly account: string;
  readonly region: string;
  readonly operation: string;
  readonly count: number;
  readonly failedCount: number;
  readonly source: UsageSource;
}

/**
 * Account-level totals from CloudWatch `AWS/Usage` `CallCount` (no key dimension), by the
 * metric's `Resource` value: `CryptographicOperationsSymmetric`, `CryptographicOperationsRsa`,
 * `CryptographicOperationsEcc`, API names, `GenerateDataKeyPair-RSA_2048`-style names.
 */
export interface AccountUsageTotal {
  readonly account: string;
  readonly region: string;
  readonly resource: string;
  readonly count: number;
  readonly source: 'cloudwatch' | 'sample';
}

/** The management events that change what a key costs or what the rules see (one list: the type, the reader and the schema use it). */
export const LIFECYCLE_EVENT_NAMES = [
  'CreateKey',
  'ReplicateKey',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'DeleteKey',
  'DisableKey',
  'EnableKey',
  'EnableKeyRotation',
  'DisableKeyRotation',
  'RotateKey',
  'RotateKeyOnDemand',
  'PutKeyPolicy',
] as const;
export type LifecycleEventName = (typeof LIFECYCLE_EVENT_NAMES)[number];

/** A management event on a key during the month (from CloudTrail). */
export interface LifecycleEvent {
  readonly account: string;
  readonly region: string;
  readonly keyArn: string;
  readonly event: LifecycleEventName;
  readonly time: IsoDate;
  /** ScheduleKeyDeletion's `requestParameters.pendingWindowInDays`. */
  readonly pendingWindowInDays?: number;
  /** ScheduleKeyDeletion's answer: when the key is to be deleted. */
  readonly deletionDate?: IsoDate;
}

/** How complete a source was for one account and region. */
export interface UsageCoverage {
  readonly account: string;
  readonly region: string;
  readonly source: UsageSource;
  /** `complete`: the whole month was read; `partial`: stopped early; `failed`/`not-collected`: nothing usable. */
  readonly status: 'complete' | 'partial' | 'failed' | 'not-collected';
  readonly detail: string;
  /**
   * Set when everything from the window's start up to this time was read and nothing failed,
   * but the window had not ended (a month to date): the counts are complete up to it.
   */
  readonly readUntil?: IsoDate;
}

/**
 * Lifecycle evidence after the month: from its end to when the evidence was collected. It says
 * when a key found pending deletion was scheduled (after the month, or before it), so the
 * month is not billed on a guess.
 */
export interface LifecycleAfterMonth {
  /** The time read, `[start, end)`: `start` is the month's end. */
  readonly window: { readonly start: IsoDate; readonly end: IsoDate };
  /** The lifecycle events found in it (at least every ScheduleKeyDeletion). */
  readonly lifecycle: readonly LifecycleEvent[];
  /** Per account and region: `complete` when the whole window was read for ScheduleKeyDeletion. */
  readonly coverage: readonly UsageCoverage[];
}

/**
 * Who made a request, normalised so that one principal is one caller: an assumed-role session
 * becomes its role (`arn:aws:iam::111122223333:role/Name`), a federated user its provider, a
 * service acting as itself its service principal (`s3.amazonaws.com`), the root user
 * `arn:aws:iam::<account>:root`. `type` says which.
 */
export type CallerType =
  | 'role'
  | 'user'
  | 'root'
  | 'federated'
  | 'service'
  | 'anonymous'
  | 'other-callers'
  | 'unknown';

/** The caller every caller past the tracked limit is folded into (its counts are the tail's total). */
export const OTHER_CALLERS = '(other callers)';

/**
 * Successful and failed requests of one operation on one key by one caller (per-key sources:
 * CloudTrail). The counts of one (account, region, key, operation, pair spec) over all its callers
 * add up to its {@link RequestCount}: callers past the tracked limit are folded into
 * {@link OTHER_CALLERS} with their total, never dropped.
 */
export interface CallerRequestCount {
  /** The account billed (as {@link RequestCount.account}). */
  readonly account: string;
  readonly region: string;
  readonly keyArn: string;
  readonly operation: string;
  readonly keyPairSpec: string | null;
  /** The normalised principal (see {@link CallerType}), or {@link OTHER_CALLERS}. */
  readonly caller: string;
  readonly callerType: CallerType;
  /** The caller's account (`userIdentity.accountId`); null for services, anonymous callers and the folded tail. */
  readonly callerAccount: string | null;
  /** The AWS service that called on the principal's behalf (`userIdentity.invokedBy`), e.g. `s3.amazonaws.com`; else null. */
  readonly invokedBy: string | null;
  /** For calls S3 made: the bucket ARN from the encryption context (`aws:s3:arn`, object part removed); else null. */
  readonly bucketArn: string | null;
  /**
   * For calls S3 made: `bucket` when the encryption context is the bucket's ARN (an S3 Bucket Key),
   * `object` when it is an object's ARN (no Bucket Key: one request per object); else null.
   */
  readonly s3ContextScope: 'bucket' | 'object' | null;
  readonly count: number;
  readonly failedCount: number;
  readonly source: UsageSource;
}

/** Everything known about one month's usage. */
export interface MonthUsage {
  /** `YYYY-MM`. */
  readonly month: string;
  /** The window read, `[start, end)` in UTC. */
  readonly window: { readonly start: IsoDate; readonly end: IsoDate };
  readonly requests: readonly RequestCount[];
  /**
   * Requests that name no key, per account, region and operation. Absent in evidence written
   * before they were counted (usage schema version 1): they are then unknown, not zero.
   */
  readonly keylessRequests?: readonly KeylessRequestCount[];
  /**
   * The per-key requests again, split by caller (see {@link CallerRequestCount}). Absent in
   * evidence written before callers were counted, and for sources that cannot see callers
   * (CloudWatch): the report then says who called is unknown.
   */
  readonly callers?: readonly CallerRequestCount[];
  readonly accountTotals: readonly AccountUsageTotal[];
  readonly lifecycle: readonly LifecycleEvent[];
  /** Lifecycle events after the month, up to the evidence time; absent when not read. */
  readonly afterMonth?: LifecycleAfterMonth;
  readonly coverage: readonly UsageCoverage[];
}

/** One named constant behind the request volumes (src/model/usage-assumptions.ts), as the report states it. */
export interface UsageAssumption {
  /** The constant's name in the code (`src/model/usage-assumptions.ts`). */
  readonly id: string;
  readonly value: string | number | boolean;
  /** True when AWS documents it; false when it is kms-report's reading, not yet confirmed. */
  readonly confirmed: boolean;
  readonly statement: string;
  /** The sources whose figures depend on it. */
  readonly sources: readonly UsageSource[];
}

/** Per account, region and CloudWatch resource: how much of CloudWatch's total the per-key counts explain. */
export interface ReconciliationRow {
  readonly account: string;
  readonly region: string;
  /** The CloudWatch `Resource` (`CryptographicOperationsSymmetric`, `GenerateDataKeyPair-RSA_2048`, `DescribeKey`, ...). */
  readonly resource: string;
  /** CloudWatch's total for the month. */
  readonly cloudWatch: number;
  /** Per-key CloudTrail requests this resource covers. */
  readonly perKey: number;
  /** The part of CloudWatch's total that per-key counts explain: `min(perKey, cloudWatch)`. */
  readonly attributed: number;
  /** The part no key explains: `cloudWatch - attributed`. */
  readonly unattributed: number;
  /** `attributed / cloudWatch` in percent, one decimal; null when CloudWatch counted nothing. */
  readonly attributedPercent: number | null;
  /**
   * For the `CryptographicOperations*` classes: per-key cryptographic requests of this account and
   * region on keys whose class is unknown, which could belong to any class (so `attributed` is a
   * lower bound). 0 for other resources.
   */
  readonly unknownClass: number;
}
