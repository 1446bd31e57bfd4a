import type { InventorySnapshot } from '../model/inventory.js';
import type { Money, MonthCost } from '../model/pricing.js';
import { priceMonth } from '../pricing/engine.js';
import { loadPricingTables, readPricingTable } from '../pricing/load.js';
import { resolveRegionPrices } from '../pricing/region-prices.js';
import { type PricingTable, selectTable } from '../pricing/table.js';
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

/**
 * The ECC GenerateDataKeyPair price per 10,000 requests in each region the month billed, from the
 * table that priced it: what the ECC recommendation compares RSA pairs with. A region the table
 * cannot price is left out (that saving is then unknown).
 */
export function eccPairPrices(month: Month, cost: MonthCost, tables: PricingTable[]): Record<string, Money> {
  const table = selectTable(tables, month);
  const prices: Record<string, Money> = {};
  for (const { region } of cost.subtotals) {
    const resolved = resolveRegionPrices(table, region);
    if (resolved.prices)
      prices[region] = resolved.prices.requestsPer10k['KMS-Requests-GenerateDatakeyPair-ECC'];
  }
  return prices;
}
