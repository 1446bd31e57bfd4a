import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/model/findings.js';
import type { MonthlyReport } from '../../../src/model/report.js';
import { asffFindings } from '../../../src/report/asff.js';
import { OCSF_VERSION, ocsfEvents, ocsfFileChunks } from '../../../src/report/ocsf.js';
import { demoMonthlyReport } from '../../support/demo-report.js';
import { OCSF_COMPLIANCE_FINDING_SCHEMA, validateWithPython } from '../../support/python.js';

const PYTHON_TIMEOUT = 120_000;

/** The demo report with one finding's text and key made hostile. */
async function hostileReport(): Promise<MonthlyReport> {
  const report = await demoMonthlyReport();
  const [first, ...rest] = report.findings as Finding[];
  const evil: Finding = {
    ...(first as Finding),
    status: 'MUTED',
    reason: `"quoted" \u202e reversed\n\u0000${'x'.repeat(20_000)}`,
    muted: {
      justification: 'owner\nsaid </script>',
      owner: 'o',
      ticket: 'T-1',
      expires: '2026-12-31',
      keyPattern: '*',
    },
  };
  return { ...report, findings: [evil, ...rest] };
}

describe('OCSF: findings.ocsf.json', () => {
  it(
    `is valid against the published OCSF ${OCSF_VERSION} schema of Compliance Finding (class 2003)`,
    async () => {
      const report = await hostileReport();
      const text = [...ocsfFileChunks(report)].join('');
      const result = await validateWithPython('validate_ocsf.py', text, OCSF_COMPLIANCE_FINDING_SCHEMA);
      expect(result.errors).toEqual([]);
      const notApplicable = report.findings.filter((f) => f.status === 'NOT_APPLICABLE').length;
      expect(result.count).toBe(report.findings.length - notApplicable);
      expect(result.count).toBeGreaterThan(100);
    },
    PYTHON_TIMEOUT,
  );

  it(
    'is refused by the schema when an event is not a Compliance Finding (the check is real)',
    async () => {
      const [event] = ocsfEvents(await demoMonthlyReport());
      const wrong = [
        { ...event, class_uid: 2001 },
        { ...event, compliance: undefined },
        { ...event, severity_id: 7 },
        { ...event, kms: 'not an OCSF attribute' },
      ];
      const result = await validateWithPython('validate_ocsf.py', wrong, OCSF_COMPLIANCE_FINDING_SCHEMA);
      const indexes = new Set(result.errors.map((e) => (e as { index: number }).index));
      expect([...indexes].sort()).toEqual([0, 1, 2, 3]);
    },
    PYTHON_TIMEOUT,
  );

  it('maps status, severity, controls, the key and the evidence time', async () => {
    const report = await demoMonthlyReport();
    const events = [...ocsfEvents(report)];
    const failing = report.findings.find((f) => f.status === 'FAIL' && f.ruleId === 'KMS-ROT-01');
    expect(failing).toBeDefined();
    const event = events.find(
      (e) => (e.finding_info.uid as string) === `${failing?.keyArn}/KMS-ROT-01`,
    ) as unknown as {
      compliance: { requirements: string[]; standards: string[] };
      remediation: { references: string[] };
    };
    expect(event).toMatchObject({
      class_uid: 2003,
      category_uid: 2,
      type_uid: 200301,
      time: Date.parse(report.evidence.collectedAt.finishedAt),
      severity_id: 3,
      severity: 'Medium',
      status_id: 1,
      status: 'New',
      compliance: { control: 'KMS-ROT-01', status_id: 3, status: 'Fail' },
      resources: [{ uid: failing?.keyArn, type: 'AWS::KMS::Key', region: failing?.region }],
      cloud: { provider: 'AWS', account: { uid: failing?.account } },
      metadata: { version: OCSF_VERSION, product: { name: 'kms-report', version: report.tool.version } },
    });
    expect(event.compliance.requirements).toContain('CIS-AWS@3.0.0:3.6');
    expect(event.compliance.standards).toContain('CIS Amazon Web Services Foundations Benchmark v3.0.0');
    expect(event.remediation.references[0]).toContain(`--key-id ${failing?.keyId}`);
    const statuses = new Map(events.map((e) => [(e.compliance as { status: string }).status, e.status]));
    expect(statuses.get('Pass')).toBe('Resolved');
  });

  it('gives a passing check severity Informational, as ASFF does, whatever its rule', async () => {
    const report = await demoMonthlyReport();
    const asff = new Map([...asffFindings(report)].map((f) => [f.Resources[0]?.Id + f.GeneratorId, f]));
    const passing = [...ocsfEvents(report)].filter(
      (e) => (e.compliance as { status: string }).status === 'Pass',
    );
    const ruleOf = (e: (typeof passing)[number]) => (e.compliance as { control: 'KMS-ROT-01' }).control;
    expect(passing.some((e) => report.rules[ruleOf(e)]?.severity !== 'informational')).toBe(true);
    for (const e of passing) {
      expect(e).toMatchObject({ severity_id: 1, severity: 'Informational' });
      const { uid } = e.finding_info;
      const [keyArn, ruleId] = [uid.slice(0, uid.lastIndexOf('/')), uid.slice(uid.lastIndexOf('/') + 1)];
      expect(asff.get(keyArn + ruleId)?.Severity.Label).toBe('INFORMATIONAL');
    }
  });

  it('writes a large estate in pieces, none much larger than one event', async () => {
    const report = await demoMonthlyReport();
    const many = Array.from({ length: 15 }, () => report.findings).flat();
    const pieces = [...ocsfFileChunks({ ...report, findings: many })];
    expect(pieces.length).toBeGreaterThan(3);
    for (const p of pieces) expect(p.length).toBeLessThan(80 * 1024);
    const events = JSON.parse(pieces.join('')) as unknown[];
    expect(events.length).toBe(many.filter((f) => f.status !== 'NOT_APPLICABLE').length);
  });
});
