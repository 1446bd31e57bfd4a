/** The pricing stage: tables as data, a pure engine, and the Price List refresh. */
export * from './assumptions.js';
export { type PriceMonthInput, type PriceMonthOptions, priceMonth } from './engine.js';
export { PriceListError, PricingError, PricingTableError, RegionNotPricedError } from './errors.js';
export { billedHours, keyTimeline, monthPeriod } from './key-fee.js';
export { DEFAULT_PRICING_DIR, loadPricingTables, readPricingTable } from './load.js';
export { AMOUNT_SCALE, formatMoney, formatTotal, sumMoney, totalOf } from './money.js';
export {
  fetchRegionProducts,
  PRICE_LIST_ENDPOINT_REGION,
  PRICE_LIST_SERVICE_CODE,
  type RefreshPricingTableOptions,
  type RefreshPricingTableResult,
  refreshPricingTable,
  renderTableChanges,
  type TableChange,
  usageTypeSuffix,
} from './refresh.js';
export { partitionOf, type ResolvedRegionPrices, resolveRegionPrices } from './region-prices.js';
export {
  PRICING_TABLE_KIND,
  PRICING_TABLE_SCHEMA_VERSION,
  type PricingTable,
  parsePricingTable,
  type RegionPrices,
  regionPrices,
  selectTable,
  serializePricingTable,
  validatePricingTable,
} from './table.js';
export { type Classification, classifyRequest, dataKeyPairTier } from './tiers.js';
