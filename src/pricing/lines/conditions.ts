import type { CostLine } from '../../model/pricing.js';
import { compareText } from '../../util/compare.js';
import { billedHours, type MonthPeriod } from '../key-fee.js';
import type { AssumptionUse, MonthInputs } from './produced.js';

/**
 * What the month's figures rest on beyond their lines: the regions priced by another region's
 * prices or by unverified ones (assumptions), the regions that could not be priced, and a month
 * priced only to date (notices). `whole` is the calendar month; `inputs.period` what was priced.
 */
export function pricingConditions(
  inputs: MonthInputs,
  whole: MonthPeriod,
  lines: readonly CostLine[],
): { assumptions: AssumptionUse[]; notices: string[] } {
  const assumptions: AssumptionUse[] = [];
  const notices: string[] = [];
  // A region is used when some line carries its prices.
  const used = new Set(lines.filter((l) => l.amount !== null || l.unitPrice !== null).map((l) => l.region));
  const asked = inputs.prices.asked();
  for (const region of used) {
    const r = asked.get(region);
    if (!r || r.prices === null) continue;
    if (r.fallback) {
      assumptions.push({ id: 'UNLISTED_REGION_PRICES_FROM', subject: region });
      assumptions.push({ id: 'UNVERIFIED_REGION_PRICES', subject: region });
    } else if (r.prices.verified === false)
      assumptions.push({ id: 'UNVERIFIED_REGION_PRICES', subject: region });
  }
  for (const [region, r] of [...asked.entries()].sort(([a], [b]) => compareText(a, b)))
    if (r.prices === null)
      notices.push(
        `Region ${region} could not be priced (${r.reason}); its lines are unknown, the rest of the report is priced.`,
      );
  const { period } = inputs;
  if (inputs.evidenceBeforeMonth !== null)
    notices.push(
      `Month to date from evidence collected at ${inputs.evidenceBeforeMonth}, before ${whole.month} began: key and rotation fees are unknown; collect the inventory again to price the month.`,
    );
  else if (period.end < whole.end)
    notices.push(
      `Month to date: priced up to ${new Date(period.end).toISOString()} (the evidence time), ${billedHours([{ start: period.start, end: period.end }], period, inputs.policy).hours} of the month's ${whole.hours} hours; key and rotation fees for the rest of the month are not included.`,
    );
  return { assumptions, notices };
}
