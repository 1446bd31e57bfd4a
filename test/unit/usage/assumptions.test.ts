import { describe, expect, it } from 'vitest';
import { usageAssumptionsFor } from '../../../src/model/usage-assumptions.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { demoMonthlyReport } from '../../support/demo-report.js';

const ids = (sources: string[]) => usageAssumptionsFor(sources).map((a) => a.id);

describe('the assumptions behind request volumes', () => {
  it('are those of the sources used', () => {
    expect(ids(['cloudtrail-lookup'])).toEqual([
      'SERVICE_CALLS_BILLED_TO',
      'SERVICE_OWN_CALLS_BILLED_TO',
      'MULTI_KEY_REQUEST_COUNTED_ON',
    ]);
    expect(ids(['cloudtrail-s3'])).toEqual([
      'SERVICE_CALLS_BILLED_TO',
      'SERVICE_OWN_CALLS_BILLED_TO',
      'MULTI_KEY_REQUEST_COUNTED_ON',
      'DELIVERY_MARGIN_DAYS',
    ]);
    expect(ids(['cloudwatch'])).toEqual([
      'PAIR_OPERATIONS_IN_CLASS_TOTALS',
      'CLOUDWATCH_COUNTS_FAILED_CALLS',
    ]);
    expect(ids([])).toEqual([]);
  });

  it('are stated in the report, the unconfirmed ones marked so', async () => {
    const report = await demoMonthlyReport();
    const md = renderMarkdown(report);
    const section = md.slice(md.indexOf('## Assumptions and limits'));
    for (const a of report.evidence.usageAssumptions) {
      const line = section.split('\n').find((l) => l.includes(a.id.replace(/_/g, '\\_'))) ?? '';
      expect(line).toContain(a.confirmed ? '(request volumes)' : '(request volumes, unconfirmed)');
    }
    expect(report.evidence.usageAssumptions.length).toBeGreaterThan(0);
  });
});
