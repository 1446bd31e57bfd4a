import { describe, expect, it } from 'vitest';
import { monthOf, resolveReportMonth } from '../../../src/index.js';

describe('the root builds the Month its stages take', () => {
  it('monthOf and resolveReportMonth are exported: the Month priceMonth and runCompliance take', () => {
    const now = new Date('2026-11-15T00:00:00Z');
    expect(resolveReportMonth(undefined, now)).toMatchObject({
      month: '2026-10',
      hours: 744,
      monthToDate: false,
    });
    expect(monthOf('2026-11', now)).toMatchObject({ month: '2026-11', hours: 720, monthToDate: true });
  });
});
