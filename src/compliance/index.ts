/** The compliance stage: rules, the key-policy analyser, configuration and the engine. */
export {
  type ComplianceConfig,
  ComplianceConfigError,
  type ConfigIssue,
  complianceConfigSchema,
  DEFAULT_COMPLIANCE_CONFIG,
  loadComplianceConfig,
  parseComplianceConfig,
  type Suppression,
} from './config.js';
export { CONTROL_MAPPINGS, type ControlMapping, controlsFor, UNMAPPED_RULES } from './controls.js';
export {
  buildRuleContext,
  evaluateRule,
  keyUsageEvidence,
  monthWindow,
  type RunComplianceOptions,
  runCompliance,
  suppressionIsActive,
  suppressionMatches,
} from './engine.js';
export {
  FINDING_STATUSES,
  type FindingFilterOptions,
  filterCompliance,
  parseFindingFilter,
} from './filter.js';
export { availableFrameworks, frameworkViews, parseFrameworkIds } from './frameworks.js';
export {
  type KeyPolicy,
  type PolicyReading,
  type PolicyStatement,
  parseKeyPolicy,
  readKeyPolicy,
} from './policy/index.js';
export {
  ALL_RULES,
  type KeyUsageEvidence,
  type Rule,
  type RuleContext,
  type RuleMeta,
  type RuleMonth,
  type RuleResult,
} from './rules/index.js';
