/**
 * `kms-report/compliance`: the parts of the compliance stage. The rules (one per control, with
 * their metadata), the key-policy analyser, the mapping of rules to frameworks' controls, the
 * configuration file's parser and defaults, and how suppressions match and expire.
 *
 * `runCompliance` and `loadComplianceConfig` are in the root.
 *
 * @example Read a key policy, and list the rules with their controls
 * ```ts
 * import { ALL_RULES, controlsFor, parseKeyPolicy } from 'kms-report/compliance';
 *
 * const reading = parseKeyPolicy(policyJson);
 * if (reading.status === 'unreadable') console.log(reading.reason);
 * for (const rule of ALL_RULES) console.log(rule.meta.id, controlsFor(rule.meta.id));
 * ```
 *
 * @example Judge one key by every rule, as the engine does
 * ```ts
 * import { ALL_RULES, buildRuleContext, evaluateRule } from 'kms-report/compliance';
 *
 * const context = buildRuleContext(key, { asOf: snapshot.collection.finishedAt });
 * const verdicts = ALL_RULES.map((rule) => [rule.meta.id, evaluateRule(rule, key, context).status]);
 * ```
 *
 * @packageDocumentation
 */
export {
  ALL_RULES,
  buildRuleContext,
  CONTROL_MAPPINGS,
  type ControlMapping,
  controlsFor,
  DEFAULT_COMPLIANCE_CONFIG,
  evaluateRule,
  type KeyPolicy,
  type KeyUsageEvidence,
  keyUsageEvidence,
  monthWindow,
  type PolicyReading,
  type PolicyStatement,
  parseComplianceConfig,
  parseKeyPolicy,
  type Rule,
  type RuleContext,
  type RuleMeta,
  type RuleMonth,
  type RuleResult,
  readKeyPolicy,
  suppressionIsActive,
  suppressionMatches,
  UNMAPPED_RULES,
} from '../compliance/index.js';

// Types its signatures use, the root's model among them (the root exports them too;
// ComplianceConfig is inferred from the schema).
export {
  type ComplianceConfig,
  type Condition,
  complianceConfigSchema,
  type Principal,
  type SetQualifier,
  type Suppression,
} from '../index.js';
export * from './model.js';
