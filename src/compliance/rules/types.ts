import type { FindingDetails, Remediation, RuleId, RuleStatus, Severity } from '../../model/findings.js';
import type { IsoDate, KeyRecord } from '../../model/inventory.js';
import type { LifecycleEvent, RequestCount } from '../../model/usage.js';
import type { ComplianceConfig } from '../config.js';
import type { PolicyReading } from '../policy/parse.js';

/** The typed metadata beside each rule. */
export interface RuleMeta {
  readonly id: RuleId;
  /** One line: what a compliant key looks like. */
  readonly title: string;
  readonly severity: Severity;
  /** Why it matters. */
  readonly rationale: string;
  /**
   * Whether AWS managed keys (`aws/<service>`) are judged: `'evaluated'`, or not applicable
   * (AWS owns the setting and the customer cannot change it) with the reason the finding shows
   * after `AWS managed key: `. The engine reads it (`evaluateRule`): `evaluate` is not
   * called for an AWS managed key the rule does not apply to.
   */
  readonly awsManagedKeys: 'evaluated' | { readonly notApplicable: string };
  readonly remediation: Remediation;
}

/** The month judged by the lifecycle rules, `[start, end)` in UTC. */
export interface RuleMonth {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly start: IsoDate;
  readonly end: IsoDate;
}

/** The month's usage evidence for one key. */
export interface KeyUsageEvidence {
  readonly window: RuleMonth;
  /** Request counts for this key (CloudTrail). */
  readonly requests: readonly RequestCount[];
  /** Management events on this key, oldest first. */
  readonly lifecycle: readonly LifecycleEvent[];
  /** How much of the month CloudTrail covered for the key's account and region. */
  readonly cloudTrail: 'complete' | 'partial' | 'none';
}

/** Everything a rule may look at besides the key record. */
export interface RuleContext {
  readonly config: ComplianceConfig;
  /** The account that owns the key. */
  readonly account: string;
  /** When the evidence was collected: "days left" and "days since last use" are counted from here. */
  readonly asOf: IsoDate;
  /** The month judged, when known (from the usage evidence or given by the caller). */
  readonly window: RuleMonth | null;
  /** The key policy, parsed once for every POL rule. */
  readonly policy: PolicyReading;
  /** The month's usage for this key; null when no usage was collected. */
  readonly usage: KeyUsageEvidence | null;
}

export interface RuleResult {
  readonly status: RuleStatus;
  readonly reason: string;
  readonly details?: FindingDetails;
  /**
   * A lower severity for this finding than the rule's, when the reason says why (KMS-POL-05 when
   * only the key administrators' wildcard gives the grant right). The engine keeps the lower of
   * it and the rule's (configured) severity: a rule never raises its own.
   */
  readonly severity?: Severity;
}

/** A rule: metadata and a pure function of the key and its context. */
export interface Rule {
  readonly meta: RuleMeta;
  /**
   * The rule's own verdict. Call it through `evaluateRule`, not directly: the engine decides
   * NOT_APPLICABLE for AWS managed keys from `meta.awsManagedKeys` before asking the rule (the
   * rules no longer check it themselves), and turns a rule that throws into UNKNOWN.
   */
  evaluate(key: KeyRecord, context: RuleContext): RuleResult;
}
