import { type PricingClient, paginateGetProducts } from '@aws-sdk/client-pricing';
import { z } from 'zod';
import { REQUEST_TIERS, type RequestTier } from '../model/pricing.js';
import { PriceListError } from './errors.js';
import { dec, toMoney } from './money.js';
import { type PricingTable, type RegionPrices, validatePricingTable } from './table.js';

/**
 * Rebuilds pricing-table regions from the AWS Price List (`pricing:GetProducts`, service
 * code `AWSKMS`). The Price List carries the key-month price and the request prices; the
 * rules it does not carry (rotation fee and cap, free tier) are kept from the base table.
 */

export const PRICE_LIST_SERVICE_CODE = 'AWSKMS';
/** The Price List API answers in us-east-1 (and a few other regions) for every commercial region. */
export const PRICE_LIST_ENDPOINT_REGION = 'us-east-1';

/** The usage-type suffix of the key-month price ("Encryption Key" family, unit Keys). */
const KEY_USAGE_SUFFIX = 'KMS-Keys';
type PriceListSuffix = RequestTier | typeof KEY_USAGE_SUFFIX;
const SUFFIXES: readonly PriceListSuffix[] = [...REQUEST_TIERS, KEY_USAGE_SUFFIX as PriceListSuffix].sort(
  (a, b) => b.length - a.length,
);

const priceDimension = z.looseObject({
  unit: z.string(),
  pricePerUnit: z.record(z.string(), z.string()),
  beginRange: z.string().optional(),
  endRange: z.string().optional(),
  description: z.string().optional(),
});

const priceListProduct = z.looseObject({
  product: z.looseObject({
    productFamily: z.string().optional(),
    attributes: z.looseObject({ usagetype: z.string(), regionCode: z.string().optional() }),
    sku: z.string().optional(),
  }),
  terms: z.looseObject({
    OnDemand: z
      .record(z.string(), z.looseObject({ priceDimensions: z.record(z.string(), priceDimension) }))
      .optional(),
  }),
  publicationDate: z.string().optional(),
});

type PriceListProduct = z.infer<typeof priceListProduct>;

/** The Price List usage-type suffix of a usage type (`us-east-1-KMS-Requests` → `KMS-Requests`), or null. */
export function usageTypeSuffix(usageType: string): PriceListSuffix | null {
  return SUFFIXES.find((s) => usageType === s || usageType.endsWith(`-${s}`)) ?? null;
}

/** One price read from the Price List: per key-month, or per single request. */
interface ReadPrice {
  readonly suffix: PriceListSuffix;
  readonly usageType: string;
  readonly unit: string;
  readonly price: string;
}

function readPrice(product: PriceListProduct, currency: string, region: string): ReadPrice | null {
  const usageType = product.product.attributes.usagetype;
  const suffix = usageTypeSuffix(usageType);
  if (suffix === null) return null;
  const dimensions = Object.values(product.terms.OnDemand ?? {}).flatMap((t) =>
    Object.values(t.priceDimensions),
  );
  const priced = dimensions.filter((d) => d.pricePerUnit[currency] !== undefined);
  if (priced.length === 0)
    throw new PriceListError(region, `${usageType}: no on-demand price in ${currency}`);
  // A free first range (0 per unit) is the free tier, which the table records as a rule.
  const paid = [...new Set(priced.map((d) => toMoney(dec(d.pricePerUnit[currency] as string))))].filter(
    (p) => p !== '0',
  );
  if (paid.length > 1)
    throw new PriceListError(
      region,
      `${usageType}: several prices (${paid.join(', ')}); tiered prices are not supported`,
    );
  const unit = (priced.find((d) => d.pricePerUnit[currency] !== '0') ?? priced[0])?.unit ?? '';
  const expected = suffix === KEY_USAGE_SUFFIX ? /key/i : /request/i;
  if (!expected.test(unit))
    throw new PriceListError(
      region,
      `${usageType}: unexpected unit "${unit}" (expected ${suffix === KEY_USAGE_SUFFIX ? 'Keys' : 'Requests'})`,
    );
  return { suffix, usageType, unit, price: paid[0] ?? '0' };
}

/** Every AWSKMS product of a region, parsed. PriceList entries are JSON strings, as the API returns them. */
export async function fetchRegionProducts(
  client: PricingClient,
  region: string,
): Promise<PriceListProduct[]> {
  const products: PriceListProduct[] = [];
  try {
    const pages = paginateGetProducts(
      { client, pageSize: 100 },
      {
        ServiceCode: PRICE_LIST_SERVICE_CODE,
        FormatVersion: 'aws_v1',
        Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: region }],
      },
    );
    for await (const page of pages) {
      for (const item of page.PriceList ?? []) {
        let json: unknown;
        try {
          json = typeof item === 'string' ? JSON.parse(item) : JSON.parse(String(item));
        } catch (error) {
          throw new PriceListError(region, `a PriceList entry is not JSON (${(error as Error).message})`, {
            cause: error,
          });
        }
        const parsed = priceListProduct.safeParse(json);
        if (!parsed.success)
          throw new PriceListError(
            region,
            `unexpected product shape: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
          );
        products.push(parsed.data);
      }
    }
  } catch (error) {
    if (error instanceof PriceListError) throw error;
    const e = error as { name?: string; message?: string };
    throw new PriceListError(
      region,
      `GetProducts failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`,
      {
        cause: error,
      },
    );
  }
  return products;
}

/** One difference between the base table and the refreshed one. */
export interface TableChange {
  readonly region: string;
  /** Field path inside the region, e.g. `requestsPer10k.KMS-Requests`; `*` for a region added. */
  readonly field: string;
  readonly before: string | number | boolean | null;
  readonly after: string | number | boolean | null;
}

export interface RefreshPricingTableOptions {
  /** A Price List client (endpoint in us-east-1). */
  readonly client: PricingClient;
  readonly regions: readonly string[];
  /** The table the refresh starts from: rules and the regions not asked for are kept from it. */
  readonly base: PricingTable;
  /** The date checked, `YYYY-MM-DD` (injected: the engine has no clock). */
  readonly today: string;
  /** First day the new prices apply; default the base table's `effective.from`. */
  readonly effectiveFrom?: string;
}

export interface RefreshPricingTableResult {
  readonly table: PricingTable;
  /** Suggested file name, `aws-kms.<today>.json`. */
  readonly fileName: string;
  readonly changes: readonly TableChange[];
  /** Usage types seen but not used, prices carried over, ... */
  readonly warnings: readonly string[];
}

function sameAmount(a: string, b: string): boolean {
  return dec(a).equals(dec(b));
}

function regionChanges(region: string, before: RegionPrices | undefined, after: RegionPrices): TableChange[] {
  if (!before) return [{ region, field: '*', before: null, after: 'added' }];
  const changes: TableChange[] = [];
  const compare = (
    field: string,
    a: string | number | boolean | null,
    b: string | number | boolean | null,
  ) => {
    const equal = typeof a === 'string' && typeof b === 'string' ? sameAmount(a, b) : a === b;
    if (!equal) changes.push({ region, field, before: a, after: b });
  };
  compare('verified', before.verified, after.verified);
  compare('keyMonth', before.keyMonth, after.keyMonth);
  compare('rotation.perRotationMonth', before.rotation.perRotationMonth, after.rotation.perRotationMonth);
  compare(
    'rotation.billedRotationsCap',
    before.rotation.billedRotationsCap,
    after.rotation.billedRotationsCap,
  );
  for (const tier of REQUEST_TIERS)
    compare(`requestsPer10k.${tier}`, before.requestsPer10k[tier], after.requestsPer10k[tier]);
  return changes;
}

/** The prices the Price List has for one region, by usage-type suffix; a usage type the table does not use is a warning. */
async function readRegionPrices(
  client: PricingClient,
  region: string,
  currency: string,
  warnings: string[],
): Promise<Map<PriceListSuffix, ReadPrice>> {
  const products = await fetchRegionProducts(client, region);
  if (products.length === 0)
    throw new PriceListError(
      region,
      `no ${PRICE_LIST_SERVICE_CODE} products for this region (is the name right?)`,
    );
  const found = new Map<PriceListSuffix, ReadPrice>();
  for (const product of products) {
    const read = readPrice(product, currency, region);
    if (read === null) {
      warnings.push(`${region}: usage type ${product.product.attributes.usagetype} not used by the table`);
      continue;
    }
    const prior = found.get(read.suffix);
    if (prior && !sameAmount(prior.price, read.price))
      throw new PriceListError(
        region,
        `${read.suffix}: two prices (${prior.usageType} ${prior.price}, ${read.usageType} ${read.price})`,
      );
    found.set(read.suffix, read);
  }
  return found;
}

/**
 * A region's new prices: the Price List's where it has them (the base's own text kept when the
 * amount is the same), else the base's (the region is then not verified, with a warning); the
 * rotation rule, which the Price List does not carry, from the base.
 */
function refreshedRegion(from: {
  region: string;
  found: ReadonlyMap<PriceListSuffix, ReadPrice>;
  previous: RegionPrices | undefined;
  rotation: RegionPrices['rotation'] | undefined;
  base: PricingTable;
  today: string;
  warnings: string[];
}): RegionPrices {
  const { region, found, previous, base } = from;
  const carried: string[] = [];
  const pick = (suffix: PriceListSuffix, fromBase: string | undefined, scale: number): string => {
    const read = found.get(suffix);
    if (read) {
      const value = toMoney(dec(read.price).times(scale));
      return fromBase !== undefined && sameAmount(fromBase, value) ? fromBase : value;
    }
    if (fromBase === undefined)
      throw new PriceListError(
        region,
        `no ${suffix} price in the Price List and none in table ${base.version}`,
      );
    carried.push(suffix);
    return fromBase;
  };
  const keyMonth = pick(KEY_USAGE_SUFFIX, previous?.keyMonth, 1);
  const requestsPer10k = Object.fromEntries(
    REQUEST_TIERS.map((t) => [t, pick(t, previous?.requestsPer10k[t], 10_000)]),
  ) as Record<RequestTier, string>;
  const rotation = from.rotation;
  if (!rotation) throw new PriceListError(region, `table ${base.version} has no rotation rule to carry over`);
  if (carried.length > 0)
    from.warnings.push(`${region}: ${carried.join(', ')} not in the Price List; kept from ${base.version}`);
  return {
    verified: carried.length === 0,
    basis: [
      `AWS Price List (pricing:GetProducts, ${PRICE_LIST_SERVICE_CODE}, regionCode=${region}) read ${from.today}`,
      `rotation fee and cap kept from ${base.version} (not in the Price List)`,
      ...(carried.length > 0
        ? [`kept from ${base.version}, not in the Price List: ${carried.join(', ')}`]
        : []),
    ].join('; '),
    keyMonth,
    rotation,
    requestsPer10k,
  };
}

/**
 * Rebuilds the given regions of a pricing table from the AWS Price List and reports what
 * changed. The new table is dated `today`, keeps the base table's rules (rotation fee and
 * cap, free tier) and its other regions, and marks each refreshed region `verified`.
 * A price the Price List lacks is carried over from the base (the region is then not
 * verified, with a warning); a region with no AWSKMS products at all is an error.
 *
 * @example
 * ```ts
 * const client = new PricingClient({ region: 'us-east-1' });
 * const { table, changes, fileName } = await refreshPricingTable({
 *   client, regions: ['eu-west-3'], base: selectTable(await loadPricingTables(), monthOf('2026-11')), today: '2026-11-29',
 * });
 * await writeFileAtomic(`pricing/${fileName}`, serializePricingTable(table));
 * ```
 */
export async function refreshPricingTable(
  options: RefreshPricingTableOptions,
): Promise<RefreshPricingTableResult> {
  const { base, today } = options;
  const warnings: string[] = [];
  const regions = { ...base.regions };
  const changes: TableChange[] = [];
  const template = Object.values(base.regions).find((r) => r.verified) ?? Object.values(base.regions)[0];
  const asked = [...new Set(options.regions)].sort();

  for (const region of asked) {
    const found = await readRegionPrices(options.client, region, base.currency, warnings);
    const previous = base.regions[region];
    const rotation = previous?.rotation ?? template?.rotation;
    const next = refreshedRegion({ region, found, previous, rotation, base, today, warnings });
    changes.push(...regionChanges(region, previous, next));
    regions[region] = next;
  }

  const version = `aws-kms.${today}`;
  const table = validatePricingTable(
    {
      kind: base.kind,
      schemaVersion: base.schemaVersion,
      version,
      partition: base.partition,
      currency: base.currency,
      effective: { from: options.effectiveFrom ?? base.effective.from, until: base.effective.until },
      provenance: {
        source: `AWS Price List API (pricing:GetProducts, service code ${PRICE_LIST_SERVICE_CODE}) for ${asked.join(', ')}; other regions and the rules from ${base.version}`,
        checked: today,
        method: 'price-list',
        notes: [
          `Refreshed from ${base.version} (${base.provenance.source}, checked ${base.provenance.checked}).`,
          'The Price List does not carry the rotation fee, its cap or the free tier: they are kept from the base table.',
          ...base.provenance.notes.filter((n) => !n.startsWith('Refreshed from ')),
        ],
      },
      freeTier: base.freeTier,
      regions,
    },
    version,
  );
  return { table: { ...table, file: null }, fileName: `${version}.json`, changes, warnings };
}

/** The changes as lines for a terminal: `eu-west-3 requestsPer10k.KMS-Requests: 0.03 → 0.035`. */
export function renderTableChanges(changes: readonly TableChange[]): string {
  if (changes.length === 0) return 'No price changed.\n';
  return `${changes
    .map((c) =>
      c.field === '*'
        ? `${c.region}: added`
        : `${c.region} ${c.field}: ${String(c.before)} -> ${String(c.after)}`,
    )
    .join('\n')}\n`;
}
