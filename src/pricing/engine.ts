import { basename } from 'node:path';
import type { InventorySnapshot } from '../model/inventory.js';
import {
  accountLevelLines,
  type FreeTierScope,
  type MonthCost,
  type PricingTableRef,
} from '../model/pricing.js';
import type { MonthUsage } from '../model/usage.js';
import type { Month } from '../util/month.js';
import { PARTIAL_HOUR_BILLING } from './assumptions.js';
import { PricingError } from './errors.js';
import { type MonthPeriod, monthPeriod, parseTime } from './key-fee.js';
import { accountRequestLines } from './lines/account-requests.js';
import { pricingConditions } from './lines/conditions.js';
import { freeTierCredits } from './lines/free-tier.js';
import { keyCosts } from './lines/keys.js';
import { assumptionList, type MonthInputs, type PartialHours } from './lines/produced.js';
import { monthTotals } from './lines/totals.js';
import { unattributedLines } from './lines/unattributed.js';
import { unlistedKeyLines } from './lines/unlisted-keys.js';
import { indexUsage } from './lines/usage-index.js';
import { regionPriceBook } from './region-prices.js';
import { type PricingTable, selectTable } from './table.js';

/**
 * The pricing engine: `priceMonth` derives what every line producer reads once (the table in
 * force, the priced period, the usage index), calls the producers of `lines/` (keys with their
 * key, rotation and request lines; requests that name no key; unattributed volume; unlisted keys;
 * the free tier), merges what they return, and sums the lines with `lines/totals.ts`.
 */

export interface PriceMonthOptions {
  /**
   * `account` (default): the free tier is applied once per account, as AWS does for a
   * standalone account. `organization`: once across all accounts, as consolidated billing does.
   */
  readonly freeTierScope?: FreeTierScope;
  /** How partial hours are billed; default {@link PARTIAL_HOUR_BILLING}. */
  readonly partialHours?: PartialHours;
  /**
   * A month to date: price it up to this time (ISO 8601; the evidence time, i.e. the inventory's
   * `collection.finishedAt`), not to the month's end. Fees are prorated over the hours elapsed
   * (out of the month's hours) and requests counted up to then. Ignored when not before the
   * month's end.
   */
  readonly asOf?: string;
}

export interface PriceMonthInput {
  /**
   * The calendar month to price: a {@link Month} (parsed once at the edge, not parsed again) or
   * its `YYYY-MM` (UTC).
   */
  readonly month: string | Month;
  readonly snapshot: InventorySnapshot;
  /** The month's request volumes and lifecycle events; without it, every request cost is unknown. */
  readonly usage?: MonthUsage;
  /** Every table available (the one in force for the month is selected), or just one. */
  readonly tables: readonly PricingTable[];
  readonly options?: PriceMonthOptions;
}

/**
 * Prices one calendar month of KMS the way the AWS bill does, from an inventory snapshot,
 * the month's usage (request counts, account totals, lifecycle events) and the pricing
 * tables. Pure: no I/O, no clock; load tables with {@link loadPricingTables}.
 *
 * - Key fee: the region's key-month price × billable hours ÷ hours in the month, for each
 *   customer managed key (each multi-Region primary and replica apart; disabled keys too).
 *   AWS managed keys pay no fee. Keys known only from lifecycle events are priced.
 * - Rotation fee: the first two rotations (all of them before April 2024) add the rotation
 *   price, prorated from the rotation.
 * - Requests: classified per key spec and operation (GenerateDataKeyPair* by pair spec);
 *   account totals above the per-key counts become `unattributed` lines; the free tier is
 *   its own credit line. Where per-key volume was not fully collected, the key's request
 *   cost is unknown (null), never zero.
 *
 * - Month to date (`options.asOf`): everything is priced up to the evidence time.
 * - A region the table does not list is priced at {@link UNLISTED_REGION_PRICES_FROM}'s prices
 *   (named as an assumption); a region of another partition has unknown lines, and the rest of
 *   the month is priced.
 * - A region whose keys were never listed (ListKeys failed, the deadline cut it) and an account
 *   that could not be entered each get an unknown `unlisted-keys` line (in `unattributed`), so
 *   the total is "at least", never a complete figure that leaves them out.
 *
 * Throws {@link PricingError} when no table is in force for the month.
 *
 * @example
 * ```ts
 * const tables = await loadPricingTables();
 * const cost = priceMonth({ month: '2026-10', snapshot, usage, tables });
 * // What the inventory's accounts are billed; requests other accounts made on these keys are
 * // billed to them (cost.billedToOtherAccounts, cost.byBilledAccount) and not in it.
 * console.log(formatTotal(cost.total)); // e.g. '$14.37'
 * for (const a of cost.assumptions) console.log(a.id, a.statement);
 * ```
 */
export function priceMonth(input: PriceMonthInput): MonthCost {
  const { whole, inputs } = monthInputs(input);
  const scope = input.options?.freeTierScope ?? 'account';
  const keys = keyCosts(inputs);
  const specs = new Map(keys.keys.map((k) => [k.keyArn, k.keySpec]));
  const accountRequests = accountRequestLines(inputs);
  const unattributed = unattributedLines(inputs, (arn) => specs.get(arn) ?? null);
  const unattributedAll = [...unattributed.lines, ...unlistedKeyLines(inputs.snapshot)];
  const keyLines = keys.keys.flatMap((k) => k.lines);
  const credits = freeTierCredits(inputs, [...keyLines, ...accountRequests.lines, ...unattributedAll], scope);
  const cost = {
    accountRequests: accountRequests.lines,
    unattributed: unattributedAll,
    credits: credits.lines,
  };
  const all = [...keyLines, ...accountLevelLines(cost)];
  const conditions = pricingConditions(inputs, whole, all);
  const produced = [keys, accountRequests, unattributed, credits, conditions];
  return {
    kind: 'kms-report/month-cost',
    schemaVersion: 1,
    month: whole.month,
    period: {
      start: new Date(whole.start).toISOString(),
      end: new Date(whole.end).toISOString(),
      hours: whole.hours,
      pricedUntil: new Date(inputs.period.end).toISOString(),
    },
    currency: inputs.table.currency,
    table: tableRef(inputs.table),
    settings: { freeTierScope: scope, partialHours: inputs.policy },
    keys: keys.keys,
    ...cost,
    ...monthTotals(all, inputs.snapshot.accounts),
    assumptions: assumptionList(produced.flatMap((p) => p.assumptions)),
    notices: [...new Set(produced.flatMap((p) => p.notices))].sort(),
  };
}

/**
 * What every producer reads, derived once: the month (parsed once), the period priced (to the
 * evidence time for a month to date; a key-month is still the month's hours), the table in
 * force, the region prices and the usage index.
 */
function monthInputs(input: PriceMonthInput): { whole: MonthPeriod; inputs: MonthInputs } {
  const { snapshot, usage } = input;
  const whole = monthPeriod(input.month);
  const asOf = input.options?.asOf !== undefined ? parseTime(input.options.asOf, 'asOf') : null;
  const period: MonthPeriod =
    asOf !== null && asOf < whole.end ? { ...whole, end: Math.max(whole.start, asOf) } : whole;
  if (usage && usage.month !== whole.month)
    throw new PricingError(`the usage given is for ${usage.month}, not for ${whole.month}`);
  const table = selectTable(input.tables, {
    month: whole.month,
    start: new Date(whole.start),
    end: new Date(whole.end),
  });
  const inputs: MonthInputs = {
    table,
    period,
    policy: input.options?.partialHours ?? PARTIAL_HOUR_BILLING,
    snapshot,
    usage,
    index: usage ? indexUsage(usage) : null,
    inTotal: new Set(snapshot.accounts),
    evidenceBeforeMonth: asOf !== null && asOf < whole.start ? new Date(asOf).toISOString() : null,
    prices: regionPriceBook(table),
  };
  return { whole, inputs };
}

/** The table the month was priced by, as the report names it. */
function tableRef(table: PricingTable): PricingTableRef {
  return {
    version: table.version,
    // The file's name, not its folder: report.json travels to tickets, the local path must not.
    file: table.file === null ? null : basename(table.file),
    currency: table.currency,
    effective: table.effective,
    source: table.provenance.source,
    checked: table.provenance.checked,
  };
}
