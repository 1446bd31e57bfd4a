import type { Decimal as DecimalClass } from 'decimal.js';
import type { InventorySnapshot } from '../../model/inventory.js';
import type { CostLine, PricingAssumption } from '../../model/pricing.js';
import type { MonthUsage } from '../../model/usage.js';
import { compareText } from '../../util/compare.js';
import { ASSUMPTION_STATEMENTS, type AssumptionId } from '../assumptions.js';
import type { MonthPeriod } from '../key-fee.js';
import { dec, lineAmount, toMoney } from '../money.js';
import type { RegionPriceBook } from '../region-prices.js';
import type { PricingTable } from '../table.js';
import type { UsageIndex } from './usage-index.js';

/** How partial hours are billed. */
export type PartialHours = 'bill-started-hour' | 'exact';

/** What every line producer reads: derived once per month by `priceMonth`, never written. */
export interface MonthInputs {
  /** The table in force for the month. */
  readonly table: PricingTable;
  /** What is priced: the whole month, or for a month to date the month up to the evidence time. */
  readonly period: MonthPeriod;
  readonly policy: PartialHours;
  readonly snapshot: InventorySnapshot;
  readonly usage: MonthUsage | undefined;
  /** The usage grouped once by account and region (and by key), for look-ups per key. */
  readonly index: UsageIndex | null;
  /** The accounts the month is priced for (the inventory's): lines billed to them make the totals. */
  readonly inTotal: ReadonlySet<string>;
  /**
   * A month to date whose evidence time is before the month began (ISO), else null: nothing of
   * the month was seen, so its fees are unknown, not $0.
   */
  readonly evidenceBeforeMonth: string | null;
  readonly prices: RegionPriceBook;
}

/** An assumption a line relied on, and what it applied to (a key ARN, `account/region`, ...). */
export interface AssumptionUse {
  readonly id: AssumptionId;
  readonly subject: string;
}

/** What a producer returns: its lines, the assumptions they rest on, and the month's notices it raises. */
export interface Produced {
  readonly lines: CostLine[];
  readonly assumptions: AssumptionUse[];
  readonly notices: string[];
}

/** The uses of `ids` for one subject. */
export const usesOf = (ids: readonly AssumptionId[], subject: string): AssumptionUse[] =>
  ids.map((id) => ({ id, subject }));

/**
 * The month's assumptions: each once, with everything it applied to, by id. Subjects keep
 * their plain (code unit) order, as before.
 */
export function assumptionList(uses: Iterable<AssumptionUse>): PricingAssumption[] {
  const used = new Map<AssumptionId, Set<string>>();
  for (const { id, subject } of uses) {
    const set = used.get(id);
    if (set) set.add(subject);
    else used.set(id, new Set([subject]));
  }
  return [...used.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([id, subjects]) => ({ id, statement: ASSUMPTION_STATEMENTS[id], appliesTo: [...subjects].sort() }));
}

/** A cost line with every field it does not set at its empty value (a request line by default). */
export function baseLine(
  partial: Pick<CostLine, 'kind' | 'account' | 'region' | 'keyArn' | 'description'> & Partial<CostLine>,
): CostLine {
  return {
    tier: null,
    operation: null,
    keyPairSpec: null,
    quantity: null,
    unit: 'requests',
    unitPrice: null,
    priceUnit: '10k-requests',
    amount: null,
    unknownReason: null,
    hours: null,
    assumptions: [],
    ...partial,
  };
}

const TEN_THOUSAND = 10_000;

/** Cost of `count` requests at `per10k`, exact. */
export function requestAmount(count: number | DecimalClass, per10k: string): string {
  return toMoney(lineAmount(dec(count).times(per10k).div(TEN_THOUSAND)));
}

/** A fee of `hours` out of the month's hours at `monthly`: its quantity (key-months) and amount. */
export function proratedFee(
  monthly: string,
  hours: number,
  period: MonthPeriod,
): Pick<CostLine, 'quantity' | 'amount' | 'hours'> {
  return {
    quantity: toMoney(lineAmount(dec(hours).div(period.hours))),
    amount: toMoney(lineAmount(dec(monthly).times(hours).div(period.hours))),
    hours: { billable: hours, inMonth: period.hours },
  };
}

/** What a producer of one key's lines returns: its lines, notes on the key, and the assumptions. */
export interface KeyProduced {
  readonly lines: CostLine[];
  readonly notes: string[];
  readonly assumptions: AssumptionUse[];
}
