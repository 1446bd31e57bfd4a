/**
 * `kms-report/pricing`: the parts of the pricing stage. Pricing tables as data (read, validate,
 * select the one in force, refresh from the AWS Price List), money as exact decimal strings, a
 * key's billed hours, how a request is classified into a price tier, and the assumptions every
 * priced month states.
 *
 * `priceMonth` and `loadPricingTables` are in the root.
 *
 * @example Select the table in force for a month, and add amounts
 * ```ts
 * import { loadPricingTables, monthOf } from 'kms-report';
 * import { formatTotal, selectTable, sumMoney } from 'kms-report/pricing';
 *
 * const table = selectTable(await loadPricingTables(), monthOf('2026-10'));
 * console.log(table.version, sumMoney(['1.00', '0.03']), formatTotal(cost.total));
 * ```
 *
 * @packageDocumentation
 */

// Types its signatures use, the root's model among them (the root exports them too;
// PricingTable and RegionPrices are inferred from the schemas).
export { type ParsedTable, pricingTableSchema, regionPricesSchema } from '../index.js';
export { accountLevelLines } from '../model/pricing.js';
export {
  AMOUNT_SCALE,
  ASSUMPTION_STATEMENTS,
  type AssumptionId,
  type Classification,
  classifyRequest,
  DEFAULT_PRICING_DIR,
  dataKeyPairTier,
  FAILED_REQUESTS_BILLED,
  FREE_TIER_ALLOCATION_ORDER,
  formatMoney,
  formatTotal,
  HMAC_REQUEST_TIER,
  IMPORTED_MATERIAL_ROTATION_FEE_BILLED,
  MANAGEMENT_CALL_TIER,
  MANAGEMENT_CALLS_BILLED,
  PARTIAL_HOUR_BILLING,
  PENDING_REPLICA_DELETION_BILLED,
  PRICE_LIST_ENDPOINT_REGION,
  PRICE_LIST_SERVICE_CODE,
  PRICING_TABLE_KIND,
  PRICING_TABLE_SCHEMA_VERSION,
  type PricingTable,
  parsePricingTable,
  partitionOf,
  REPLICA_ROTATION_FEE_BILLED,
  type RefreshPricingTableOptions,
  type RefreshPricingTableResult,
  type RegionPrices,
  type ResolvedRegionPrices,
  readPricingTable,
  refreshPricingTable,
  regionPrices,
  renderTableChanges,
  resolveRegionPrices,
  selectTable,
  serializePricingTable,
  sumMoney,
  type TableChange,
  totalOf,
  UNATTRIBUTED_API_TIER,
  UNATTRIBUTED_RSA_TIER,
  UNLISTED_ASYMMETRIC_SPEC_TIER,
  UNLISTED_REGION_PRICES_FROM,
  validatePricingTable,
} from '../pricing/index.js';
export * from './model.js';
