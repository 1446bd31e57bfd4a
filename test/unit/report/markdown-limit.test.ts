import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../../src/model/findings.js';
import type { MonthlyReport } from '../../../src/model/report.js';
import { DEFAULT_MARKDOWN_TABLE_ROWS, renderMarkdown } from '../../../src/report/markdown.js';
import { demoMonthlyReport } from '../../support/demo-report.js';

/** The report with every key and finding repeated `times` times. */
function repeated(report: MonthlyReport, times: number): MonthlyReport {
  const many = <T>(list: readonly T[]) => Array.from({ length: times }, () => list).flat();
  return { ...report, keys: many(report.keys), findings: many(report.findings) };
}

/** The table rows (after header and alignment) of the section that starts with `heading`. */
function tableRows(md: string, heading: string): string[] {
  const start = md.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = md.slice(start + heading.length + 2);
  const end = rest.search(/\n#{2,3} /);
  const lines = (end < 0 ? rest : rest.slice(0, end)).split('\n').filter((l) => l.startsWith('| '));
  return lines.slice(1);
}

describe('report.md on a large estate', () => {
  it('shows at most 1,000 keys and says that keys.csv holds them all', async () => {
    const demo = await demoMonthlyReport();
    const times = Math.ceil((DEFAULT_MARKDOWN_TABLE_ROWS + 1) / demo.keys.length);
    const big = repeated(demo, times);
    const md = renderMarkdown(big);
    expect(tableRows(md, '## Keys')).toHaveLength(DEFAULT_MARKDOWN_TABLE_ROWS);
    expect(md).toContain(
      `_The first 1,000 of ${big.keys.length.toLocaleString('en-US')} keys are shown; \`keys.csv\` lists them all._`,
    );
  });

  it('keeps the keys with the most severe failing findings when it cuts, and shows everything with no limit', async () => {
    const demo = await demoMonthlyReport();
    const big = repeated(demo, 3);
    const failing = big.findings.filter((f) => f.status === 'FAIL');
    const md = renderMarkdown(big, { maxTableRows: 5 });
    const rows = tableRows(md, '### Failing');
    expect(rows).toHaveLength(5);
    // The first key shown is one with a finding of the worst severity, and its findings are together.
    const worst = SEVERITIES.find((s) => failing.some((f) => f.severity === s));
    expect(rows[0]).toContain(`| ${worst} |`);
    const keyOf = (row: string) => row.split(' | ')[0];
    const seen: string[] = [];
    for (const row of rows) if (seen.at(-1) !== keyOf(row)) seen.push(keyOf(row) as string);
    expect(new Set(seen).size, "one key's rows are together").toBe(seen.length);
    expect(md).toContain(
      `of ${failing.length} failing findings (the keys with the most severe first) are shown; \`findings.csv\` lists them all._`,
    );

    const all = renderMarkdown(big, { maxTableRows: 0 });
    expect(tableRows(all, '### Failing')).toHaveLength(failing.length);
    expect(tableRows(all, '## Keys')).toHaveLength(big.keys.length);
    expect(all).not.toContain('lists them all');
  });

  it('names at most 50 keys inline in the month-over-month lines, then says how many more', async () => {
    const demo = await demoMonthlyReport();
    const added = Array.from({ length: 60 }, (_, i) => `arn:aws:kms:eu-west-1:111122223333:key/added-${i}`);
    const md = renderMarkdown({
      ...demo,
      monthOverMonth: {
        previousMonth: '2026-09',
        keysAdded: added,
        keysRemoved: [],
        previousTotal: '30',
        totalChange: '5',
        findingsOpened: [],
        findingsResolved: [],
      },
    });
    // The item, its wrapped lines joined (report.md wraps prose at MARKDOWN_LINE_WIDTH).
    const line =
      md
        .replace(/\n {2}/g, ' ')
        .split('\n')
        .find((l) => l.startsWith('- Keys added: ')) ?? '';
    expect(line).toContain('added-49');
    expect(line).not.toContain('added-50');
    expect(line).toContain(', and 10 more (report.json lists them all)');
  });

  it('names only files this run writes, and refuses a row limit that is not a whole number', async () => {
    const big = repeated(await demoMonthlyReport(), 2);
    const mdOnly = renderMarkdown(big, { maxTableRows: 3, formats: ['md'] });
    expect(mdOnly).toContain('re-run with `--format csv` for a file that lists them all');
    expect(mdOnly).not.toContain('`keys.csv` lists them all');
    expect(mdOnly).not.toContain('`findings.csv` lists them all');
    const jsonToo = renderMarkdown(big, { maxTableRows: 3, formats: ['md', 'json'] });
    expect(jsonToo).toContain('`report.json` lists them all');
    expect(jsonToo).not.toContain('re-run with');
    for (const bad of [Number.NaN, 2.5, -1])
      expect(() => renderMarkdown(big, { maxTableRows: bad })).toThrow(RangeError);
  });
});
