import type { Gap, InventorySnapshot } from '../../model/inventory.js';
import type { CostLine } from '../../model/pricing.js';
import { compareBy, compositeKey } from '../../util/compare.js';
import { baseLine } from './produced.js';

function unlistedLine(account: string, region: string, why: string): CostLine {
  return baseLine({
    kind: 'unlisted-keys',
    account,
    region,
    keyArn: null,
    description: region === '*' ? 'Keys of the account (not read)' : 'Keys of the region (not listed)',
    unit: 'key-month',
    priceUnit: 'key-month',
    unknownReason: `keys of ${region === '*' ? account : `${account}/${region}`} not listed: ${why}; their fees and requests are unknown`,
  });
}

/**
 * The keys the inventory never listed, one unknown `unlisted-keys` line per gap: a region whose
 * ListKeys failed (or was cut by the deadline, or whose credentials stopped working), and an
 * account that could not be entered at all (AssumeRole refused, regions not listable). Without
 * these lines such a region simply has no keys, and the month would read as a complete figure.
 * A region whose keys were all listed but some not described (`partial`) needs none: each of
 * those keys is in the inventory, with its own unknown lines.
 */
export function unlistedKeyLines(snapshot: InventorySnapshot): CostLine[] {
  const lines = new Map<string, CostLine>();
  const unlisted = (account: string, region: string, why: string) => {
    const id = compositeKey(account, region);
    if (!lines.has(id)) lines.set(id, unlistedLine(account, region, why));
  };
  const why = (g: Gap | undefined, fallback: string) =>
    g ? `${g.errorCode}${g.operation ? ` (${g.operation})` : ''}` : fallback;
  const regionGap = (account: string, region: string) =>
    snapshot.gaps.find(
      (g) => g.scope === 'region' && g.field === null && g.account === account && g.region === region,
    );
  const accountGap = (account: string) =>
    snapshot.gaps.find((g) => g.scope === 'account' && g.account === account);
  for (const r of snapshot.regions)
    if (r.status === 'failed')
      unlisted(
        r.account,
        r.region,
        why(regionGap(r.account, r.region) ?? accountGap(r.account), 'the region could not be read'),
      );
  // A ListKeys gap whose region the coverage does not mark failed (an edited or older snapshot).
  for (const g of snapshot.gaps)
    if (g.scope === 'region' && g.operation === 'ListKeys' && g.field === null && g.account && g.region)
      unlisted(g.account, g.region, why(g, ''));
  // An account not entered: its regions named failed above, or (all regions) one line for the account.
  const failedAccounts = new Set<string>();
  for (const g of snapshot.gaps) if (g.scope === 'account' && g.account) failedAccounts.add(g.account);
  for (const a of snapshot.organization?.accounts ?? []) if (a.status === 'failed') failedAccounts.add(a.id);
  for (const account of failedAccounts) {
    if ([...lines.values()].some((l) => l.account === account)) continue;
    unlisted(account, '*', why(accountGap(account), 'the account could not be read'));
  }
  return [...lines.values()].sort(
    compareBy(
      (l) => l.account,
      (l) => l.region,
    ),
  );
}
