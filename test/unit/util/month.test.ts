import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parseMonth, windowDays } from '../../../src/util/month.js';

describe('parseMonth', () => {
  it('turns YYYY-MM into the UTC window [first day, first day of next month)', () => {
    expect(parseMonth('2026-12')).toEqual({
      month: '2026-12',
      start: new Date('2026-12-01T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
    });
  });

  it.each(['2026-13', '2026-1', '26-10', 'October', '2026-00', ''])(
    'rejects "%s" naming --month',
    (value) => {
      expect(() => parseMonth(value)).toThrow(InputError);
      expect(() => parseMonth(value)).toThrow(/^--month: expected a month as YYYY-MM/);
    },
  );
});

describe('windowDays', () => {
  it('lists the days of the month with one day either side, across a leap February', () => {
    const days = windowDays(parseMonth('2028-02'), 1);
    expect(days[0]).toBe('2028/01/31');
    expect(days.at(-1)).toBe('2028/03/01');
    expect(days).toHaveLength(31);
  });
});
