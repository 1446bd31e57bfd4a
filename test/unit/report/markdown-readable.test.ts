import { describe, expect, it } from 'vitest';
import type { MonthlyReport } from '../../../src/model/report.js';
import { firstActions } from '../../../src/report/build.js';
import { MARKDOWN_LINE_WIDTH, renderMarkdown, wrapLine } from '../../../src/report/markdown.js';
import { demoMonthlyReport } from '../../support/demo-report.js';

/** The table rows (after header and alignment) of the section that starts with `heading`. */
function tableRows(md: string, heading: string): string[][] {
  const rest = md.slice(md.indexOf(`\n${heading}\n`) + heading.length + 2);
  const end = rest.search(/\n#{2,3} /);
  return (end < 0 ? rest : rest.slice(0, end))
    .split('\n')
    .filter((l) => l.startsWith('| '))
    .slice(1)
    .map((l) => l.slice(2, -2).split(' | '));
}

describe('report.md, for a person', () => {
  it('has no line of prose over 200 characters; wrapping changes no word', async () => {
    const demo = await demoMonthlyReport();
    const long = `${'A notice with many words in it. '.repeat(20)}The end.`;
    const report: MonthlyReport = {
      ...demo,
      cost: { ...demo.cost, notices: [long] },
      monthOverMonthNote: long,
    };
    const md = renderMarkdown(report);
    const prose = md.split('\n').filter((l) => !l.startsWith('|'));
    for (const line of prose) expect(line.length, line).toBeLessThanOrEqual(MARKDOWN_LINE_WIDTH);
    expect(md.replace(/\n {2}/g, ' ')).toContain(`- ${long}`);
  });

  it('starts no wrapped line with a marker Markdown would read as a list, heading, quote or number', () => {
    const words = ['word', '-', '+', '*', '#', '>', '1.', '2)', '=', '|', '```', '-x'];
    const line = `- ${Array.from({ length: 200 }, (_, i) => words[i % words.length]).join(' ')}`;
    const wrapped = wrapLine(line, 40).split('\n');
    expect(wrapped.length).toBeGreaterThan(1);
    for (const l of wrapped.slice(1)) expect(l).toMatch(/^ {2}\S/);
    for (const l of wrapped.slice(1)) expect(l.trimStart()).not.toMatch(/^([-+*#>=|]|\d+[.)]|```)/);
    const code = wrapLine(`${'word '.repeat(8)}\`a command with many words in it\` ${'word '.repeat(8)}`, 45);
    for (const l of code.split('\n')) expect((l.match(/`/g)?.length ?? 0) % 2, l).toBe(0);
    const quote = wrapLine(`> ${'word '.repeat(60)}`, 50).split('\n');
    for (const l of quote) expect(l.startsWith('> ')).toBe(true);
  });

  it('names each framework once in a controls cell', async () => {
    const md = renderMarkdown(await demoMonthlyReport());
    const rotation = tableRows(md, '### Failing').find((r) => r.some((c) => c.startsWith('KMS-ROT-01 ')));
    const controls = rotation?.at(-1) ?? '';
    expect(controls.match(/CIS Amazon Web Services Foundations Benchmark/g)).toHaveLength(1);
    expect(controls).toContain('3.8 (1.4.0, 1.5.0, 2.0.0)');
    expect(controls.match(/NIST SP 800-53 Rev\. 5/g)).toHaveLength(1);
  });

  it('explains one missing piece of evidence once, listing the rules it left unjudged', async () => {
    const report = await demoMonthlyReport();
    const unknown = report.findings.filter((f) => f.status === 'UNKNOWN');
    const rows = tableRows(renderMarkdown(report), '### Unknown: the evidence could not be read');
    expect(rows).toHaveLength(new Set(unknown.map((f) => `${f.keyArn} ${f.reason}`)).size);
    expect(rows.length).toBeLessThan(unknown.length);
    expect(rows[0]?.[2]).toBe('KMS-POL-01, KMS-POL-02, KMS-POL-03, KMS-POL-04, KMS-POL-05');
  });

  it("keeps a key's failing findings together, each with the key's owner, the fix before the why", async () => {
    const report = await demoMonthlyReport();
    const md = renderMarkdown(report);
    expect(md).toContain('| Key | Region | Owner | Severity | Rule | Fix | Why | Controls |');
    const rows = tableRows(md, '### Failing');
    expect(rows).toHaveLength(report.summary.findings.byStatus.FAIL);
    const order = rows.map((r) => `${r[0]} ${r[1]}`);
    const groups = order.filter((k, i) => k !== order[i - 1]);
    expect(new Set(groups).size, 'each key in one run of rows').toBe(groups.length);
    for (const r of rows) {
      const key = report.keys.find((k) => (k.aliases[0] ?? k.keyId) === r[0] && k.region === r[1]);
      expect(r[2], r.join(' | ')).toBe(key?.owner ?? 'no Owner tag');
    }
  });

  it('opens with the cost, the findings, the owners and the same "what to do first" as report.json', async () => {
    const report = await demoMonthlyReport();
    const md = renderMarkdown(report);
    // Wrapped list items joined.
    const summary = md.slice(0, md.indexOf('### About this report')).replace(/\n {3}/g, ' ');
    expect(summary).toContain('**Estimated cost: at least $35.11 (1 unknown)**');
    expect(summary).toContain('**Findings:** 20 failing findings');
    expect(summary).toContain(
      '**Owners of the failing keys** (tag `Owner`): platform-team (3 keys, 7 findings)',
    );
    const listed = [...summary.matchAll(/^\d+\. .*? (KMS-[A-Z]+-\d+) \(/gm)].map((m) => m[1]);
    expect(listed).toEqual(report.summary.firstActions.map((a) => a.ruleId));
  });
});

describe('what to do first', () => {
  it('lists the most severe fixes, then keeps places for the keys that cost money for nothing', async () => {
    const report = await demoMonthlyReport();
    const actions = report.summary.firstActions;
    expect(actions.map((a) => `${a.ruleId} ${a.why}`)).toEqual([
      'KMS-DEL-01 severity',
      'KMS-POL-01 severity',
      'KMS-POL-02 severity',
      'KMS-LIFE-02 cost',
      'KMS-LIFE-01 cost',
    ]);
    const unused = actions.find((a) => a.ruleId === 'KMS-LIFE-02');
    expect(unused?.wastedCost).toBe('2');
    expect(unused?.owners).toEqual(['platform-team', 'research']);
    expect(actions.find((a) => a.ruleId === 'KMS-DEL-01')?.findings).toBe(2);
  });

  it('is empty when nothing fails, and all severity when no key wastes money', async () => {
    const report = await demoMonthlyReport();
    expect(firstActions(report.keys, [], report.rules)).toEqual([]);
    const noWaste = report.findings.filter((f) => !f.ruleId.startsWith('KMS-LIFE-'));
    const actions = firstActions(report.keys, noWaste, report.rules);
    expect(actions).toHaveLength(5);
    expect(actions.every((a) => a.why === 'severity' && a.wastedCost === null)).toBe(true);
  });
});
