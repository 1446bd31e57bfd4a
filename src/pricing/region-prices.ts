import { UNLISTED_REGION_PRICES_FROM } from './assumptions.js';
import type { PricingTable, RegionPrices } from './table.js';

/** The partition a region belongs to, from its name. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** A region's prices as {@link resolveRegionPrices} finds them. */
export type ResolvedRegionPrices =
  | { prices: RegionPrices; fallback: boolean }
  | { prices: null; reason: string };

/**
 * The prices of a region: the table's own, or for a region of the table's partition that the
 * table does not list, the prices of {@link UNLISTED_REGION_PRICES_FROM} (`fallback` true).
 * Null, with the reason, for a region of another partition or a name that is no region.
 */
export function resolveRegionPrices(table: PricingTable, region: string): ResolvedRegionPrices {
  const own = table.regions[region];
  if (own) return { prices: own, fallback: false };
  if (!REGION_NAME.test(region)) return { prices: null, reason: `"${region}" is not a region name` };
  const partition = partitionOf(region);
  if (partition !== table.partition)
    return {
      prices: null,
      reason: `region ${region} is in partition ${partition}; pricing table ${table.version} prices ${table.partition} (${table.currency}) only`,
    };
  const fallback = table.regions[UNLISTED_REGION_PRICES_FROM];
  if (!fallback)
    return {
      prices: null,
      reason: `region ${region} is not in pricing table ${table.version}, nor is ${UNLISTED_REGION_PRICES_FROM} to price it by`,
    };
  return { prices: fallback, fallback: true };
}

/**
 * The prices of the regions a month looks up in its table, each resolved once. It remembers
 * which regions were asked for: a region that cannot be priced is named in the month's notices
 * only when some line wanted its prices.
 */
export interface RegionPriceBook {
  /** The region's prices, or null when it cannot be priced (see {@link RegionPriceBook.unpriced}). */
  prices(region: string): RegionPrices | null;
  /** Why a region cannot be priced ('' when it can). */
  unpriced(region: string): string;
  /** Every region asked for so far, with how it resolved. */
  asked(): ReadonlyMap<string, ResolvedRegionPrices>;
}

/** A {@link RegionPriceBook} over one table. */
export function regionPriceBook(table: PricingTable): RegionPriceBook {
  const resolved = new Map<string, ResolvedRegionPrices>();
  const resolve = (region: string) => {
    let r = resolved.get(region);
    if (!r) {
      r = resolveRegionPrices(table, region);
      resolved.set(region, r);
    }
    return r;
  };
  return {
    prices: (region) => resolve(region).prices,
    unpriced: (region) => {
      const r = resolve(region);
      return r.prices === null ? r.reason : '';
    },
    asked: () => resolved,
  };
}
