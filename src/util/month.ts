import { InputError } from '../errors.js';

/** One calendar month in UTC: `[start, end)`. */
export interface MonthWindow {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly start: Date;
  readonly end: Date;
}

const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;
/** Milliseconds in an hour and in a (UTC) day: the one home of both. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * The month a report covers, parsed once at the edge (the CLI's `--month`, the library's
 * `month`) and passed down to pricing, compliance and the report: its id, its UTC window, its
 * hours (what a key-month is prorated over) and whether it had ended when the report was made.
 */
export interface Month extends MonthWindow {
  /** Hours in the month: 672 to 744. */
  readonly hours: number;
  /** True when the month had not ended when the report was made: a month-to-date report. */
  readonly monthToDate: boolean;
}

/**
 * The {@link Month} of a `YYYY-MM` text or window, as it stands at `now` (month to date while it
 * has not ended). Malformed text is an {@link InputError} naming `flag`. What `priceMonth`,
 * `runCompliance` and `selectTable` take.
 *
 * @example
 * ```ts
 * import { monthOf } from 'kms-report';
 *
 * monthOf('2026-02'); // { month: '2026-02', start: 2026-02-01T00:00Z, end: 2026-03-01T00:00Z, hours: 672, monthToDate: false }
 * monthOf('2026-11', new Date('2026-11-15T00:00:00Z')).monthToDate; // true
 * ```
 */
export function monthOf(value: string | MonthWindow, now?: Date, flag = '--month'): Month {
  const window = typeof value === 'string' ? parseMonth(value, flag) : value;
  if ('hours' in window && 'monthToDate' in window && now === undefined) return window as Month;
  return {
    month: window.month,
    start: window.start,
    end: window.end,
    hours: (window.end.getTime() - window.start.getTime()) / HOUR_MS,
    monthToDate: now !== undefined && window.end.getTime() > now.getTime(),
  };
}

/**
 * The month to report: the given `YYYY-MM`, or the previous calendar month (UTC) when none is
 * given — what a job on the 1st wants. The current month is month to date; a future month is
 * refused (an {@link InputError} naming `--month`).
 *
 * @example
 * ```ts
 * resolveReportMonth(undefined, new Date('2026-11-01T02:00:00Z')); // 2026-10, monthToDate false
 * resolveReportMonth('2026-11', new Date('2026-11-15T00:00:00Z')); // 2026-11, monthToDate true
 * ```
 */
export function resolveReportMonth(input: string | undefined, now: Date): Month {
  if (input === undefined) {
    const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    return monthOf(previous.toISOString().slice(0, 7), now);
  }
  const month = monthOf(input, now);
  if (month.start.getTime() > now.getTime())
    throw new InputError(
      '--month',
      `${month.month} has not started yet (today is ${now.toISOString().slice(0, 10)} UTC)`,
    );
  return month;
}

/** The `YYYY-MM` of the month before `month`. */
export function previousMonthId(month: MonthWindow): string {
  const d = new Date(Date.UTC(month.start.getUTCFullYear(), month.start.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

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
