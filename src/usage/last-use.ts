import type { InventorySnapshot, LastUsage } from '../model/inventory.js';
import type { Observed } from '../model/observed.js';
import type { MonthUsage } from '../model/usage.js';
import { compareText, compositeKey } from '../util/compare.js';

/** A key with no request in the month's per-key counts, and what GetKeyLastUsage said of it. */
export interface IdleKeyEvidence {
  readonly account: string;
  readonly region: string;
  readonly keyArn: string;
  /** From the inventory (GetKeyLastUsage, 5 requests/s, collected with the inventory). */
  readonly lastUsage: Observed<LastUsage>;
  /** Whether a per-key source read the key's region completely, so "no events" means none. */
  readonly monthFullyRead: boolean;
}

/**
 * The usage evidence for keys with no events: every inventory key on which the month's per-key
 * counts (CloudTrail) show no request, with its last use as GetKeyLastUsage reported it. AWS
 * advises against deleting a key on this evidence alone.
 *
 * @example
 * ```ts
 * for (const k of idleKeysLastUse(snapshot, usage))
 *   console.log(k.keyArn, k.lastUsage.status === 'collected' ? k.lastUsage.value.timestamp : k.lastUsage.status);
 * ```
 */
export function idleKeysLastUse(
  snapshot: Pick<InventorySnapshot, 'keys'>,
  usage: MonthUsage,
): IdleKeyEvidence[] {
  const used = new Set(usage.requests.filter((r) => r.count + r.failedCount > 0).map((r) => r.keyArn));
  const complete = new Set(
    usage.coverage
      .filter(
        (c) => (c.source === 'cloudtrail-lookup' || c.source === 'cloudtrail-s3') && c.status === 'complete',
      )
      .map((c) => compositeKey(c.account, c.region)),
  );
  return snapshot.keys
    .filter((k) => !used.has(k.arn))
    .map((k) => ({
      account: k.account,
      region: k.region,
      keyArn: k.arn,
      lastUsage: k.lastUsage,
      monthFullyRead: complete.has(compositeKey(k.account, k.region)),
    }))
    .sort((a, b) => compareText(a.keyArn, b.keyArn));
}
