import { describe, expect, it } from 'vitest';
import type { MonthlyReport } from '../../../src/model/report.js';
import { escapeHtml } from '../../../src/report/escape.js';
import { HTML_REPORT_CSP, renderHtml } from '../../../src/report/html.js';
import { demoMonthlyReport } from '../../support/demo-report.js';

const HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>&amp;\u202e';

/** The demo report with every string a key's owner controls replaced by markup. */
async function hostileReport(): Promise<MonthlyReport> {
  const demo = await demoMonthlyReport();
  return {
    ...demo,
    keys: demo.keys.map((k) => ({
      ...k,
      aliases: [`alias/${HOSTILE}`],
      description: HOSTILE,
      owner: HOSTILE,
      tags: [{ key: 'Owner', value: HOSTILE }],
    })),
    findings: demo.findings.map((f) => ({ ...f, reason: HOSTILE, title: HOSTILE })),
    coverage: {
      ...demo.coverage,
      gaps: demo.coverage.gaps.map((g) => ({ ...g, message: HOSTILE, errorCode: HOSTILE })),
    },
  };
}

/** Every start tag of the page: its name and its raw attribute text. */
function startTags(html: string): { name: string; attributes: string }[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)].map((m) => ({
    name: (m[1] as string).toLowerCase(),
    attributes: m[2] as string,
  }));
}

const ALLOWED_TAGS = new Set(
  'html head meta title style body main h1 h2 h3 h4 p div span section strong small code br wbr a ul ol li table thead tbody tr th td details summary'.split(
    ' ',
  ),
);

describe('report.html', () => {
  it('keeps hostile evidence as text: no script, no element or event handler of its own', async () => {
    const html = renderHtml(await hostileReport());
    for (const tag of startTags(html)) {
      expect(ALLOWED_TAGS, `<${tag.name}${tag.attributes}>`).toContain(tag.name);
      // Attribute values are escaped text (no raw quote inside): the names are what is left.
      expect(tag.attributes.replace(/"[^"]*"/g, '""')).not.toMatch(/\son[a-z]+\s*=/i);
    }
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain(String.raw`\u202e`);
    expect(html).not.toContain('\u202e');
  });

  it('forbids every request and script with a Content-Security-Policy, and links only within the page', async () => {
    const html = renderHtml(await demoMonthlyReport());
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(HTML_REPORT_CSP)}">`,
    );
    expect(HTML_REPORT_CSP).toContain("default-src 'none'");
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^#/);
    expect(html).not.toMatch(/\ssrc=/);
  });

  it('opens with the cost, the finding counts, the owners and the same "what to do first" as report.json', async () => {
    const report = await demoMonthlyReport();
    const html = renderHtml(report);
    const head = html.slice(0, html.indexOf('<h3>About this report</h3>'));
    expect(head).toContain(`id="total-cost" data-amount="${report.summary.cost.total.amount}"`);
    expect(head).toContain(`data-status="FAIL" data-count="${report.summary.findings.byStatus.FAIL}"`);
    expect(head).toContain('<p id="owners">');
    const rules = [...head.matchAll(/<li data-rule="([^"]+)"/g)].map((m) => m[1]);
    expect(rules).toEqual(report.summary.firstActions.map((a) => a.ruleId));
    expect(rules.length).toBeGreaterThan(0);
  });

  it('groups failing findings by key, with the owner and the fix before the why', async () => {
    const report = await demoMonthlyReport();
    const html = renderHtml(report);
    const failing = report.findings.filter((f) => f.status === 'FAIL');
    const groups = [...html.matchAll(/<div class="key-group" data-key-arn="([^"]+)">([\s\S]*?)<\/div>\n/g)];
    expect(groups.map((g) => g[1]).sort()).toEqual([...new Set(failing.map((f) => f.keyArn))].sort());
    for (const [, arn, body] of groups) {
      const key = report.keys.find((k) => k.arn === arn);
      expect(body).toContain(`owner: <span class="owner">${key?.owner ?? 'no Owner tag'}</span>`);
      expect(body).toMatch(/<th>Fix<\/th><th>Why<\/th>/);
      for (const f of failing.filter((x) => x.keyArn === arn)) expect(body).toContain(`${f.ruleId} `);
    }
  });

  it('says what changed since last month, as report.md does', async () => {
    const demo = await demoMonthlyReport();
    const payments = demo.keys.find((k) => k.aliases[0] === 'alias/payments');
    const html = renderHtml({
      ...demo,
      monthOverMonth: {
        previousMonth: '2026-09',
        keysAdded: [payments?.arn ?? ''],
        keysRemoved: ['arn:aws:kms:us-east-1:111122223333:key/gone'],
        previousTotal: '30',
        totalChange: '5.11',
        findingsOpened: [{ ruleId: 'KMS-ROT-01', keyArn: payments?.arn ?? '' }],
        findingsResolved: [],
      },
    });
    expect(html).toContain('<h3>Since September 2026</h3>');
    expect(html).toContain('<li>Cost: +$5.11 (from $30.00)</li>');
    expect(html).toContain('<li>Keys added: alias/payments</li>');
    expect(html).toContain('<li>Findings opened: KMS-ROT-01 on alias/payments</li>');
    expect(html).toContain('<li>Findings resolved: none</li>');
  });

  it("folds each finding's controls, naming a framework once", async () => {
    const report = await demoMonthlyReport();
    const html = renderHtml(report);
    const rotation = html.match(/KMS-ROT-01 [\s\S]*?<\/details>/)?.[0] ?? '';
    expect(rotation).toContain('<details><summary>5 frameworks</summary>');
    expect(rotation.match(/CIS Amazon Web Services Foundations Benchmark/g)).toHaveLength(1);
  });
});
