import { describe, expect, it } from 'vitest';
import { CONTROL_MAPPINGS } from '../../../src/compliance/controls.js';
import {
  availableFrameworks,
  FRAMEWORK_SLUGS,
  frameworkViews,
  parseFrameworkIds,
  REQUIREMENT_TEXTS,
} from '../../../src/compliance/frameworks.js';
import { InputError } from '../../../src/errors.js';
import type { Finding, FindingStatus, RuleId } from '../../../src/model/findings.js';

const arn = (n: number) => `arn:aws:kms:eu-west-1:111122223333:key/0000000${n}-0000-4000-8000-000000000000`;
const finding = (ruleId: RuleId, key: number, status: FindingStatus): Finding => ({
  ruleId,
  keyArn: arn(key),
  keyId: `k${key}`,
  account: '111122223333',
  region: 'eu-west-1',
  status,
  severity: 'medium',
  reason: status,
});

describe('Frameworks: what --compliance takes', () => {
  it('offers exactly the frameworks the control mappings name, CIS by version', () => {
    const ids = availableFrameworks().map((f) => f.id);
    expect(ids).toEqual(
      expect.arrayContaining(['cis-1.2', 'cis-3.0', 'cis-7.0', 'nist-800-53', 'pci-dss-4.0', 'aws-fsbp']),
    );
    for (const m of CONTROL_MAPPINGS) expect(FRAMEWORK_SLUGS[m.framework], m.framework).toBeDefined();
    expect(new Set(availableFrameworks().map((f) => f.framework))).toEqual(
      new Set(CONTROL_MAPPINGS.map((m) => m.framework)),
    );
  });

  it('lists each framework with its requirements and rules (cis-7.0 adds 2.21 for KMS-POL-01)', () => {
    const cis7 = availableFrameworks().find((f) => f.id === 'cis-7.0');
    expect(cis7).toMatchObject({
      framework: 'CIS Amazon Web Services Foundations Benchmark',
      version: '7.0.0',
      requirements: ['4.6', '2.21', 'rationale of the key rotation requirement (yearly rotation)'],
      ruleIds: ['KMS-ROT-01', 'KMS-ROT-02', 'KMS-POL-01'],
    });
  });

  it('refuses an unknown id, naming it and listing the valid ones', () => {
    expect(() => parseFrameworkIds(['cis-3.0', 'cis-99'])).toThrowError(InputError);
    expect(() => parseFrameworkIds(['cis-99'])).toThrowError(
      /--compliance: unknown framework "cis-99"; the frameworks are: aws-fsbp, aws-config, cis-1\.2, .*nist-800-53, pci-dss-4\.0/,
    );
    expect(parseFrameworkIds(['CIS-3.0', 'cis-3.0', ' nist-800-53 '])).toEqual(['cis-3.0', 'nist-800-53']);
  });

  it('has a text only for requirements the mappings name, each with its source', () => {
    const known = new Set(availableFrameworks().flatMap((f) => f.requirements.map((r) => `${f.id}:${r}`)));
    for (const [id, t] of Object.entries(REQUIREMENT_TEXTS)) {
      expect(known.has(id), id).toBe(true);
      expect(t.source.length).toBeGreaterThan(10);
    }
  });
});

describe('frameworkViews: a table per requirement', () => {
  it('counts the findings of the mapped rules per status and names the failing keys once', () => {
    const findings = [
      finding('KMS-ROT-01', 1, 'FAIL'),
      finding('KMS-ROT-01', 2, 'PASS'),
      finding('KMS-ROT-01', 3, 'NOT_APPLICABLE'),
      finding('KMS-ROT-01', 4, 'UNKNOWN'),
      finding('KMS-ROT-02', 1, 'MUTED'),
      finding('KMS-ROT-02', 2, 'PASS'),
      finding('KMS-POL-01', 1, 'FAIL'),
    ];
    const [cis] = frameworkViews(['cis-3.0'], findings);
    expect(cis?.requirements).toEqual([
      {
        requirement: '3.6',
        text: 'Ensure rotation for customer-created symmetric CMKs is enabled (Automated)',
        source: expect.stringContaining('v3.0.0'),
        ruleIds: ['KMS-ROT-01'],
        counts: { FAIL: 1, UNKNOWN: 1, MUTED: 0, PASS: 1, NOT_APPLICABLE: 1 },
        status: 'FAIL',
        failingKeys: [arn(1)],
      },
      {
        requirement: 'rationale of the key rotation requirement (yearly rotation)',
        text: null,
        source: null,
        ruleIds: ['KMS-ROT-02'],
        counts: { FAIL: 0, UNKNOWN: 0, MUTED: 1, PASS: 1, NOT_APPLICABLE: 0 },
        status: 'MUTED',
        failingKeys: [],
      },
    ]);
  });

  it('says UNKNOWN when nothing fails but evidence is missing, and NOT_EVALUATED when no rule ran', () => {
    const [fsbp] = frameworkViews(
      ['aws-fsbp'],
      [finding('KMS-DEL-01', 1, 'UNKNOWN'), finding('KMS-DEL-01', 2, 'PASS')],
    );
    expect(fsbp?.requirements.map((r) => [r.requirement, r.status])).toEqual([
      ['KMS.3', 'UNKNOWN'],
      ['KMS.4', 'NOT_EVALUATED'],
      ['KMS.5', 'NOT_EVALUATED'],
    ]);
  });

  it('gives the frameworks in the order asked', () => {
    expect(frameworkViews(['pci-dss-4.0', 'cis-3.0'], []).map((v) => v.id)).toEqual([
      'pci-dss-4.0',
      'cis-3.0',
    ]);
  });
});
