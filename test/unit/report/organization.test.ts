import { describe, expect, it } from 'vitest';
import { reportExitCode } from '../../../src/cli/commands/report.js';
import { ExitCode } from '../../../src/cli/exit-codes.js';
import { runCompliance } from '../../../src/compliance/engine.js';
import { DEMO_ACCOUNT, DEMO_MONTH, demoSnapshot, demoUsage } from '../../../src/demo/sample.js';
import type { InventorySnapshot } from '../../../src/model/inventory.js';
import { priceMonth } from '../../../src/pricing/engine.js';
import { loadPricingTables } from '../../../src/pricing/load.js';
import { buildMonthlyReport } from '../../../src/report/build.js';
import { renderFindingsCsv, renderKeysCsv } from '../../../src/report/csv.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderMarkdown } from '../../../src/report/markdown.js';

const UNREAD = '999999999999';

/** The demo account as a fully read organisation member, optionally beside one that was not entered. */
async function report(withUnreadAccount: boolean) {
  const demo = demoSnapshot();
  const snapshot: InventorySnapshot = {
    ...demo,
    accounts: withUnreadAccount ? [DEMO_ACCOUNT, UNREAD] : [DEMO_ACCOUNT],
    gaps: withUnreadAccount
      ? [
          {
            scope: 'account',
            account: UNREAD,
            region: null,
            keyArn: null,
            field: null,
            operation: 'AssumeRole',
            errorCode: 'AccessDenied',
            message: `could not assume arn:aws:iam::${UNREAD}:role/KmsReportReader`,
          },
        ]
      : [],
    organization: {
      id: 'o-abc123def4',
      callerAccount: DEMO_ACCOUNT,
      accounts: [
        {
          id: DEMO_ACCOUNT,
          name: 'prod',
          ou: { id: 'ou-1', name: 'Workloads' },
          roleArn: null,
          status: 'collected',
        },
        ...(withUnreadAccount
          ? [{ id: UNREAD, name: 'legacy', ou: null, roleArn: null, status: 'failed' as const }]
          : []),
      ],
    },
  };
  const demoMonth = demoUsage();
  const usage = {
    ...demoMonth,
    coverage: demoMonth.coverage.map((c) => ({ ...c, status: 'complete' as const })),
  };
  const cost = priceMonth({ month: DEMO_MONTH, snapshot, usage, tables: await loadPricingTables() });
  const compliance = runCompliance(snapshot, {
    usage,
    month: DEMO_MONTH,
    clock: { now: () => Date.parse('2026-11-01T00:00:00Z') },
  });
  return buildMonthlyReport({
    month: DEMO_MONTH,
    monthToDate: false,
    period: { start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z' },
    snapshot,
    usage,
    cost,
    compliance,
    generatedAt: '2026-11-01T02:05:00.000Z',
  });
}

describe('the organisation view of a report', () => {
  it('counts an account that could not be entered as incomplete coverage: --fail-on-gaps exits 4', async () => {
    const full = await report(false);
    expect(full.coverage.complete).toBe(true);
    expect(reportExitCode(full, undefined, true)).toBe(ExitCode.Ok);

    const partial = await report(true);
    expect(partial.coverage.complete).toBe(false);
    expect(reportExitCode(partial, undefined, true)).toBe(ExitCode.Gaps);
    expect(partial.organization?.accounts.map((a) => [a.account, a.coverage])).toEqual([
      [DEMO_ACCOUNT, 'complete'],
      [UNREAD, 'failed'],
    ]);
  });

  it('totals each account and OU, and names the accounts in the CSV files and Markdown', async () => {
    const r = await report(true);
    const prod = r.organization?.accounts[0];
    expect(prod?.keys).toBe(r.summary.keys.total);
    // The account not entered adds nothing known but one unknown line: the report's total is "at least".
    const unread = r.organization?.accounts[1];
    expect(unread?.total).toEqual({ amount: '0', complete: false, unknownLines: 1 });
    expect(r.summary.cost.total).toEqual({
      amount: prod?.total.amount,
      complete: false,
      unknownLines: (prod?.total.unknownLines ?? 0) + 1,
    });
    expect(prod?.failing).toBe(r.summary.findings.byStatus.FAIL);
    expect(r.organization?.ous.map((o) => [o.ou?.name ?? null, o.accounts])).toEqual([
      ['Workloads', 1],
      [null, 1],
    ]);
    expect(renderKeysCsv(r).split('\r\n')[1]).toMatch(new RegExp(`^${DEMO_MONTH},${DEMO_ACCOUNT},prod,`));
    expect(renderFindingsCsv(r).split('\r\n')[1]).toMatch(new RegExp(`^${DEMO_MONTH},${DEMO_ACCOUNT},prod,`));
    const md = renderMarkdown(r);
    expect(md).toContain(
      '| 999999999999 | legacy | unknown OU | n/a | not seen | n/a | n/a | **not read** |',
    );
    expect(md).toContain('| legacy (999999999999) | **not read** | 0 | 0 | 1 | AssumeRole: AccessDenied');
  });

  it('shows the same accounts, OUs and account of each failing key in report.html', async () => {
    const r = await report(true);
    const html = renderHtml(r);
    const accounts = html.slice(
      html.indexOf('<section id="accounts">'),
      html.indexOf('<section id="findings">'),
    );
    expect(accounts).toContain('<td>999999999999</td><td>legacy</td><td>unknown OU</td>');
    expect(accounts).toContain('<strong>not read</strong>');
    expect(accounts).toContain('Workloads (<code>ou-<wbr>1</code>)');
    expect(html).toMatch(/<p class="meta">prod \(111122223333\), us-east-1 · owner:/);
    expect(html).toContain('<th>Account</th><th>Key</th><th>Region</th><th>Rules not judged</th>');
  });
});
