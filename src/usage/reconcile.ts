import type { InventorySnapshot } from '../model/inventory.js';
import { CRYPTOGRAPHIC_OPERATIONS } from '../model/kms.js';
import type {
  AccountUsageTotal,
  MonthUsage,
  ReconciliationRow,
  RequestCount,
  UsageCoverage,
} from '../model/usage.js';
import {
  CLOUDWATCH_COUNTS_FAILED_CALLS,
  PAIR_OPERATIONS_IN_CLASS_TOTALS,
} from '../model/usage-assumptions.js';
import { compareBy, compositeKey } from '../util/compare.js';
import { DATA_KEY_PAIR_OPERATIONS, type KeyClass } from './events.js';

/**
 * The operations CloudWatch counts in the `CryptographicOperations*` classes (GetPublicKey is
 * listed with them on the pricing page). Data key pair operations are counted under their own
 * `GenerateDataKeyPair-<spec>` resources instead ({@link PAIR_OPERATIONS_IN_CLASS_TOTALS}).
 */
export const CLASS_OPERATIONS: ReadonlySet<string> = new Set(
  [...CRYPTOGRAPHIC_OPERATIONS].filter((op) => !DATA_KEY_PAIR_OPERATIONS.has(op)),
);

export { CLOUDWATCH_COUNTS_FAILED_CALLS, PAIR_OPERATIONS_IN_CLASS_TOTALS };

/** The CloudWatch class each key class's cryptographic operations are counted in. */
const CLASS_RESOURCE: Record<KeyClass, string | null> = {
  symmetric: 'CryptographicOperationsSymmetric',
  hmac: 'CryptographicOperationsSymmetric',
  rsa: 'CryptographicOperationsRsa',
  ecc: 'CryptographicOperationsEcc',
  sm2: 'CryptographicOperationsEcc',
  'ml-dsa': null,
};
const CLASS_RESOURCES = new Set([
  'CryptographicOperationsSymmetric',
  'CryptographicOperationsRsa',
  'CryptographicOperationsEcc',
]);

/** One CloudWatch resource of one account and region, compared with the per-key counts it covers. */
export type { ReconciliationRow } from '../model/usage.js';

/** The key class of a KMS key spec (`SYMMETRIC_DEFAULT`, `RSA_2048`, `HMAC_256`, ...), or null. */
export function keyClassOfSpec(spec: string | null | undefined): KeyClass | null {
  if (!spec) return null;
  if (spec === 'SYMMETRIC_DEFAULT') return 'symmetric';
  if (spec.startsWith('HMAC_')) return 'hmac';
  if (spec.startsWith('RSA_')) return 'rsa';
  if (spec.startsWith('ECC_')) return 'ecc';
  if (spec === 'SM2') return 'sm2';
  if (spec.startsWith('ML_DSA')) return 'ml-dsa';
  return null;
}

/** Key classes from an inventory snapshot's described keys, by ARN. */
export function keyClassesFromSnapshot(snapshot: Pick<InventorySnapshot, 'keys'>): Record<string, KeyClass> {
  const out: Record<string, KeyClass> = {};
  for (const key of snapshot.keys) {
    if (key.metadata.status !== 'collected') continue;
    const c = keyClassOfSpec(key.metadata.value.keySpec);
    if (c) out[key.arn] = c;
  }
  return out;
}

function covers(resource: string, classOf: KeyClass | null, rc: RequestCount): boolean {
  if (CLASS_RESOURCES.has(resource)) {
    if (!CLASS_OPERATIONS.has(rc.operation))
      return (
        PAIR_OPERATIONS_IN_CLASS_TOTALS &&
        DATA_KEY_PAIR_OPERATIONS.has(rc.operation) &&
        resource === CLASS_RESOURCE.symmetric
      );
    return classOf !== null && CLASS_RESOURCE[classOf] === resource;
  }
  const pair = /^GenerateDataKeyPair-(.+)$/.exec(resource);
  if (pair) return DATA_KEY_PAIR_OPERATIONS.has(rc.operation) && rc.keyPairSpec === pair[1];
  return rc.operation === resource;
}

/**
 * Compares per-key CloudTrail counts with CloudWatch's account totals, per account, region and
 * CloudWatch resource: how much of each total the key-by-key counts explain (attributed), how
 * much they do not (unattributed) and the percentage. Pure: give it a month's usage and a way to
 * know each key's class (from the requests themselves, see `evidence.keyClasses` of
 * `collectMonthUsage`'s result, and/or the inventory with {@link keyClassesFromSnapshot}).
 *
 * Rows are made for every CloudWatch total, and for each `CryptographicOperations*` class that
 * per-key counts fall in where CloudWatch was read but counted nothing.
 *
 * @example
 * ```ts
 * const rows = reconcileUsage(usage, { ...keyClassesFromSnapshot(snapshot), ...keyClasses });
 * for (const r of rows) console.log(`${r.region} ${r.resource}: ${r.attributedPercent}% attributed`);
 * ```
 */
export function reconcileUsage(
  usage: Pick<MonthUsage, 'requests' | 'accountTotals' | 'keylessRequests'> & {
    readonly coverage?: readonly UsageCoverage[];
  },
  keyClasses: Readonly<Record<string, KeyClass>> | ((keyArn: string) => KeyClass | null) = {},
): ReconciliationRow[] {
  const classOf = typeof keyClasses === 'function' ? keyClasses : (arn: string) => keyClasses[arn] ?? null;
  const { totals, places } = cloudWatchTotals(usage);
  const requestsAt = requestsByPlace(usage.requests, places);
  addClassTotalsNotCounted(totals, requestsAt, classOf);
  return [...totals.values()]
    .map((t) =>
      reconciliationRow(
        t,
        requestsAt.get(compositeKey(t.account, t.region)) ?? [],
        usage.keylessRequests ?? [],
        classOf,
      ),
    )
    .sort(compareBy(...ROW_ORDER));
}

const ROW_ORDER = [
  (r: ReconciliationRow) => r.account,
  (r: ReconciliationRow) => r.region,
  (r: ReconciliationRow) => r.resource,
];

/** The calls CloudWatch counts for a per-key count: failed ones too ({@link CLOUDWATCH_COUNTS_FAILED_CALLS}). */
const calls = (rc: Pick<RequestCount, 'count' | 'failedCount'>) =>
  rc.count + (CLOUDWATCH_COUNTS_FAILED_CALLS ? rc.failedCount : 0);

/**
 * CloudWatch's totals per account, region and resource (the same one twice is added up), and
 * the places (account, region) CloudWatch was read: those with a total, or with CloudWatch
 * coverage that read something.
 */
function cloudWatchTotals(usage: Parameters<typeof reconcileUsage>[0]): {
  totals: Map<string, AccountUsageTotal>;
  places: Set<string>;
} {
  const totals = new Map<string, AccountUsageTotal>();
  const places = new Set<string>();
  for (const t of usage.accountTotals) {
    places.add(compositeKey(t.account, t.region));
    const id = compositeKey(t.account, t.region, t.resource);
    const prev = totals.get(id);
    totals.set(id, prev ? { ...prev, count: prev.count + t.count } : t);
  }
  for (const c of usage.coverage ?? [])
    if (c.source === 'cloudwatch' && (c.status === 'complete' || c.status === 'partial'))
      places.add(compositeKey(c.account, c.region));
  return { totals, places };
}

/** The per-key counts of the places CloudWatch was read, by place. */
function requestsByPlace(
  requests: readonly RequestCount[],
  places: ReadonlySet<string>,
): Map<string, RequestCount[]> {
  const requestsAt = new Map<string, RequestCount[]>();
  for (const rc of requests) {
    const p = compositeKey(rc.account, rc.region);
    if (!places.has(p)) continue;
    const list = requestsAt.get(p) ?? [];
    list.push(rc);
    requestsAt.set(p, list);
  }
  return requestsAt;
}

/** A zero total for each class that per-key counts fall in where CloudWatch counted nothing. */
function addClassTotalsNotCounted(
  totals: Map<string, AccountUsageTotal>,
  requestsAt: ReadonlyMap<string, readonly RequestCount[]>,
  classOf: (keyArn: string) => KeyClass | null,
): void {
  for (const list of requestsAt.values()) {
    for (const rc of list) {
      const c = classOf(rc.keyArn);
      const resource = c ? CLASS_RESOURCE[c] : null;
      if (!resource || !CLASS_OPERATIONS.has(rc.operation)) continue;
      const id = compositeKey(rc.account, rc.region, resource);
      if (!totals.has(id))
        totals.set(id, { account: rc.account, region: rc.region, resource, count: 0, source: 'cloudwatch' });
    }
  }
}

/** One CloudWatch total against the per-key (and keyless) counts of its place that it covers. */
function reconciliationRow(
  t: AccountUsageTotal,
  here: readonly RequestCount[],
  keyless: NonNullable<MonthUsage['keylessRequests']>,
  classOf: (keyArn: string) => KeyClass | null,
): ReconciliationRow {
  let perKey = 0;
  let unknownClass = 0;
  for (const rc of here) {
    const c = classOf(rc.keyArn);
    if (CLASS_RESOURCES.has(t.resource) && c === null && CLASS_OPERATIONS.has(rc.operation))
      unknownClass += calls(rc);
    else if (covers(t.resource, c, rc)) perKey += calls(rc);
  }
  // Requests that name no key: under their API name, GenerateRandom among the symmetric operations.
  for (const k of keyless) {
    if (k.account !== t.account || k.region !== t.region) continue;
    const covered = CLASS_RESOURCES.has(t.resource)
      ? t.resource === CLASS_RESOURCE.symmetric && CLASS_OPERATIONS.has(k.operation)
      : k.operation === t.resource;
    if (covered) perKey += calls(k);
  }
  const attributed = Math.min(perKey, t.count);
  return {
    account: t.account,
    region: t.region,
    resource: t.resource,
    cloudWatch: t.count,
    perKey,
    attributed,
    unattributed: t.count - attributed,
    attributedPercent: t.count > 0 ? Math.round((attributed / t.count) * 1000) / 10 : null,
    unknownClass,
  };
}
