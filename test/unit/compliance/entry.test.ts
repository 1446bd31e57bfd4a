import { describe, expect, it } from 'vitest';
import { ALL_RULES, buildRuleContext, evaluateRule } from '../../../src/entry/compliance.js';
import { AS_OF, awsManagedKey } from './factory.js';

describe('kms-report/compliance: one rule run on its own', () => {
  it('judges an AWS managed key as the engine does: NOT_APPLICABLE where the metadata says so, before the rule is asked', () => {
    const key = awsManagedKey();
    const context = buildRuleContext(key, { asOf: AS_OF });
    for (const rule of ALL_RULES) {
      const verdict = evaluateRule(rule, key, context);
      const scope = rule.meta.awsManagedKeys;
      if (scope === 'evaluated') expect(verdict.status, rule.meta.id).not.toBe('NOT_APPLICABLE');
      else
        expect(verdict, rule.meta.id).toEqual({
          status: 'NOT_APPLICABLE',
          reason: `AWS managed key: ${scope.notApplicable}`,
        });
    }
  });
});
