import type { FindingStatus, RuleId, Severity } from './findings.js';

/**
 * The per-framework view (`--compliance cis-3.0`): for each requirement of a framework the
 * control mappings name, the rules that give evidence for it and what they found. Plain data;
 * built by `frameworkViews` from the report's findings, rendered by report.md, report.html and
 * frameworks.csv.
 */

/**
 * The worst status among a requirement's findings, in this order: FAIL, UNKNOWN, MUTED, PASS,
 * NOT_APPLICABLE; `NOT_EVALUATED` when none of its rules produced a finding (the rules were
 * disabled, or filtered out of the report).
 */
export type RequirementStatus = FindingStatus | 'NOT_EVALUATED';

/** One requirement of a framework, as the report's table shows it. */
export interface RequirementView {
  /** The framework's own identifier of the requirement (`3.6`, `SC-12(2)`, `KMS.4`). */
  readonly requirement: string;
  /** The requirement's title as the framework words it; null when kms-report's catalogue has none (never invented). */
  readonly text: string | null;
  /** Where the text comes from; null with the text. */
  readonly source: string | null;
  /** The rules mapped to it, in catalogue order. */
  readonly ruleIds: readonly RuleId[];
  /** Findings of those rules (one per key and rule), per status. */
  readonly counts: Readonly<Record<FindingStatus, number>>;
  readonly status: RequirementStatus;
  /** ARNs of the keys with an unmuted FAIL on one of its rules, sorted, each once. */
  readonly failingKeys: readonly string[];
}

/** One framework (and version) the control mappings name, with a row per requirement. */
export interface FrameworkView {
  /** What `--compliance` takes: `cis-3.0`, `nist-800-53`, `pci-dss-4.0`. */
  readonly id: string;
  /** The framework's name (`CIS Amazon Web Services Foundations Benchmark`). */
  readonly framework: string;
  /** The version the requirements belong to (`3.0.0`), or null for an unversioned framework. */
  readonly version: string | null;
  readonly requirements: readonly RequirementView[];
}

/** One framework as `kms-report frameworks` lists it. */
export interface FrameworkInfo {
  readonly id: string;
  readonly framework: string;
  readonly version: string | null;
  /** Requirement identifiers, in catalogue order. */
  readonly requirements: readonly string[];
  /** Rules mapped to any of them, in catalogue order. */
  readonly ruleIds: readonly RuleId[];
}

/**
 * The command line's filters (`--rules`, `--severity`, `--status`), as the report records them:
 * what it holds is only the findings that pass every filter given. Null fields: not filtered.
 */
export interface FindingFilter {
  readonly rules: readonly RuleId[] | null;
  readonly severities: readonly Severity[] | null;
  readonly statuses: readonly FindingStatus[] | null;
}
