import { InputError } from '../errors.js';

/** One calendar month in UTC: `[start, end)`. */
export interface MonthWindow {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly start: Date;
  readonly end: Date;
}

const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * Turns `YYYY-MM` into the month's UTC window `[first day 00:00, first day of next month 00:00)`.
 * Malformed input is an {@link InputError} naming `flag`.
 *
 * @example
 * ```ts
 * const { start, end } = parseMonth('2026-10');
 * // start 2026-10-01T00:00:00.000Z, end 2026-11-01T00:00:00.000Z
 * ```
 */
export function parseMonth(value: string, flag = '--month'): MonthWindow {
  const match = MONTH_PATTERN.exec(value.trim());
  const year = Number(match?.[1]);
  const month = Number(match?.[2]);
  if (!match || month < 1 || month > 12 || year < 2000)
    throw new InputError(flag, `expected a month as YYYY-MM (for example 2026-10), got "${value}"`);
  return {
    month: `${match[1]}-${match[2]}`,
    start: new Date(Date.UTC(year, month - 1, 1)),
    end: new Date(Date.UTC(year, month, 1)),
  };
}

/**
 * The UTC days `YYYY/MM/DD` from `margin` days before the window to `margin` days after it,
 * in order: the folders a trail delivers the month's log files to (files are dated by delivery,
 * so events near midnight at either end can sit in the neighbouring day's folder).
 *
 * @example
 * ```ts
 * windowDays(parseMonth('2026-02'), 1); // ['2026/01/31', '2026/02/01', ..., '2026/02/28', '2026/03/01']
 * ```
 */
export function windowDays(window: MonthWindow, margin = 0): string[] {
  const days: string[] = [];
  const last = window.end.getTime() - DAY_MS + margin * DAY_MS;
  for (let t = window.start.getTime() - margin * DAY_MS; t <= last; t += DAY_MS) {
    const d = new Date(t);
    days.push(
      `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`,
    );
  }
  return days;
}

/** Whole days between two instants (fractional). */
export const daysBetween = (from: Date, to: Date): number => (to.getTime() - from.getTime()) / DAY_MS;
