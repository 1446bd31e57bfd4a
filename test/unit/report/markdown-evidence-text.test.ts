import { describe, expect, it } from 'vitest';
import type { MonthlyReport } from '../../../src/model/report.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { demoMonthlyReport } from '../../support/demo-report.js';

// Account ids and regions reach report.md from evidence files and AWS's answers: a billed account
// of a usage row is CloudTrail's text, a region is whatever the file says.
const LINK = '[click me](https://evil.example/x) <img src=x onerror=alert(1)>';
const REGION = '**bold** [r](https://evil.example) |pipe|';

/** Cells of a Markdown table row: `|` escaped as `\|` stays inside its cell. */
const cells = (line: string) => line.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length;

describe('report.md: account ids and regions from the evidence are text, not Markdown', () => {
  it('a hostile billed account and region render escaped, and every table keeps its width', async () => {
    const demo = await demoMonthlyReport();
    const first = demo.keys[0];
    const source = demo.coverage.usage[0];
    if (!first || !source) throw new Error('the demo has no key or no usage source');
    const report: MonthlyReport = {
      ...demo,
      scope: { ...demo.scope, regions: [...demo.scope.regions, REGION] },
      keys: [{ ...first, region: REGION }, ...demo.keys.slice(1)],
      cost: {
        ...demo.cost,
        byBilledAccount: [
          ...demo.cost.byBilledAccount,
          { account: LINK, inTotal: false, total: { amount: '1', complete: true, unknownLines: 0 } },
        ],
      },
      coverage: {
        ...demo.coverage,
        usage: [...demo.coverage.usage, { ...source, account: LINK, region: REGION }],
      },
    };
    const md = renderMarkdown(report);
    expect(md).not.toContain('[click me](https://evil.example/x)');
    expect(md).not.toContain('<img');
    expect(md).not.toContain('**bold**');
    expect(md).not.toContain('[r](https://evil.example)');
    expect(md).toContain('\\[click me\\]');
    let width = 0;
    for (const line of md.split('\n')) {
      if (!line.startsWith('|')) {
        width = 0;
        continue;
      }
      if (width === 0) width = cells(line);
      else expect(cells(line), line.slice(0, 120)).toBe(width);
    }
  });
});
