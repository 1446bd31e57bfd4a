import { describe, expect, it } from 'vitest';
import { runCompliance } from '../../../src/compliance/engine.js';
import { filterCompliance, filterPrevious, parseFindingFilter } from '../../../src/compliance/filter.js';
import { InputError } from '../../../src/errors.js';
import { collected } from '../../../src/model/observed.js';
import { makeKey, snapshotOf } from './factory.js';

const NOW = { now: () => Date.parse('2026-10-20T12:00:00.000Z') };
const noRotation = collected({
  enabled: false,
  periodInDays: null,
  nextRotationDate: null,
  onDemandRotationStartDate: null,
});

describe('parseFindingFilter', () => {
  it('reads rule ids, severities and statuses in any case, in catalogue order', () => {
    expect(
      parseFindingFilter({
        rules: ['kms-rot-01', 'KMS-POL-01'],
        severities: ['HIGH'],
        statuses: ['not-applicable', 'fail'],
      }),
    ).toEqual({
      rules: ['KMS-ROT-01', 'KMS-POL-01'],
      severities: ['high'],
      statuses: ['FAIL', 'NOT_APPLICABLE'],
    });
    expect(parseFindingFilter({})).toBeNull();
  });

  it('refuses an unknown rule id, naming the flag and listing the valid ones', () => {
    expect(() => parseFindingFilter({ rules: ['KMS-ROT-99'] })).toThrowError(InputError);
    expect(() => parseFindingFilter({ rules: ['KMS-ROT-99'] })).toThrowError(
      /^--rules: unknown value "KMS-ROT-99"; expected one of KMS-ROT-01, KMS-ROT-02, .*KMS-MR-01$/,
    );
    expect(() => parseFindingFilter({ statuses: ['broken'] })).toThrowError(
      /^--status: unknown value "broken"/,
    );
    expect(() => parseFindingFilter({ severities: ['urgent'] })).toThrowError(
      /^--severity: unknown value "urgent"/,
    );
  });
});

describe('filterCompliance', () => {
  const result = runCompliance(snapshotOf([makeKey({ rotation: noRotation })]), { clock: NOW });

  it('keeps only the findings every filter admits, and counts only them', () => {
    const filter = parseFindingFilter({ rules: ['KMS-ROT-01', 'KMS-TAG-01'], statuses: ['FAIL'] });
    const narrowed = filterCompliance(result, filter);
    expect(narrowed.findings.map((f) => [f.ruleId, f.status])).toEqual([['KMS-ROT-01', 'FAIL']]);
    expect(narrowed.summary).toEqual({ PASS: 0, FAIL: 1, NOT_APPLICABLE: 0, UNKNOWN: 0, MUTED: 0 });
    expect(Object.keys(narrowed.rules)).toEqual(['KMS-ROT-01', 'KMS-TAG-01']);
    expect(filterCompliance(result, null)).toBe(result);
  });

  it('narrows last month alike, so a FAIL the filter leaves out is not "resolved"', () => {
    const filter = parseFindingFilter({ rules: ['KMS-ROT-01'] });
    const previous = {
      month: '2026-09',
      keys: [],
      summary: { cost: { total: { amount: '0' } } },
      findings: [
        { ruleId: 'KMS-ROT-01' as const, keyArn: 'a', status: 'FAIL' },
        { ruleId: 'KMS-TAG-01' as const, keyArn: 'a', status: 'FAIL' },
      ],
    };
    expect(filterPrevious(previous, filter, filterCompliance(result, filter).rules).findings).toEqual([
      { ruleId: 'KMS-ROT-01', keyArn: 'a', status: 'FAIL' },
    ]);
  });
});
