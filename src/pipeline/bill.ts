import { readBill } from '../bill/index.js';
import type { InventorySnapshot } from '../model/inventory.js';
import type { MonthCost } from '../model/pricing.js';
import type { BillReconciliation } from '../model/reconciliation.js';
import { reconcileBill } from '../reconcile/index.js';
import type { MonthWindow } from '../util/month.js';
import { demoBill } from './evidence/demo.js';
import type { MonthlyReportOptions } from './options.js';

/**
 * The month's bill read (`options.bill`) and put beside the estimate; null when no bill was asked
 * for. The bill is read for the report's accounts with the caller's credentials (an
 * organisation's report reads it per linked account). A bill that cannot be read is a
 * reconciliation whose gaps say why (its billed side unknown), not a failed report.
 */
export async function billReconciliation(
  options: MonthlyReportOptions,
  month: MonthWindow,
  snapshot: InventorySnapshot,
  cost: MonthCost,
): Promise<BillReconciliation | null> {
  const wanted = options.bill;
  const evidence = options.evidence;
  // The demo carries its own bill (a CUR 2.0 export read by the same reader), so it shows the
  // section; a bill asked for (`--demo --bill cost-explorer`) is read instead.
  if (evidence?.kind === 'demo' && !wanted) return reconcileBill(cost, await demoBill());
  if (!wanted) return null;
  const bill = await readBill(wanted.source, {
    month,
    accounts: snapshot.accounts,
    organization: snapshot.organization !== undefined || evidence?.kind === 'organization',
    clients: wanted.clients,
    profile: evidence && 'profile' in evidence ? evidence.profile : undefined,
    network: options.network,
    now: options.now,
    signal: options.signal,
    ...(wanted.cur ? { cur: wanted.cur } : {}),
    ...(wanted.curAthena ? { curAthena: wanted.curAthena } : {}),
  });
  return reconcileBill(cost, bill, {
    driftThresholdPercent: wanted.driftThresholdPercent,
    flagEstimatedBill: wanted.flagEstimatedBill,
  });
}
