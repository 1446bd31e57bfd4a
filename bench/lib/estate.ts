/**
 * Synthetic evidence for the end-to-end benchmark: the demo account's inventory and October usage
 * replicated to about `keys` keys, each copy with its own key ids, in one of four accounts and
 * one of two region pairs, and a request count on every key.
 */
import { DEMO_ACCOUNT, DEMO_MONTH, demoSnapshot, demoUsageEvidence } from '../../src/demo/sample.js';
import type { Gap, InventorySnapshot, KeyRecord, RegionCoverage } from '../../src/model/inventory.js';
import { collectedValue } from '../../src/model/observed.js';
import type {
  AccountUsageTotal,
  KeylessRequestCount,
  LifecycleEvent,
  RequestCount,
  UsageCoverage,
} from '../../src/model/usage.js';
import { writeSnapshot } from '../../src/snapshot.js';
import type { KeyClass } from '../../src/usage/events.js';
import { type UsageEvidence, writeUsageEvidence } from '../../src/usage/evidence.js';
import { keyClassOfSpec, reconcileUsage } from '../../src/usage/reconcile.js';

export const ESTATE_MONTH = DEMO_MONTH;
/** When the job "runs": the demo's own date (the 1st of the next month). */
export const ESTATE_NOW = '2026-11-01T02:05:00.000Z';

const ACCOUNTS = [DEMO_ACCOUNT, '210987654321', '333344445555', '777788889999'];
/** The demo's two regions, and what they become in odd copies (unlisted regions: default prices). */
const REGION_PAIRS = [
  ['us-east-1', 'eu-west-1'],
  ['us-west-2', 'eu-central-1'],
] as const;

const suffix = (c: number) => c.toString(16).padStart(6, '0');

/** The operation a key's requests are made with, by its usage. */
function operationFor(key: KeyRecord): string {
  const meta = collectedValue(key.metadata);
  if (meta?.keyUsage === 'SIGN_VERIFY') return 'Sign';
  if (meta?.keyUsage === 'GENERATE_VERIFY_MAC') return 'GenerateMac';
  return 'Decrypt';
}

export interface Estate {
  readonly snapshot: InventorySnapshot;
  readonly usage: UsageEvidence;
}

/** The demo replicated to about `keys` keys (a whole number of copies of its 23 keys). */
export function syntheticEstate(keys: number): Estate {
  const snapshot = demoSnapshot();
  const evidence = demoUsageEvidence();
  const ids = snapshot.keys.map((k) => k.keyId.slice(-36));
  const perCopy = JSON.stringify({
    keys: snapshot.keys,
    gaps: snapshot.gaps,
    requests: evidence.usage.requests,
    lifecycle: evidence.usage.lifecycle,
  });
  // Every key id (the lifecycle's deleted key too), the account and the regions, in one pass.
  const lifecycleIds = evidence.usage.lifecycle.map((e) => e.keyArn.slice(-36));
  const allIds = [...new Set([...ids, ...lifecycleIds])];
  const pattern = new RegExp(`${[...allIds, DEMO_ACCOUNT, 'us-east-1', 'eu-west-1'].join('|')}`, 'g');
  const copies = Math.max(1, Math.round(keys / snapshot.keys.length));
  const outKeys: KeyRecord[] = [];
  const gaps: Gap[] = [];
  const requests: RequestCount[] = [];
  const lifecycle: LifecycleEvent[] = [];
  for (let c = 0; c < copies; c++) {
    const account = ACCOUNTS[c % ACCOUNTS.length] as string;
    const [r0, r1] = REGION_PAIRS[Math.floor(c / ACCOUNTS.length) % REGION_PAIRS.length] as readonly [
      string,
      string,
    ];
    const text =
      c === 0
        ? perCopy
        : perCopy.replace(pattern, (m) =>
            m === DEMO_ACCOUNT
              ? account
              : m === 'us-east-1'
                ? r0
                : m === 'eu-west-1'
                  ? r1
                  : `${m.slice(0, -6)}${suffix(c)}`,
          );
    const copy = JSON.parse(text) as {
      keys: KeyRecord[];
      gaps: Gap[];
      requests: RequestCount[];
      lifecycle: LifecycleEvent[];
    };
    const used = new Set(copy.requests.map((r) => r.keyArn));
    for (const k of copy.keys) {
      outKeys.push(k);
      // Requests on every key: those the demo has none for get some.
      if (!used.has(k.arn))
        copy.requests.push({
          account: k.account,
          region: k.region,
          keyArn: k.arn,
          operation: operationFor(k),
          keyPairSpec: null,
          count: 1000 + (c % 97) * 10,
          failedCount: 0,
          source: 'sample',
        });
    }
    for (const g of copy.gaps) gaps.push(g);
    for (const r of copy.requests) requests.push(r);
    for (const e of copy.lifecycle) lifecycle.push(e);
  }

  const regionKeys = new Map<string, { account: string; region: string; keys: number }>();
  for (const k of outKeys) {
    const id = `${k.account} ${k.region}`;
    const entry = regionKeys.get(id) ?? { account: k.account, region: k.region, keys: 0 };
    entry.keys++;
    regionKeys.set(id, entry);
  }
  const partial = new Set(gaps.map((g) => `${g.account} ${g.region}`));
  const regions: RegionCoverage[] = [...regionKeys.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, r]) => ({
      account: r.account,
      region: r.region,
      status: partial.has(id) ? 'partial' : 'complete',
      keysListed: r.keys,
    }));
  const accounts = ACCOUNTS.slice(0, Math.min(copies, ACCOUNTS.length)).sort();

  const keyClasses: Record<string, KeyClass> = {};
  for (const k of outKeys) {
    const cls = keyClassOfSpec(collectedValue(k.metadata)?.keySpec);
    if (cls) keyClasses[k.arn] = cls;
  }
  // CloudWatch's totals: each account and region's per-key counts, with 1% more unattributed.
  const totals = new Map<string, AccountUsageTotal>();
  for (const r of requests) {
    const cls = keyClasses[r.keyArn];
    if (!cls || r.operation.startsWith('GenerateDataKeyPair') || r.operation === 'GetPublicKey') continue;
    const resource =
      cls === 'rsa'
        ? 'CryptographicOperationsRsa'
        : cls === 'ecc'
          ? 'CryptographicOperationsEcc'
          : 'CryptographicOperationsSymmetric';
    if (!ACCOUNTS.includes(r.account)) continue;
    const id = `${r.account} ${r.region} ${resource}`;
    const t = totals.get(id) ?? {
      account: r.account,
      region: r.region,
      resource,
      count: 0,
      source: 'sample',
    };
    totals.set(id, { ...t, count: t.count + r.count + r.failedCount });
  }
  const accountTotals = [...totals.values()].map((t) => ({ ...t, count: Math.round(t.count * 1.01) }));
  const keylessRequests: KeylessRequestCount[] = [];
  const coverage: UsageCoverage[] = [];
  for (const { account, region } of regions) {
    keylessRequests.push({
      account,
      region,
      operation: 'ListKeys',
      count: 5000,
      failedCount: 0,
      source: 'sample',
    });
    coverage.push({
      account,
      region,
      source: 'sample',
      status: 'complete',
      detail: 'bench: per-key counts as CloudTrail would give them',
    });
  }
  const usage = {
    ...evidence.usage,
    requests,
    keylessRequests,
    accountTotals,
    lifecycle,
    coverage,
  };
  return {
    snapshot: { ...snapshot, accounts, regions, keys: outKeys, gaps },
    usage: {
      ...evidence,
      accounts,
      regions: [...new Set(regions.map((r) => r.region))].sort(),
      usage,
      keyClasses,
      reconciliation: reconcileUsage(usage, keyClasses),
    },
  };
}

/** Writes the estate's snapshot and usage evidence files (as `kms-report collect`/`usage` would). */
export async function writeEstate(
  keys: number,
  snapshotFile: string,
  usageFile: string,
): Promise<{ keys: number; requests: number }> {
  const estate = syntheticEstate(keys);
  await writeSnapshot(snapshotFile, estate.snapshot);
  await writeUsageEvidence(usageFile, estate.usage);
  return { keys: estate.snapshot.keys.length, requests: estate.usage.usage.requests.length };
}
