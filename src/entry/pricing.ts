/**
 * `kms-report/pricing`: the parts of the pricing stage. Pricing tables as data (read, validate,
 * select the one in force, refresh from the AWS Price List), money as exact decimal strings, a
 * key's billed hours, how a request is classified into a price tier, and the assumptions every
 * priced month states.
 *
 * `priceMonth` and `loadPricingTables` are in the root.
 *
 * @example Read a table, select the one in force for a month, and add amounts
 * ```ts
 * import { loadPricingTables } from 'kms-report';
 * import { formatTotal, selectTable, sumMoney } from 'kms-report/pricing';
 *
 * const table = selectTable(await loadPricingTables(), '2026-10');
 * console.log(table.version, sumMoney(['1.00', '0.03']), formatTotal(cost.total));
 * ```
 *
 * @packageDocumentation
 */

// Types the signatures above use (the root exports them too; PricingTable and RegionPrices are
// inferred from the schemas).
export { type ParsedTable, pricingTableSchema, regionPricesSchema } from '../index.js';
export * from './model.js';
