import decimalDefault, { type Decimal as DecimalClass } from 'decimal.js';
import type { CostTotal, Money } from '../model/pricing.js';

// decimal.js types its ES module as CommonJS: under NodeNext the default import is typed as
// the module object, while at run time it is the constructor. Say what it is, once.
const Decimal = decimalDefault as unknown as typeof DecimalClass;
type Decimal = DecimalClass;

/**
 * Money arithmetic. Everything is decimal (decimal.js, its own configuration so the global
 * one is never touched); nothing goes through binary floating point.
 *
 * Each line amount is quantized once, to {@link AMOUNT_SCALE} decimal places; sums of
 * lines are then exact (the precision below is far above what any sum needs), so a total
 * always equals the sum of its lines to the last digit.
 */
export const Dec = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -60,
  toExpPos: 60,
});
export type Dec = Decimal;

/**
 * Decimal places kept on a line amount (a prorated fee is `price × hours ÷ hours in month`,
 * which does not terminate). 12 places is a millionth of a millionth of a dollar: far below
 * anything a bill shows, and enough that rounding per line cannot add up to a cent.
 */
export const AMOUNT_SCALE = 12;

/** Parses a money string (or number of requests) into a decimal. Throws on anything else. */
export function dec(value: Money | number | Decimal): Decimal {
  return new Dec(value);
}

/** A line amount: quantized to {@link AMOUNT_SCALE} places, banker's rounding. */
export function lineAmount(value: Decimal): Decimal {
  return value.toDecimalPlaces(AMOUNT_SCALE, Decimal.ROUND_HALF_EVEN);
}

/** The full-precision string form of an amount: plain notation, no exponent, trailing zeros dropped. */
export function toMoney(value: Decimal): Money {
  const s = value.toFixed();
  return s === '-0' ? '0' : s;
}

/** Exact sum of money strings. */
export function sumMoney(values: readonly Money[]): Money {
  return toMoney(values.reduce((acc, v) => acc.plus(v), new Dec(0)));
}

/** Sums the amounts of lines (unknown ones are counted apart) into a {@link CostTotal}. */
export function totalOf(items: readonly { readonly amount: Money | null }[]): CostTotal {
  let sum = new Dec(0);
  let unknown = 0;
  for (const item of items) {
    if (item.amount === null) unknown += 1;
    else sum = sum.plus(item.amount);
  }
  return { amount: toMoney(sum), complete: unknown === 0, unknownLines: unknown };
}

/** Sums totals (for subtotals of subtotals). */
export function sumTotals(totals: readonly CostTotal[]): CostTotal {
  let sum = new Dec(0);
  let unknown = 0;
  for (const t of totals) {
    sum = sum.plus(t.amount);
    unknown += t.unknownLines;
  }
  return { amount: toMoney(sum), complete: unknown === 0, unknownLines: unknown };
}

/**
 * Formats an amount for display: rounded half-up to `decimals` places (default 2), with
 * the currency symbol for USD. Unknown amounts print as `unknown`.
 *
 * @example
 * ```ts
 * formatMoney('0.015'); // '$0.02'
 * formatMoney('-0.06'); // '-$0.06'
 * formatMoney(null); // 'unknown'
 * ```
 */
export function formatMoney(
  amount: Money | null,
  options: { decimals?: number; currency?: string } = {},
): string {
  if (amount === null) return 'unknown';
  const decimals = options.decimals ?? 2;
  const currency = options.currency ?? 'USD';
  const rounded = new Dec(amount).toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP);
  const negative = rounded.isNegative() && !rounded.isZero();
  const digits = rounded.abs().toFixed(decimals);
  const body = currency === 'USD' ? `$${digits}` : `${digits} ${currency}`;
  return negative ? `-${body}` : body;
}

/**
 * Formats a total for display: `$12.34`, or `at least $12.34 (2 unknown)` when some
 * lines could not be priced.
 */
export function formatTotal(
  total: CostTotal,
  options: { decimals?: number; currency?: string } = {},
): string {
  const money = formatMoney(total.amount, options);
  return total.complete ? money : `at least ${money} (${total.unknownLines} unknown)`;
}
