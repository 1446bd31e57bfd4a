import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { ComplianceConfigError, parseComplianceConfig } from '../../../src/compliance/config.js';
import { CONTROL_MAPPINGS, controlCode, FRAMEWORK_IDS } from '../../../src/compliance/controls.js';
import { runCompliance } from '../../../src/compliance/engine.js';
import { DEMO_MONTH, demoSnapshot, demoUsage } from '../../../src/demo/sample.js';
import { priceMonth } from '../../../src/pricing/engine.js';
import { loadPricingTables } from '../../../src/pricing/load.js';
import { formatMoney } from '../../../src/pricing/money.js';
import { buildMonthlyReport } from '../../../src/report/build.js';
import { renderCostsCsv, renderFindingsCsv, renderKeysCsv, renderRulesCsv } from '../../../src/report/csv.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { demoMonthlyReport } from '../../support/demo-report.js';

const rows = (csv: string) => parse(csv, { columns: true }) as Record<string, string>[];

describe('the CSV files, for a spreadsheet', () => {
  it("findings.csv: failing rows carry the key's fix command, PASS and not-applicable rows none; the fix's text is in rules.csv", async () => {
    const report = await demoMonthlyReport();
    const findings = rows(renderFindingsCsv(report));
    const quiet = findings.filter((r) => r.STATUS === 'PASS' || r.STATUS === 'NOT_APPLICABLE');
    expect(quiet.length).toBeGreaterThan(0);
    for (const r of quiet) expect(r.REMEDIATION_CLI).toBe('');
    const failing = findings.filter((x) => x.STATUS === 'FAIL');
    expect(failing.length).toBeGreaterThan(0);
    for (const r of failing) {
      expect(r.REMEDIATION_CLI).toMatch(/^aws kms /);
      expect(r.REMEDIATION_CLI).toContain(`--region ${r.REGION}`);
      expect(r.REMEDIATION_CLI).not.toContain('<key-id>');
    }
    const rules = rows(renderRulesCsv(report));
    expect(rules.map((r) => r.RULE_ID)).toEqual([...new Set(findings.map((r) => r.RULE_ID))]);
    for (const r of rules) {
      expect(r.REMEDIATION, r.RULE_ID).not.toBe('');
      expect(r.REMEDIATION_CLI, r.RULE_ID).toMatch(/^aws kms .*<region>/);
    }
    expect(rules.find((r) => r.RULE_ID === 'KMS-ROT-01')).toMatchObject({
      TITLE: 'Automatic key rotation is enabled',
      SEVERITY: 'medium',
      REMEDIATION_TERRAFORM: 'aws_kms_key.enable_key_rotation',
      REMEDIATION_TERRAFORM_EXAMPLE: 'enable_key_rotation = true',
    });
  });

  it('findings.csv and keys.csv have an OWNER column: the value of the owner tag', async () => {
    const report = await demoMonthlyReport();
    const findings = rows(renderFindingsCsv(report));
    const header = renderFindingsCsv(report).split('\r\n')[0]?.split(',');
    expect(header).toEqual([
      'MONTH',
      'ACCOUNT_ID',
      'ACCOUNT_NAME',
      'REGION',
      'KEY_ARN',
      'KEY_ID',
      'ALIASES',
      'RULE_ID',
      'TITLE',
      'STATUS',
      'SEVERITY',
      'REASON',
      'REMEDIATION_CLI',
      'MUTED_JUSTIFICATION',
      'MUTED_OWNER',
      'MUTED_TICKET',
      'MUTED_EXPIRES',
      'OWNER',
      'FILTER',
    ]);
    const payments = findings.find((r) => r.ALIASES === 'alias/payments');
    expect(payments?.OWNER).toBe('payments-team');
    const untagged = report.keys.find((k) => !k.tags.some((t) => t.key === 'Owner'));
    expect(untagged).toBeDefined();
    for (const r of findings.filter((x) => x.KEY_ARN === untagged?.arn)) expect(r.OWNER).toBe('');
    const keys = rows(renderKeysCsv(report));
    expect(keys.find((r) => r.ALIASES === 'alias/payments')?.OWNER).toBe('payments-team');
  });

  it('money columns rounded to the cent sit beside the full-precision ones, as report.md shows them', async () => {
    const report = await demoMonthlyReport();
    const keys = rows(renderKeysCsv(report)).filter((r) => r.ROW_KIND === 'key');
    const md = renderMarkdown(report);
    const analytics = keys.find((r) => r.ALIASES === 'alias/analytics');
    expect(analytics?.TOTAL).toBe('2.254838709677');
    expect(analytics?.TOTAL_ROUNDED).toBe('2.25');
    expect(analytics?.ROTATION_FEE_ROUNDED).toBe('0.35');
    expect(md).toContain(`| ${formatMoney(analytics?.TOTAL ?? null)} |`);
    for (const r of rows(renderCostsCsv(report)))
      if (r.AMOUNT !== '')
        expect(r.AMOUNT_ROUNDED, r.DESCRIPTION).toBe(formatMoney(r.AMOUNT ?? null).replace(/\$/, ''));
  });

  it('writes timestamps as a spreadsheet reads them: YYYY-MM-DD HH:MM:SS, UTC', async () => {
    const keys = rows(renderKeysCsv(await demoMonthlyReport())).filter((r) => r.CREATION_DATE);
    expect(keys.length).toBeGreaterThan(0);
    for (const r of keys) expect(r.CREATION_DATE).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('encodes controls one way: FRAMEWORK[@VERSION]:REQUIREMENT, separated by "; "', async () => {
    for (const m of CONTROL_MAPPINGS)
      expect(FRAMEWORK_IDS[m.framework], m.framework).toMatch(/^[A-Za-z0-9-]+$/);
    const rules = rows(renderRulesCsv(await demoMonthlyReport()));
    const rotation = rules.find((r) => r.RULE_ID === 'KMS-ROT-01');
    const entries = rotation?.CONTROLS?.split('; ') ?? [];
    expect(entries).toContain('CIS-AWS@3.0.0:3.6');
    expect(entries).toContain('NIST-800-53r5:SC-12');
    expect(entries).toContain('PCI-DSS@4.0:3.7.4');
    for (const e of entries) expect(e).toMatch(/^[A-Za-z0-9-]+(@[^:;]+)?:[^;]+$/);
    expect(
      controlCode({
        framework: 'AWS Organizations SCP condition key',
        version: null,
        requirement: 'kms:ScheduleKeyDeletionPendingWindowInDays',
      }),
    ).toBe('AWS-SCP:kms:ScheduleKeyDeletionPendingWindowInDays');
  });
});

describe('the owner tag', () => {
  it('is Owner unless the compliance configuration names another; blank is refused', () => {
    expect(parseComplianceConfig('{}').ownerTag).toBe('Owner');
    expect(parseComplianceConfig('ownerTag: Team\n').ownerTag).toBe('Team');
    expect(() => parseComplianceConfig("ownerTag: ' '\n")).toThrow(ComplianceConfigError);
  });

  it('names the owner from the configured tag in report.md, keys.csv and findings.csv', async () => {
    const snapshot = demoSnapshot();
    const config = parseComplianceConfig('ownerTag: Name\n');
    const cost = priceMonth({
      month: DEMO_MONTH,
      snapshot,
      usage: demoUsage(),
      tables: await loadPricingTables(),
    });
    const compliance = runCompliance(snapshot, {
      config,
      usage: demoUsage(),
      month: DEMO_MONTH,
      clock: { now: () => Date.parse('2026-11-01T02:05:00.000Z') },
    });
    const report = buildMonthlyReport({
      month: DEMO_MONTH,
      monthToDate: false,
      period: { start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z' },
      snapshot,
      usage: demoUsage(),
      cost,
      compliance,
      generatedAt: '2026-11-01T02:05:00.000Z',
      ownerTag: config.ownerTag,
    });
    expect(report.ownerTag).toBe('Name');
    expect(report.keys.find((k) => k.aliases[0] === 'alias/payments')?.owner).toBe('payments');
    expect(rows(renderKeysCsv(report)).find((r) => r.ALIASES === 'alias/payments')?.OWNER).toBe('payments');
    const md = renderMarkdown(report);
    expect(md).toContain('**Owners of the failing keys** (tag `Name`)');
    expect(md).toMatch(/\| alias\/payments \| us-east-1 \| payments \| low \|/);
  });
});
