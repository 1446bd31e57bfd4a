import { z } from 'zod';
import { REQUEST_TIERS, type RequestTier } from '../model/pricing.js';
import { compareBy, compareText } from '../util/compare.js';
import type { MonthWindow } from '../util/month.js';
import { firstZodIssue } from '../util/versioned-file.js';
import { PricingError, PricingTableError, RegionNotPricedError } from './errors.js';

/**
 * The pricing table: prices as data with provenance (the top-level `pricing/` folder holds
 * one JSON file per effective period). Code only selects from it.
 */

export const PRICING_TABLE_KIND = 'kms-report/pricing-table';
export const PRICING_TABLE_SCHEMA_VERSION = 1;

const day = z.iso.date().describe('calendar date, YYYY-MM-DD');

/** A non-negative decimal amount written as a string, so no precision is lost in JSON. */
const price = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'expected a non-negative decimal amount as a string, e.g. "0.03"');

const tierPrices = z
  .object(Object.fromEntries(REQUEST_TIERS.map((t) => [t, price])) as Record<RequestTier, typeof price>)
  .strict();

export const regionPricesSchema = z
  .object({
    /** True when the prices were read for this very region (pricing page or Price List). */
    verified: z.boolean(),
    /** Where the prices come from, or what was assumed. */
    basis: z.string().min(1),
    /** Price of one key for one whole month. */
    keyMonth: price,
    rotation: z
      .object({
        /** Monthly surcharge of each billed rotation. */
        perRotationMonth: price,
        /** How many rotations per key are billed; null = every rotation (before April 2024). */
        billedRotationsCap: z.number().int().nonnegative().nullable(),
      })
      .strict(),
    /** Price per 10,000 requests, by Price List usage-type suffix. */
    requestsPer10k: tierPrices,
  })
  .strict();

export const pricingTableSchema = z
  .object({
    kind: z.literal(PRICING_TABLE_KIND),
    schemaVersion: z.literal(PRICING_TABLE_SCHEMA_VERSION),
    /** Unique name of this table, shown in every report priced with it. */
    version: z.string().min(1),
    partition: z.string().min(1),
    currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as USD'),
    effective: z
      .object({
        /** First day the table applies (inclusive). */
        from: day,
        /** First day it no longer applies (exclusive); null while in force. */
        until: day.nullable(),
      })
      .strict(),
    provenance: z
      .object({
        source: z.string().min(1),
        /** When the prices were last checked against the source. */
        checked: day,
        method: z.enum(['pricing-page', 'price-list']),
        notes: z.array(z.string()),
      })
      .strict(),
    freeTier: z
      .object({
        requestsPerMonth: z.number().int().nonnegative(),
        /** AWS's rule: once per account, across all its regions. The engine can widen it to an organization. */
        scope: z.literal('account-all-regions'),
        notCovered: z.array(z.enum(REQUEST_TIERS)),
      })
      .strict(),
    regions: z.record(
      z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'expected a region name'),
      regionPricesSchema,
    ),
  })
  .strict()
  .refine((t) => t.effective.until === null || t.effective.until > t.effective.from, {
    message: 'effective.until must be after effective.from',
    path: ['effective', 'until'],
  });

export type RegionPrices = z.infer<typeof regionPricesSchema>;
export type ParsedTable = z.infer<typeof pricingTableSchema>;

/** A validated pricing table, with the file it came from (null when built in memory). */
export type PricingTable = ParsedTable & { readonly file: string | null };

/**
 * Validates a table already parsed from JSON. Any problem is a {@link PricingTableError}
 * naming `source` and the field path.
 */
export function validatePricingTable(data: unknown, source: string): PricingTable {
  const result = pricingTableSchema.safeParse(data);
  if (!result.success) {
    const { field, message } = firstZodIssue(result.error);
    throw new PricingTableError(source, field, message);
  }
  return { ...result.data, file: source };
}

/**
 * Parses and validates a pricing table's text. `source` names it in errors (a file path).
 *
 * @example
 * ```ts
 * const table = parsePricingTable(await readFile('pricing/aws-kms.2024-04-01.json', 'utf8'), 'pricing/aws-kms.2024-04-01.json');
 * ```
 */
export function parsePricingTable(text: string, source: string): PricingTable {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PricingTableError(source, '', `not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return validatePricingTable(data, source);
}

/** The table as written to disk: stable order, two-space indentation, final newline, no `file`. */
export function serializePricingTable(table: PricingTable | ParsedTable): string {
  const { file: _file, ...data } = table as PricingTable;
  const regions = Object.fromEntries(Object.entries(data.regions).sort(([a], [b]) => compareText(a, b)));
  return `${JSON.stringify({ ...data, regions }, null, 2)}\n`;
}

/** Tables by when they were checked, then their start, then their version name (the call reverses it: latest first). */
const latestFirst = compareBy<PricingTable>(
  (t) => t.provenance.checked,
  (t) => t.effective.from,
  (t) => t.version,
);

/**
 * The table in force for a month: the one whose effective period contains the month's
 * first day (prices change on the first of a month; a table applies to whole months).
 * When several qualify (a refreshed copy of the same period), the most recently checked
 * wins, then the later version name. The month is a window (`parseMonth`) or a `Month`
 * (`monthOf`), parsed once where it entered.
 *
 * @example
 * ```ts
 * import { loadPricingTables, monthOf } from 'kms-report';
 * import { selectTable } from 'kms-report/pricing';
 *
 * const table = selectTable(await loadPricingTables(), monthOf('2026-10'));
 * ```
 */
export function selectTable(tables: readonly PricingTable[], month: MonthWindow): PricingTable {
  const first = month.start.toISOString().slice(0, 10);
  const candidates = tables.filter(
    (t) => t.effective.from <= first && (t.effective.until === null || first < t.effective.until),
  );
  const best = [...candidates].sort((a, b) => latestFirst(b, a))[0];
  if (!best) {
    const periods = tables.map((t) => `${t.version} [${t.effective.from}, ${t.effective.until ?? '...'})`);
    throw new PricingError(
      `no pricing table is in force for ${month.month} (tables: ${periods.join(', ') || 'none loaded'})`,
    );
  }
  return best;
}

/** The prices of a region; a region the table does not list is an error naming it. */
export function regionPrices(table: PricingTable, region: string): RegionPrices {
  const prices = table.regions[region];
  if (!prices) throw new RegionNotPricedError(region, table.version);
  return prices;
}
