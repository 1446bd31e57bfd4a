import type { CostLine, CostTotal, MonthCost } from '../../model/pricing.js';
import { compareBy, compositeKey } from '../../util/compare.js';
import { sumTotals, totalOf } from '../money.js';

/** The month's totals, from all its lines. */
export type MonthTotals = Pick<
  MonthCost,
  'subtotals' | 'byBilledAccount' | 'total' | 'billedToOtherAccounts'
>;

/**
 * The month's totals: a subtotal per billed account and region, a total per billed account
 * (every inventory account listed, with or without lines), and one figure (see
 * `MonthCost.total`) for the accounts the inventory covers; lines billed to other accounts (the
 * requests they made on these keys) are summed apart.
 */
export function monthTotals(lines: readonly CostLine[], inventoryAccounts: readonly string[]): MonthTotals {
  const inTotal = new Set(inventoryAccounts);
  const byRegion = new Map<string, { account: string; region: string; lines: CostLine[] }>();
  for (const l of lines) {
    const id = compositeKey(l.account, l.region);
    const group = byRegion.get(id);
    if (group) group.lines.push(l);
    else byRegion.set(id, { account: l.account, region: l.region, lines: [l] });
  }
  const subtotals = [...byRegion.values()]
    .map(({ account, region, lines: regionLines }) => ({ account, region, total: totalOf(regionLines) }))
    .sort(
      compareBy(
        (s) => s.account,
        (s) => s.region,
      ),
    );
  const perAccount = new Map<string, CostTotal[]>(inventoryAccounts.map((a) => [a, []]));
  for (const s of subtotals) {
    const list = perAccount.get(s.account);
    if (list) list.push(s.total);
    else perAccount.set(s.account, [s.total]);
  }
  const byBilledAccount = [...perAccount.entries()]
    .map(([account, totals]) => ({ account, inTotal: inTotal.has(account), total: sumTotals(totals) }))
    .sort(compareBy((a) => a.account));
  const sumOf = (included: boolean) =>
    sumTotals(byBilledAccount.filter((a) => a.inTotal === included).map((a) => a.total));
  return { subtotals, byBilledAccount, total: sumOf(true), billedToOtherAccounts: sumOf(false) };
}
