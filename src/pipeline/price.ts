import type { InventorySnapshot } from '../model/inventory.js';
import type { MonthCost } from '../model/pricing.js';
import { priceMonth } from '../pricing/engine.js';
import { loadPricingTables, readPricingTable } from '../pricing/load.js';
import type { PricingTable } from '../pricing/table.js';
import type { Month } from '../util/month.js';
import type { Evidence } from './evidence/source.js';
import type { PricingOptions } from './options.js';

/** The pricing tables: one file (`.json`), a folder of them, or the ones shipped with kms-report. */
export async function loadTables(tables: string | undefined): Promise<PricingTable[]> {
  if (tables?.endsWith('.json')) return [await readPricingTable(tables)];
  return loadPricingTables(tables);
}

/** The month's cost of the inventory as of the month, from the evidence's usage. */
export function priceEvidence(
  month: Month,
  snapshot: InventorySnapshot,
  evidence: Evidence,
  tables: PricingTable[],
  pricing: PricingOptions = {},
): MonthCost {
  return priceMonth({
    month,
    snapshot,
    usage: evidence.usage ?? undefined,
    tables,
    options: {
      freeTierScope: pricing.freeTierScope ?? evidence.freeTierScope,
      // A month to date is priced up to the evidence time (when the inventory was taken).
      asOf: month.monthToDate ? snapshot.collection.finishedAt : undefined,
    },
  });
}
