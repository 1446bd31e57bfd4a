import { shellWord } from '../util/shell.js';
import type { IsoDate } from './inventory.js';

/**
 * What the compliance engine says about keys: one finding per key and rule, each with its
 * reason, and the table of the rules run (each rule's title, remediation and controls, once). Plain data, and the few facts derived from
 * it that more than one stage shows (severity order, the failing findings per severity).
 */

/** The verdict of a rule on one key. */
export type RuleStatus = 'PASS' | 'FAIL' | 'NOT_APPLICABLE' | 'UNKNOWN';

/**
 * The status a report shows: a rule's verdict, or `MUTED` when a FAIL is covered by an
 * unexpired suppression (the suppression's justification travels with the finding).
 */
export type FindingStatus = RuleStatus | 'MUTED';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export type Severity = (typeof SEVERITIES)[number];

const SEVERITY_RANK = new Map<Severity, number>(SEVERITIES.map((s, i) => [s, i]));
/** A severity's place in {@link SEVERITIES}: 0 for critical, the most severe. */
export const severityRank = (s: Severity): number => SEVERITY_RANK.get(s) ?? SEVERITIES.length;

/** How many unmuted FAIL findings there are of each severity. */
export function failingBySeverity(
  findings: readonly { readonly status: FindingStatus; readonly severity: Severity }[],
): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (f.status === 'FAIL') counts[f.severity] += 1;
  return counts;
}

/**
 * The failing findings per severity as the reports and the CLI write them: most severe first,
 * the empty ones left out (empty text when nothing fails).
 *
 * @example
 * ```ts
 * severityCounts({ critical: 3, high: 3, medium: 0, low: 1, informational: 0 }); // '3 critical, 3 high, 1 low'
 * ```
 */
export function severityCounts(counts: Readonly<Record<Severity, number>>): string {
  return SEVERITIES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
}

/** The catalogue's rule identifiers. */
export const RULE_IDS = [
  'KMS-ROT-01',
  'KMS-ROT-02',
  'KMS-DEL-01',
  'KMS-DEL-02',
  'KMS-POL-01',
  'KMS-POL-02',
  'KMS-POL-03',
  'KMS-POL-04',
  'KMS-POL-05',
  'KMS-LIFE-01',
  'KMS-LIFE-02',
  'KMS-TAG-01',
  'KMS-ALIAS-01',
  'KMS-MR-01',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** How to fix a FAIL: in words, with the AWS CLI, and with Terraform. */
export interface Remediation {
  readonly text: string;
  /** An AWS CLI command; in a finding, `<key-id>` and `<region>` are filled in. */
  readonly cli: string;
  /** The Terraform resource and attribute that fixes it, when there is one. */
  readonly terraform: {
    readonly resource: 'aws_kms_key' | 'aws_kms_alias' | 'aws_kms_replica_key';
    readonly attribute: string;
    /** A line of HCL showing the compliant value. */
    readonly example: string;
  } | null;
}

/** A requirement of a framework auditors know, e.g. CIS AWS Foundations v3.0.0 3.6. */
export interface ControlRef {
  readonly framework: string;
  /** The framework version(s) the requirement number belongs to; null when unversioned. */
  readonly version: string | null;
  readonly requirement: string;
}

/** Why a FAIL is muted: the suppression that covers it. */
export interface MuteInfo {
  readonly justification: string;
  readonly owner: string;
  readonly ticket: string;
  /** The last day (UTC) the suppression mutes, `YYYY-MM-DD`. */
  readonly expires: string;
  /** The suppression's `key` as written (an ARN or an ARN pattern). */
  readonly keyPattern: string;
}

/** Facts behind a verdict a report may show in columns (deletion date, days left, ...). */
export type FindingDetails = Readonly<Record<string, string | number | boolean | null>>;

/**
 * What is the same for every finding of one rule in one run: what the rule checks, its severity
 * (after configured overrides), why it matters, how to fix a failing key and the controls it
 * gives evidence for. A report carries each rule's once (`rules` in report.json, rules.csv), and
 * its findings name the rule by id.
 */
export interface RuleInfo {
  readonly id: RuleId;
  /** One line: what a compliant key looks like. */
  readonly title: string;
  /** The severity of the rule's findings in this run: the catalogue's, or the configured override. */
  readonly severity: Severity;
  /** The catalogue's severity, before any override. */
  readonly defaultSeverity: Severity;
  /** Why it matters. */
  readonly rationale: string;
  /**
   * How to fix a failing key. `cli` is a template: `<key-id>` and `<region>` stand for the
   * finding's `keyId` and `region` ({@link remediationCommand} fills them in).
   */
  readonly remediation: Remediation;
  readonly controls: readonly ControlRef[];
}

/** The rules of a run by id, in catalogue order: each rule's fixed text, once. */
export type RuleTable = Readonly<Partial<Record<RuleId, RuleInfo>>>;

/**
 * A rule of the table; a finding always names a rule of its own report's table, so a missing
 * one is a programming error, not bad input.
 */
export function ruleOf(rules: RuleTable, id: RuleId): RuleInfo {
  const rule = rules[id];
  if (!rule) throw new Error(`rule ${id} is not in the report's rule table`);
  return rule;
}

/**
 * The remediation command for one key: the rule's CLI template with the key's id and region.
 *
 * @example
 * ```ts
 * remediationCommand(report.rules['KMS-ROT-01'], finding);
 * // 'aws kms enable-key-rotation --key-id 1234abcd-... --region eu-west-1'
 * ```
 */
export function remediationCommand(
  rule: Pick<RuleInfo, 'remediation'>,
  key: { readonly keyId: string; readonly region: string },
): string {
  // Quoted for the shell: a key id or region read from a file is never run as code.
  return rule.remediation.cli
    .replaceAll('<key-id>', shellWord(key.keyId))
    .replaceAll('<region>', shellWord(key.region));
}

/**
 * One rule's verdict on one key. The rule's fixed text (title, remediation, controls) is not
 * here but in the run's {@link RuleTable}, once per rule: a finding is what differs per key.
 */
export interface Finding {
  readonly ruleId: RuleId;
  readonly keyArn: string;
  readonly keyId: string;
  readonly account: string;
  readonly region: string;
  readonly status: FindingStatus;
  /** The severity after configured overrides (the rule's {@link RuleInfo.severity}). */
  readonly severity: Severity;
  /** A sentence a person can read: why this status. */
  readonly reason: string;
  /** Facts behind the verdict; absent when the rule gave none. */
  readonly details?: FindingDetails;
  /** Set only when status is MUTED: the suppression that covers the FAIL. */
  readonly muted?: MuteInfo;
}

/** A suppression past its expiry date: it mutes nothing, and is reported so someone renews or drops it. */
export interface ExpiredSuppression {
  readonly ruleId: RuleId;
  readonly keyPattern: string;
  readonly justification: string;
  readonly owner: string;
  readonly ticket: string;
  readonly expires: string;
  /** ARNs of the keys with a FAIL it would have muted. */
  readonly wouldMute: readonly string[];
}

export type FindingSummary = Readonly<Record<FindingStatus, number>>;

/** Everything one compliance run produced. */
export interface ComplianceResult {
  /** When the engine ran (from the injected clock). */
  readonly evaluatedAt: IsoDate;
  /** The time of the evidence: when the snapshot's collection finished. */
  readonly evidenceAsOf: IsoDate;
  /** The month judged by the lifecycle rules, when known (`YYYY-MM`). */
  readonly month: string | null;
  readonly rulesRun: readonly RuleId[];
  readonly disabledRules: readonly RuleId[];
  /** The rules run, by id: each one's title, severity, remediation and controls, once. */
  readonly rules: RuleTable;
  /** Ordered by key ARN, then by rule in catalogue order. */
  readonly findings: readonly Finding[];
  readonly expiredSuppressions: readonly ExpiredSuppression[];
  /** Unexpired suppressions that matched no FAIL (stale or mistyped). */
  readonly unusedSuppressions: readonly { readonly ruleId: RuleId; readonly keyPattern: string }[];
  readonly summary: FindingSummary;
}
