import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/model/findings.js';
import type { KeyRow, MonthlyReport } from '../../../src/model/report.js';
import { ASFF_LIMITS, asffFileChunks, asffFindings, asffId, asffText } from '../../../src/report/asff.js';
import { demoMonthlyReport } from '../../support/demo-report.js';
import { validateWithPython } from '../../support/python.js';

const PYTHON_TIMEOUT = 120_000;

/** The demo report with the first finding's key and text made as hostile as AWS lets them be. */
async function hostileReport(): Promise<MonthlyReport> {
  const report = await demoMonthlyReport();
  const [first, ...rest] = report.findings as Finding[];
  const f = first as Finding;
  const evil: Finding = {
    ...f,
    status: 'MUTED',
    reason: `\u202e${'reason '.repeat(400)}\u0000\n`,
    muted: { justification: '\t\n', owner: 'o', ticket: 'T-1', expires: '2026-12-31', keyPattern: '*' },
  };
  const keys = report.keys.map(
    (k): KeyRow =>
      k.arn === f.keyArn
        ? {
            ...k,
            description: ` \n\u0007 ${'d'.repeat(9000)}`,
            tags: [
              { key: 'empty', value: '' },
              { key: ' ', value: 'blank key' },
              ...Array.from({ length: 60 }, (_, i) => ({
                key: `k${i}${'x'.repeat(200)}`,
                value: 'v'.repeat(300),
              })),
            ],
          }
        : k,
  );
  return { ...report, keys, findings: [evil, ...rest] };
}

describe('ASFF: findings.asff.json', () => {
  it(
    "is valid BatchImportFindings input by botocore's Security Hub model, hostile text included",
    async () => {
      const report = await hostileReport();
      const text = [...asffFileChunks(report)].join('');
      const result = await validateWithPython('validate_asff.py', text);
      expect(result.errors).toEqual([]);
      expect(result.count).toBe(report.findings.filter((f) => f.status !== 'NOT_APPLICABLE').length);
    },
    PYTHON_TIMEOUT,
  );

  it(
    'is refused by the validator when a finding breaks the model (the check is real)',
    async () => {
      const [finding] = asffFindings(await demoMonthlyReport());
      const wrong = [
        { ...finding, Title: undefined },
        { ...finding, Severity: { Label: 'SEVERE' } },
        { ...finding, Description: ' ' },
        { ...finding, Title: 't'.repeat(257) },
      ];
      const result = await validateWithPython('validate_asff.py', wrong);
      expect(result.errors.length).toBeGreaterThanOrEqual(4);
      const text = JSON.stringify(result.errors);
      for (const needle of ['Title', 'SEVERE', 'Description', 'at most 256']) expect(text).toContain(needle);
    },
    PYTHON_TIMEOUT,
  );

  it('cuts and cleans hostile text to what ASFF takes', () => {
    expect(asffText('a\u202ebc\n\n d', 256)).toBe('a bc d');
    expect(asffText(' \t\n', 10)).toBe('-');
    const cut = asffText('😀'.repeat(300), ASFF_LIMITS.title);
    expect(Array.from(cut)).toHaveLength(ASFF_LIMITS.title);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('gives a finding the same id every month, from account, region, key and rule', async () => {
    const report = await demoMonthlyReport();
    const f = report.findings.find((x) => x.status === 'FAIL') as Finding;
    const id = asffId(f);
    expect(id).toBe(`kms-report/${f.account}/${f.region}/${f.keyId}/${f.ruleId}`);
    expect(asffId({ ...f, keyId: '../../../etc key' })).toMatch(
      /^kms-report\/\d{12}\/[a-z0-9-]+\/h-[0-9a-f]{32}\/KMS-/,
    );
  });

  it('never says a finding was updated before it was created (a live run gathers after its report time)', async () => {
    const demo = await demoMonthlyReport();
    // A live run: the report's time is taken when the run starts, the evidence finishes later.
    const live: MonthlyReport = {
      ...demo,
      generatedAt: '2026-11-01T02:00:00.000Z',
      evidence: {
        ...demo.evidence,
        collectedAt: { startedAt: '2026-11-01T02:00:01.000Z', finishedAt: '2026-11-01T02:03:30.000Z' },
      },
    };
    for (const f of asffFindings(live)) {
      expect(f.CreatedAt).toBe('2026-11-01T02:03:30.000Z');
      expect(f.UpdatedAt).toBe('2026-11-01T02:03:30.000Z');
    }
    // A report made later from saved evidence: updated when the report was made.
    const later = { ...live, generatedAt: '2026-11-02T09:00:00.000Z' };
    expect([...asffFindings(later)][0]?.UpdatedAt).toBe('2026-11-02T09:00:00.000Z');
  });

  it('maps status to Compliance, Workflow and severity, and the rule to GeneratorId and requirements', async () => {
    const report = await demoMonthlyReport();
    const findings = [...asffFindings(report)];
    const byStatus = (status: string) =>
      findings.find((x) => x.ProductFields['kms-report/Status'] === status && x.GeneratorId === 'KMS-ROT-01');
    const fail = byStatus('FAIL');
    expect(fail).toMatchObject({
      Compliance: { Status: 'FAILED' },
      Workflow: { Status: 'NEW' },
      RecordState: 'ACTIVE',
      Severity: { Label: 'MEDIUM', Original: 'medium' },
      ProductArn: `arn:aws:securityhub:${fail?.Region}:111122223333:product/111122223333/default`,
      CreatedAt: report.evidence.collectedAt.finishedAt,
      UpdatedAt: report.generatedAt,
    });
    expect(byStatus('FAIL')?.Compliance.RelatedRequirements).toContain(
      'CIS Amazon Web Services Foundations Benchmark v3.0.0/3.6',
    );
    expect(byStatus('PASS')).toMatchObject({
      Compliance: { Status: 'PASSED' },
      Workflow: { Status: 'RESOLVED' },
      Severity: { Label: 'INFORMATIONAL', Original: 'medium' },
    });
    const muted = findings.find((x) => x.ProductFields['kms-report/Status'] === 'MUTED');
    expect(muted).toMatchObject({ Compliance: { Status: 'FAILED' }, Workflow: { Status: 'SUPPRESSED' } });
    expect(muted?.Resources[0]).toMatchObject({
      Type: 'AwsKmsKey',
      Details: { AwsKmsKey: { KeyManager: 'CUSTOMER' } },
    });
  });
});
