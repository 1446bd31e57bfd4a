import {
  type KeyMetadata as AwsKeyMetadata,
  DescribeKeyCommand,
  GetKeyLastUsageCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  type KMSClient,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import pLimit from 'p-limit';
import { InterruptedError } from '../errors.js';
import type {
  Gap,
  KeyMetadata,
  KeyRecord,
  LastUsage,
  RegionCoverage,
  Rotation,
  RotationStatus,
  Tag,
} from '../model/inventory.js';
import { rotationEligibility } from '../model/kms.js';
import { collected, failed, notApplicable, type Observed, skipped } from '../model/observed.js';
import { type Clock, systemClock } from '../util/clock.js';
import { compareText } from '../util/compare.js';
import { whenAborted } from '../util/deadline.js';
import { RateLimiter } from '../util/rate-limiter.js';
import { type ClassifiedError, classifyAwsError, RegionCredentialsFailure } from './aws-errors.js';
import {
  DEFAULT_KEY_CONCURRENCY,
  DEFAULT_QUOTA_SHARE,
  type KmsReadApi,
  PAGE_SIZE,
  ratesFor,
} from './kms-limits.js';

export interface RegionProgress {
  readonly account: string;
  readonly region: string;
  readonly keysDone: number;
  readonly keysTotal: number;
}

export interface CollectKmsRegionOptions {
  readonly account: string;
  readonly region: string;
  /** Call GetKeyLastUsage for customer managed keys (5 requests/s per region). Default true. */
  readonly lastUsage?: boolean;
  /** Share of each KMS quota to use, in (0, 1]. Default {@link DEFAULT_QUOTA_SHARE}. */
  readonly quotaShare?: number;
  /** Keys worked on at once. Default {@link DEFAULT_KEY_CONCURRENCY}. */
  readonly concurrency?: number;
  readonly clock?: Clock;
  readonly onProgress?: (progress: RegionProgress) => void;
  /**
   * Stops the scan: no key is started after it is aborted, and the scan rejects with an
   * {@link InterruptedError} once the keys in flight are done (an inventory of part of a
   * region must not pass for the region).
   */
  readonly signal?: AbortSignal;
  /**
   * The run's deadline (see `startDeadline`): once it passes, no request is started, the
   * requests in flight are cut, and what was not read is a gap ("not read: the run's deadline
   * of 30m passed"): the region (not listed), a key (not described) or a field. The scan then
   * returns what it read, instead of rejecting as for {@link signal}.
   */
  readonly deadline?: AbortSignal;
}

/** Requests made per API, and how many extra attempts the SDK's retries needed (throttles met). */
export interface CallStats {
  readonly calls: Partial<Record<KmsReadApi, number>>;
  readonly retries: number;
}

export interface RegionInventory {
  readonly keys: KeyRecord[];
  readonly gaps: Gap[];
  readonly coverage: RegionCoverage;
  readonly stats: CallStats;
}

/** Region scans put together: their keys, gaps and coverage in order, and the calls they made. */
export function mergeRegionScans(scans: readonly RegionInventory[]): {
  keys: KeyRecord[];
  gaps: Gap[];
  coverage: RegionCoverage[];
  stats: CallStats;
} {
  const keys: KeyRecord[] = [];
  const gaps: Gap[] = [];
  const coverage: RegionCoverage[] = [];
  const calls: Partial<Record<KmsReadApi, number>> = {};
  let retries = 0;
  for (const r of scans) {
    keys.push(...r.keys);
    gaps.push(...r.gaps);
    coverage.push(r.coverage);
    for (const [api, n] of Object.entries(r.stats.calls) as [KmsReadApi, number | undefined][])
      calls[api] = (calls[api] ?? 0) + (n ?? 0);
    retries += r.stats.retries;
  }
  return { keys, gaps, coverage, stats: { calls, retries } };
}

/**
 * Lists every KMS key of one account in one region, with its metadata, aliases, tags,
 * rotation status and history, key policy and last use.
 *
 * Partial failure is data: a call that fails for one key marks that field `failed` and adds
 * a gap; a region that cannot be listed returns no keys, status `failed` and a gap. Calls
 * that cannot apply to a key are not made (see {@link applicability}).
 *
 * @example
 * ```ts
 * import { KMSClient } from '@aws-sdk/client-kms';
 * import { collectKmsRegion } from 'kms-report';
 *
 * const client = new KMSClient({ region: 'eu-west-1' });
 * const { keys, gaps } = await collectKmsRegion(client, { account: '123456789012', region: 'eu-west-1' });
 * ```
 */
export async function collectKmsRegion(
  client: KMSClient,
  options: CollectKmsRegionOptions,
): Promise<RegionInventory> {
  const { account, region } = options;
  const { send, stats } = regionSender(options);
  const classify = (error: unknown) => classifyAwsError(error, options.deadline);
  const gaps: Gap[] = [];
  const regionGap = (field: string | null, operation: string, e: ClassifiedError, message = e.message) =>
    gaps.push({
      scope: 'region',
      account,
      region,
      keyArn: null,
      field,
      operation,
      errorCode: e.code,
      message,
    });
  const stopIfAborted = () => {
    if (options.signal?.aborted)
      throw new InterruptedError(`stopped on request while reading the keys of ${account} in ${region}`);
  };
  stopIfAborted();

  // 1. The key list. Without it the region is a gap.
  let refs: { keyId: string; arn: string }[];
  try {
    refs = await listAllKeys(client, send);
  } catch (error) {
    const e = failureOf(classify, error);
    regionGap(
      null,
      'ListKeys',
      e,
      e.kind === 'region-unavailable'
        ? `region ${region} is not enabled for this account or refused the credentials (${e.message || e.code})`
        : e.message,
    );
    return { keys: [], gaps, coverage: { account, region, status: 'failed', keysListed: 0 }, stats: stats() };
  }

  // 2. Aliases: one listing per region, joined to keys by TargetKeyId.
  let aliasesOf: (keyId: string) => Observed<readonly string[]>;
  try {
    const byKey = await listAllAliases(client, send);
    aliasesOf = (keyId) => collected(byKey.get(keyId)?.toSorted() ?? []);
  } catch (error) {
    const e = failureOf(classify, error);
    regionGap('aliases', 'ListAliases', e);
    const failure = failed<readonly string[]>('ListAliases', e.code, e.message);
    aliasesOf = () => failure;
  }

  // 3. Each key, a bounded number at a time.
  const results = await collectKeys(client, { send, classify }, refs, aliasesOf, options);
  stopIfAborted();
  const keys: KeyRecord[] = [];
  for (const result of results) {
    if (!result) continue;
    if (result.record) keys.push(result.record);
    gaps.push(...result.gaps);
  }
  keys.sort((a, b) => compareText(a.arn, b.arn));
  const status = gaps.length === 0 ? 'complete' : 'partial';
  return { keys, gaps, coverage: { account, region, status, keysListed: refs.length }, stats: stats() };
}

/**
 * The classification of a failed call; credentials that are unusable are not a gap of this
 * region: they are thrown as a {@link RegionCredentialsFailure}.
 */
function failureOf(classify: (error: unknown) => ClassifiedError, error: unknown): ClassifiedError {
  const e = classify(error);
  if (e.kind === 'credentials') throw new RegionCredentialsFailure(e, { cause: error });
  return e;
}

/**
 * How a region's KMS requests are made: each paced to its API's rate, counted, cut by the
 * deadline. `stats` says how many were made and how many retries the SDK needed.
 */
function regionSender(options: CollectKmsRegionOptions): { send: Send; stats: () => CallStats } {
  const rates = ratesFor(options.quotaShare ?? DEFAULT_QUOTA_SHARE);
  const clock = options.clock ?? systemClock;
  const limiters = new Map<KmsReadApi, RateLimiter>();
  const calls: Partial<Record<KmsReadApi, number>> = {};
  let retries = 0;
  const { deadline } = options;
  const passed = deadline ? whenAborted(deadline) : null;
  const send: Send = async (api, call) => {
    let limiter = limiters.get(api);
    if (!limiter) {
      limiter = new RateLimiter(rates[api], Math.max(1, Math.floor(rates[api] / 10)), clock);
      limiters.set(api, limiter);
    }
    if (!deadline) await limiter.take();
    else if (!deadline.aborted) await Promise.race([limiter.take(), passed]);
    if (deadline?.aborted) throw deadline.reason;
    calls[api] = (calls[api] ?? 0) + 1;
    try {
      const response = await call(deadline ? { abortSignal: deadline } : undefined);
      retries += Math.max(0, (response.$metadata?.attempts ?? 1) - 1);
      return response;
    } catch (error) {
      const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
      retries += Math.max(0, attempts - 1);
      throw error;
    }
  };
  return { send, stats: () => ({ calls: { ...calls }, retries }) };
}

/** How a key's calls are made and their failures read. */
interface KeyCalls {
  readonly send: Send;
  readonly classify: (error: unknown) => ClassifiedError;
}

/** Collects the keys listed, `concurrency` at a time, saying the progress. Null: not begun (stopped). */
async function collectKeys(
  client: KMSClient,
  calls: KeyCalls,
  refs: readonly { keyId: string; arn: string }[],
  aliasesOf: (keyId: string) => Observed<readonly string[]>,
  options: CollectKmsRegionOptions,
): Promise<(KeyResult | null)[]> {
  const { account, region } = options;
  const limit = pLimit(options.concurrency ?? DEFAULT_KEY_CONCURRENCY);
  let done = 0;
  options.onProgress?.({ account, region, keysDone: 0, keysTotal: refs.length });
  return Promise.all(
    refs.map((ref) =>
      limit(async () => {
        // Aborted: this key is not begun; the scan rejects once the keys in flight are done.
        if (options.signal?.aborted) return null;
        // Past the deadline the key is still begun: its first call fails at once, and the key is
        // recorded as not described, with a gap, like any key DescribeKey could not read.
        const result = await collectKey(
          client,
          calls,
          { account, region, ...ref },
          aliasesOf(ref.keyId),
          options.lastUsage ?? true,
        );
        done += 1;
        options.onProgress?.({ account, region, keysDone: done, keysTotal: refs.length });
        return result;
      }),
    ),
  );
}

/** The options of one SDK call: the deadline's signal, which cuts the request in flight. */
type CallOptions = { abortSignal: AbortSignal } | undefined;

/** Makes one KMS request through the region's pacing and accounting. */
type Send = <T extends { $metadata?: { attempts?: number } }>(
  api: KmsReadApi,
  call: (options: CallOptions) => Promise<T>,
) => Promise<T>;

/** Reads every page of a Marker/Truncated listing; stops if the service repeats a marker. */
async function allPages<T>(fetch: (marker: string | undefined) => Promise<{ items: T[]; next?: string }>) {
  const items: T[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    items.push(...page.items);
    marker = page.next;
    if (marker !== undefined) {
      if (seen.has(marker)) throw new Error(`the service returned the pagination marker ${marker} twice`);
      seen.add(marker);
    }
  } while (marker !== undefined);
  return items;
}

const nextMarker = (r: { Truncated?: boolean; NextMarker?: string }) =>
  r.Truncated ? r.NextMarker : undefined;

async function listAllKeys(client: KMSClient, send: Send) {
  const entries = await allPages(async (Marker) => {
    const r = await send('ListKeys', (o) =>
      client.send(new ListKeysCommand({ Limit: PAGE_SIZE.ListKeys, Marker }), o),
    );
    return { items: r.Keys ?? [], next: nextMarker(r) };
  });
  const refs: { keyId: string; arn: string }[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (!entry.KeyId || !entry.KeyArn || seen.has(entry.KeyArn)) continue;
    seen.add(entry.KeyArn);
    refs.push({ keyId: entry.KeyId, arn: entry.KeyArn });
  }
  return refs;
}

async function listAllAliases(client: KMSClient, send: Send) {
  const entries = await allPages(async (Marker) => {
    const r = await send('ListAliases', (o) =>
      client.send(new ListAliasesCommand({ Limit: PAGE_SIZE.ListAliases, Marker }), o),
    );
    return { items: r.Aliases ?? [], next: nextMarker(r) };
  });
  const byKey = new Map<string, string[]>();
  for (const alias of entries) {
    if (!alias.TargetKeyId || !alias.AliasName) continue;
    const list = byKey.get(alias.TargetKeyId) ?? [];
    list.push(alias.AliasName);
    byKey.set(alias.TargetKeyId, list);
  }
  return byKey;
}

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);

/** DescribeKey's KeyMetadata, normalised to the model. */
export function toKeyMetadata(m: AwsKeyMetadata): KeyMetadata {
  const mr = m.MultiRegionConfiguration;
  return {
    creationDate: iso(m.CreationDate),
    description: m.Description ?? '',
    keyState: m.KeyState ?? 'Unknown',
    enabled: m.Enabled ?? false,
    keySpec: m.KeySpec ?? m.CustomerMasterKeySpec ?? 'Unknown',
    keyUsage: m.KeyUsage ?? 'Unknown',
    keyManager: m.KeyManager === 'AWS' ? 'AWS' : 'CUSTOMER',
    origin: m.Origin ?? 'Unknown',
    // The configuration is the evidence: DescribeKey may leave the MultiRegion flag out (moto
    // does); only an explicit false sets it aside. Without either, `multiRegionOf` reads the key id.
    multiRegion:
      mr && m.MultiRegion !== false
        ? {
            // The primary is the key whose ARN the configuration names as primary; this holds even
            // where an emulator's MultiRegionKeyType drifts (moto shares it between copies).
            role: (mr.PrimaryKey?.Arn ? mr.PrimaryKey.Arn !== m.Arn : mr.MultiRegionKeyType === 'REPLICA')
              ? 'REPLICA'
              : 'PRIMARY',
            primary: mr.PrimaryKey?.Arn
              ? { arn: mr.PrimaryKey.Arn, region: mr.PrimaryKey.Region ?? '' }
              : null,
            replicas: (mr.ReplicaKeys ?? [])
              .filter((r) => r.Arn)
              .map((r) => ({ arn: r.Arn as string, region: r.Region ?? '' })),
          }
        : null,
    deletionDate: iso(m.DeletionDate),
    pendingDeletionWindowInDays: m.PendingDeletionWindowInDays ?? null,
    customKeyStoreId: m.CustomKeyStoreId ?? null,
    cloudHsmClusterId: m.CloudHsmClusterId ?? null,
    currentKeyMaterialId: m.CurrentKeyMaterialId ?? null,
    expirationModel: m.ExpirationModel ?? null,
    validTo: iso(m.ValidTo),
  };
}

/** Which per-key calls apply to a key. A call that does not apply is not made. */
export function applicability(meta: KeyMetadata): {
  tags: string | null;
  rotation: string | null;
  rotations: string | null;
  lastUsage: string | null;
} {
  const cannotRotate = rotationEligibility(meta);
  const awsManaged = meta.keyManager === 'AWS';
  return {
    tags: awsManaged ? 'AWS managed keys cannot be tagged' : null,
    rotation: cannotRotate.automatic,
    rotations: cannotRotate.any ?? (awsManaged ? 'AWS managed keys carry no rotation fee' : null),
    lastUsage: awsManaged ? 'AWS managed keys carry no monthly fee' : null,
  };
}

interface KeyResult {
  readonly record: KeyRecord | null;
  readonly gaps: Gap[];
}

type KeyRef = { account: string; region: string; keyId: string; arn: string };

async function collectKey(
  client: KMSClient,
  calls: KeyCalls,
  ref: KeyRef,
  aliases: Observed<readonly string[]>,
  wantLastUsage: boolean,
): Promise<KeyResult> {
  const gaps: Gap[] = [];
  const described = await describeKey(client, calls, ref, gaps);
  if (described === 'gone') return { record: null, gaps };
  if ('failure' in described) {
    const unknown = skipped<never>('DescribeKey failed, so what applies to this key is unknown');
    return {
      record: {
        ...ref,
        metadata: described.failure,
        aliases,
        tags: unknown,
        rotation: unknown,
        rotations: unknown,
        policy: unknown,
        lastUsage: unknown,
      },
      gaps,
    };
  }
  const evidence = await keyEvidence(client, calls, ref, described.meta, wantLastUsage, gaps);
  return { record: { ...ref, metadata: collected(described.meta), aliases, ...evidence }, gaps };
}

/**
 * DescribeKey. A key deleted since it was listed is `gone` (a `key` gap says so); a key that
 * could not be described is its failure (a gap too): what applies to it is then unknown.
 */
async function describeKey(
  client: KMSClient,
  { send, classify }: KeyCalls,
  ref: KeyRef,
  gaps: Gap[],
): Promise<{ meta: KeyMetadata } | { failure: Observed<KeyMetadata> } | 'gone'> {
  try {
    const r = await send('DescribeKey', (o) => client.send(new DescribeKeyCommand({ KeyId: ref.arn }), o));
    if (!r.KeyMetadata)
      throw Object.assign(new Error('DescribeKey returned no KeyMetadata'), { name: 'EmptyResponse' });
    return { meta: toKeyMetadata(r.KeyMetadata) };
  } catch (error) {
    const e = failureOf(classify, error);
    const gone = e.kind === 'not-found';
    gaps.push({
      scope: 'key',
      account: ref.account,
      region: ref.region,
      keyArn: ref.arn,
      field: gone ? null : 'metadata',
      operation: 'DescribeKey',
      errorCode: e.code,
      // Deleted between ListKeys and DescribeKey: not in the inventory, but said.
      message: gone
        ? 'the key was listed by ListKeys but no longer exists (deleted during the scan)'
        : e.message,
    });
    return gone ? 'gone' : { failure: failed('DescribeKey', e.code, e.message) };
  }
}

type KeyEvidence = Pick<KeyRecord, 'tags' | 'rotation' | 'rotations' | 'policy' | 'lastUsage'>;

/** The evidence calls that apply to a described key, at once. A call that does not apply is not made. */
async function keyEvidence(
  client: KMSClient,
  calls: KeyCalls,
  ref: KeyRef,
  meta: KeyMetadata,
  wantLastUsage: boolean,
  gaps: Gap[],
): Promise<KeyEvidence> {
  const { send } = calls;
  const observe = observer(calls.classify, ref, gaps);
  const applies = applicability(meta);
  const KeyId = ref.arn;
  const [tags, rotation, rotations, policy, lastUsage] = await Promise.all([
    applies.tags
      ? notApplicable<readonly Tag[]>(applies.tags)
      : observe('tags', 'ListResourceTags', () => listTags(client, send, KeyId)),
    applies.rotation
      ? notApplicable<RotationStatus>(applies.rotation)
      : observe('rotation', 'GetKeyRotationStatus', () => rotationStatus(client, send, KeyId)),
    applies.rotations
      ? notApplicable<readonly Rotation[]>(applies.rotations)
      : observe('rotations', 'ListKeyRotations', () => listRotations(client, send, KeyId)),
    observe('policy', 'GetKeyPolicy', async () => {
      const r = await send('GetKeyPolicy', (o) =>
        client.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }), o),
      );
      if (r.Policy === undefined)
        throw Object.assign(new Error('GetKeyPolicy returned no policy'), { name: 'EmptyResponse' });
      return r.Policy;
    }),
    applies.lastUsage
      ? notApplicable<LastUsage>(applies.lastUsage)
      : !wantLastUsage
        ? skipped<LastUsage>('last-use collection was turned off (--no-last-usage)')
        : observe('lastUsage', 'GetKeyLastUsage', () => lastUse(client, send, KeyId)),
  ]);
  return { tags, rotation, rotations, policy, lastUsage };
}

/** One evidence call: success, not applicable (unsupported / invalid state) or failed (a gap). */
function observer(classify: (error: unknown) => ClassifiedError, ref: KeyRef, gaps: Gap[]) {
  return async <T>(field: string, operation: string, read: () => Promise<T>): Promise<Observed<T>> => {
    try {
      return collected(await read());
    } catch (error) {
      const e = failureOf(classify, error);
      if (e.kind === 'unsupported')
        return notApplicable(`${operation} is not supported for this key (${e.code})`);
      // KMSInvalidStateException (a key being imported, unavailable, ...) is a gap too: the
      // evidence exists but could not be read now, and the checks that need it must say so.
      gaps.push({
        scope: 'field',
        account: ref.account,
        region: ref.region,
        keyArn: ref.arn,
        field,
        operation,
        errorCode: e.code,
        message: e.message,
      });
      return failed(operation, e.code, e.message);
    }
  };
}

async function listTags(client: KMSClient, send: Send, KeyId: string): Promise<readonly Tag[]> {
  const list = await allPages(async (Marker) => {
    const r = await send('ListResourceTags', (o) =>
      client.send(new ListResourceTagsCommand({ KeyId, Limit: PAGE_SIZE.ListResourceTags, Marker }), o),
    );
    const items = (r.Tags ?? []).map((t) => ({ key: t.TagKey ?? '', value: t.TagValue ?? '' }));
    return { items, next: nextMarker(r) };
  });
  return list.toSorted((a, b) => compareText(a.key, b.key));
}

async function rotationStatus(client: KMSClient, send: Send, KeyId: string): Promise<RotationStatus> {
  const r = await send('GetKeyRotationStatus', (o) =>
    client.send(new GetKeyRotationStatusCommand({ KeyId }), o),
  );
  return {
    enabled: r.KeyRotationEnabled ?? false,
    periodInDays: r.RotationPeriodInDays ?? null,
    nextRotationDate: iso(r.NextRotationDate),
    onDemandRotationStartDate: iso(r.OnDemandRotationStartDate),
  };
}

async function listRotations(client: KMSClient, send: Send, KeyId: string): Promise<readonly Rotation[]> {
  const list = await allPages(async (Marker) => {
    const r = await send('ListKeyRotations', (o) =>
      client.send(new ListKeyRotationsCommand({ KeyId, Limit: PAGE_SIZE.ListKeyRotations, Marker }), o),
    );
    const items = (r.Rotations ?? [])
      .filter((x) => x.RotationDate)
      .map((x) => ({ date: (x.RotationDate as Date).toISOString(), type: x.RotationType ?? 'UNKNOWN' }));
    return { items, next: nextMarker(r) };
  });
  return list.toSorted((a, b) => compareText(a.date, b.date));
}

async function lastUse(client: KMSClient, send: Send, KeyId: string): Promise<LastUsage> {
  const r = await send('GetKeyLastUsage', (o) => client.send(new GetKeyLastUsageCommand({ KeyId }), o));
  return {
    operation: r.KeyLastUsage?.Operation ?? null,
    timestamp: iso(r.KeyLastUsage?.Timestamp),
    trackingStartDate: iso(r.TrackingStartDate),
    cloudTrailEventId: r.KeyLastUsage?.CloudTrailEventId ?? null,
  };
}
