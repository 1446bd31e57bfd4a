import { describe, expect, it } from 'vitest';
import { KMS_ROT_01 } from '../../../src/compliance/rules/KMS-ROT-01.js';
import { RULE_IDS } from '../../../src/model/findings.js';
import { previousReportSchema } from '../../../src/model/report-schema.js';
import { jsonChunks } from '../../../src/util/json-chunks.js';
import { demoMonthlyReport } from '../../support/demo-report.js';

/** report.json of the demo, as the monthly job writes it, read back. */
async function demoReportJson(): Promise<Record<string, unknown> & { findings: Record<string, unknown>[] }> {
  return JSON.parse([...jsonChunks(await demoMonthlyReport())].join(''));
}

describe('report.json (schema version 2): each rule once, findings by reference', () => {
  it("carries each rule's fixed text once, in a table by rule id", async () => {
    const report = await demoReportJson();
    expect(report.schemaVersion).toBe(2);
    const rules = report.rules as Record<string, Record<string, unknown>>;
    expect(Object.keys(rules)).toEqual([...RULE_IDS]);
    expect(rules['KMS-ROT-01']).toEqual({
      id: 'KMS-ROT-01',
      title: 'Automatic key rotation is enabled',
      severity: 'medium',
      defaultSeverity: 'medium',
      rationale: KMS_ROT_01.meta.rationale,
      // The catalogue's remediation as it is: the command stays a template.
      remediation: KMS_ROT_01.meta.remediation,
      controls: expect.arrayContaining([{ framework: 'PCI DSS', version: '4.0', requirement: '3.7.4' }]),
    });
    // Every finding names a rule of the table.
    for (const f of report.findings) expect(rules[f.ruleId as string], String(f.ruleId)).toBeDefined();
  });

  it('keeps in a finding only what differs per key: no rule text, no empty details, muted only when MUTED', async () => {
    const report = await demoReportJson();
    const always = ['ruleId', 'keyArn', 'keyId', 'account', 'region', 'status', 'severity', 'reason'];
    const statuses = new Set<unknown>();
    for (const f of report.findings) {
      statuses.add(f.status);
      const extra = Object.keys(f).filter((k) => !always.includes(k));
      expect(Object.keys(f).slice(0, always.length), JSON.stringify(f)).toEqual(always);
      for (const k of extra) expect(['details', 'muted'], k).toContain(k);
      if ('details' in f) expect(Object.keys(f.details as object).length).toBeGreaterThan(0);
      expect('muted' in f, `${f.ruleId} ${f.status}`).toBe(f.status === 'MUTED');
    }
    expect([...statuses].sort()).toEqual(['FAIL', 'MUTED', 'NOT_APPLICABLE', 'PASS', 'UNKNOWN']);
    const pass = report.findings.find((f) => f.status === 'PASS' && f.ruleId === 'KMS-POL-02');
    expect(pass).toEqual({
      ruleId: 'KMS-POL-02',
      keyArn: expect.stringMatching(/^arn:aws:kms:/),
      keyId: expect.any(String),
      account: '111122223333',
      region: expect.any(String),
      status: 'PASS',
      severity: 'high',
      reason: expect.any(String),
    });
  });

  it('is read back for month-over-month comparison, as a report of version 1 is', async () => {
    const v2 = await demoReportJson();
    const v1 = {
      ...v2,
      schemaVersion: 1,
      rules: undefined,
      findings: v2.findings.map((f) => ({
        ...f,
        title: 'x',
        remediation: {},
        controls: [],
        details: {},
        muted: null,
      })),
    };
    const read2 = previousReportSchema.parse(v2);
    const read1 = previousReportSchema.parse(v1);
    expect(read1.findings).toEqual(read2.findings);
    expect(read2.findings[0]).toEqual({
      ruleId: v2.findings[0]?.ruleId,
      keyArn: v2.findings[0]?.keyArn,
      status: v2.findings[0]?.status,
      severity: v2.findings[0]?.severity,
    });
    // A report whose findings carry no severity is still read (the rule's is used then).
    const { severity: _, ...bare } = v2.findings[0] as (typeof v2.findings)[number];
    expect(previousReportSchema.parse({ ...v2, findings: [bare] }).findings[0]?.severity).toBeUndefined();
    expect(previousReportSchema.safeParse({ ...v2, schemaVersion: 3 }).success).toBe(false);
  });
});
