import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTROL_MAPPINGS, controlsFor, UNMAPPED_RULES } from '../../../src/compliance/controls.js';
import { ALL_RULES } from '../../../src/compliance/rules/index.js';
import type { Rule } from '../../../src/compliance/rules/types.js';
import { RULE_IDS } from '../../../src/model/findings.js';

const RULES_DIR = fileURLToPath(new URL('../../../src/compliance/rules/', import.meta.url));

describe('Rule manifest', () => {
  it('has one file per catalogue rule, whose name, export and rule id agree', async () => {
    const files = (await readdir(RULES_DIR)).filter((f) => /^KMS-.+\.ts$/.test(f)).sort();
    expect(files.map((f) => f.replace(/\.ts$/, ''))).toEqual([...RULE_IDS].sort());
    for (const file of files) {
      const id = file.replace(/\.ts$/, '');
      const module = (await import(`${RULES_DIR}${file}`)) as Record<string, Rule>;
      expect(Object.keys(module), file).toEqual([id.replaceAll('-', '_')]);
      expect(module[id.replaceAll('-', '_')]?.meta.id, file).toBe(id);
    }
  });

  it('runs every rule in catalogue order', () => {
    expect(ALL_RULES.map((r) => r.meta.id)).toEqual([...RULE_IDS]);
  });

  it.each(ALL_RULES.map((r) => [r.meta.id, r] as const))('%s has complete metadata', (_id, rule) => {
    const { meta } = rule;
    expect(meta.title).not.toBe('');
    expect(meta.rationale.length).toBeGreaterThan(40);
    expect(meta.remediation.text).not.toBe('');
    expect(meta.remediation.cli).toMatch(/^aws kms /);
    expect(meta.remediation.cli).toContain('<region>');
    expect(meta.remediation.terraform?.resource).toMatch(/^aws_kms_(key|alias)$/);
  });

  it('every rule has control mappings, or is listed as unmapped with a reason (never both)', () => {
    for (const id of RULE_IDS) {
      const mapped = controlsFor(id).length > 0;
      const unmapped = UNMAPPED_RULES[id];
      expect(mapped !== (unmapped !== undefined), id).toBe(true);
      if (unmapped !== undefined) expect(unmapped.length, id).toBeGreaterThan(10);
    }
  });

  it('mappings point only at known rules', () => {
    for (const m of CONTROL_MAPPINGS) for (const id of m.ruleIds) expect(RULE_IDS).toContain(id);
  });

  it('pins the controls auditors look up for the rotation rule', () => {
    const refs = controlsFor('KMS-ROT-01').map((c) =>
      `${c.framework} ${c.version ?? ''} ${c.requirement}`.replace(/\s+/g, ' '),
    );
    expect(refs).toEqual(
      expect.arrayContaining([
        'AWS Security Hub (Foundational Security Best Practices) KMS.4',
        'AWS Config managed rule cmk-backing-key-rotation-enabled',
        'CIS Amazon Web Services Foundations Benchmark 1.2.0 2.8',
        'CIS Amazon Web Services Foundations Benchmark 2.0.0 3.8',
        'CIS Amazon Web Services Foundations Benchmark 3.0.0 3.6',
        'CIS Amazon Web Services Foundations Benchmark 5.0.0 3.6',
        'CIS Amazon Web Services Foundations Benchmark 7.0.0 4.6',
        'NIST SP 800-53 Rev. 5 SC-12',
        'NIST SP 800-53 Rev. 5 SC-12(2)',
        'NIST SP 800-53 Rev. 5 SC-28(3)',
        'PCI DSS 4.0 3.7.4',
      ]),
    );
    expect(controlsFor('KMS-DEL-01').map((c) => c.requirement)).toEqual([
      'KMS.3',
      'kms-cmk-not-scheduled-for-deletion',
    ]);
    expect(controlsFor('KMS-POL-01').map((c) => c.requirement)).toEqual(
      expect.arrayContaining(['KMS.5', 'kms-key-policy-no-public-access', '2.21', 'CKV_AWS_33']),
    );
  });
});
