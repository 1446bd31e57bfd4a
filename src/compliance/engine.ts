import { InputError } from '../errors.js';
import {
  type ComplianceResult,
  type ExpiredSuppression,
  type Finding,
  type FindingDetails,
  type FindingStatus,
  type MuteInfo,
  type RuleId,
  type RuleInfo,
  type RuleTable,
  type Severity,
  severityRank,
} from '../model/findings.js';
import type { InventorySnapshot, IsoDate, KeyRecord } from '../model/inventory.js';
import { countsPerKey, type MonthUsage } from '../model/usage.js';
import { compareText, compositeKey } from '../util/compare.js';
import { DAY_MS, type Month, monthOf } from '../util/month.js';
import { type ComplianceConfig, DEFAULT_COMPLIANCE_CONFIG, type Suppression } from './config.js';
import { controlsFor } from './controls.js';
import { wildcardMatch } from './policy/analysis.js';
import { readKeyPolicy } from './policy/index.js';
import type { PolicyReading } from './policy/parse.js';
import { ALL_RULES } from './rules/index.js';
import type { KeyUsageEvidence, Rule, RuleContext, RuleMonth, RuleResult } from './rules/types.js';

/** What {@link runCompliance} needs besides the snapshot. */
export interface RunComplianceOptions {
  /** The time source; the engine never reads the machine clock. Decides which suppressions have expired. */
  readonly clock: { now(): number };
  /** Defaults to {@link DEFAULT_COMPLIANCE_CONFIG}. */
  readonly config?: ComplianceConfig;
  /** The month's usage (CloudTrail lifecycle events and request counts): evidence for KMS-DEL-02 and KMS-LIFE-01/02. */
  readonly usage?: MonthUsage | null;
  /**
   * The month judged when no usage is given; must agree with `usage.month` otherwise. A
   * {@link Month} (parsed once at the edge) is used as it is; a `YYYY-MM` text is parsed.
   */
  readonly month?: string | Month | null;
  /** The rules to run; defaults to the whole catalogue. */
  readonly rules?: readonly Rule[];
}

/**
 * The calendar month as a `[start, end)` window in UTC: a {@link Month} as it is, a `YYYY-MM`
 * text parsed (an {@link InputError} naming `month` when malformed).
 */
export function monthWindow(month: string | Month): RuleMonth {
  const window = typeof month === 'string' ? monthOf(month, undefined, 'month') : month;
  return { month: window.month, start: window.start.toISOString(), end: window.end.toISOString() };
}

/**
 * The month's usage evidence grouped once by key (requests, lifecycle events in time order) and
 * by account and region (CloudTrail coverage), so judging every key reads each row once instead
 * of scanning the whole month's usage per key.
 */
interface UsageIndex {
  readonly usage: MonthUsage;
  readonly requests: ReadonlyMap<string, readonly MonthUsage['requests'][number][]>;
  readonly lifecycle: ReadonlyMap<string, readonly MonthUsage['lifecycle'][number][]>;
  readonly cloudTrail: ReadonlyMap<string, 'complete' | 'partial' | 'none'>;
}

const NO_ROWS: readonly never[] = Object.freeze([]);
const regionId = (account: string, region: string) => compositeKey(account, region);

function indexUsage(usage: MonthUsage): UsageIndex {
  const requests = new Map<string, MonthUsage['requests'][number][]>();
  for (const r of usage.requests) {
    const list = requests.get(r.keyArn);
    if (list) list.push(r);
    else requests.set(r.keyArn, [r]);
  }
  const lifecycle = new Map<string, MonthUsage['lifecycle'][number][]>();
  for (const e of usage.lifecycle) {
    const list = lifecycle.get(e.keyArn);
    if (list) list.push(e);
    else lifecycle.set(e.keyArn, [e]);
  }
  // Stable sort per key: the same order as sorting the key's events alone.
  for (const list of lifecycle.values()) list.sort((a, b) => compareText(a.time, b.time));
  const cloudTrail = new Map<string, 'complete' | 'partial' | 'none'>();
  for (const c of usage.coverage) {
    if (!countsPerKey(c.source)) continue;
    const id = regionId(c.account, c.region);
    const was = cloudTrail.get(id) ?? 'none';
    if (c.status === 'complete') cloudTrail.set(id, 'complete');
    else if (c.status === 'partial' && was === 'none') cloudTrail.set(id, 'partial');
    else cloudTrail.set(id, was);
  }
  return { usage, requests, lifecycle, cloudTrail };
}

/**
 * {@link keyUsageEvidence} for many keys: the usage is grouped once, then each key's evidence is
 * a look-up (the same evidence; its lists are shared and read-only).
 */
export function usageEvidenceByKey(usage: MonthUsage): (key: KeyRecord) => KeyUsageEvidence {
  const index = indexUsage(usage);
  return (key) => usageEvidenceOf(index, key);
}

function usageEvidenceOf(index: UsageIndex, key: KeyRecord): KeyUsageEvidence {
  const { usage } = index;
  return {
    window: { month: usage.month, start: usage.window.start, end: usage.window.end },
    requests: index.requests.get(key.arn) ?? NO_ROWS,
    lifecycle: index.lifecycle.get(key.arn) ?? NO_ROWS,
    cloudTrail: index.cloudTrail.get(regionId(key.account, key.region)) ?? 'none',
  };
}

/** The month's usage evidence that concerns one key. */
export function keyUsageEvidence(usage: MonthUsage, key: KeyRecord): KeyUsageEvidence {
  const coverage = usage.coverage.filter(
    (c) => c.account === key.account && c.region === key.region && countsPerKey(c.source),
  );
  const cloudTrail = coverage.some((c) => c.status === 'complete')
    ? 'complete'
    : coverage.some((c) => c.status === 'partial')
      ? 'partial'
      : 'none';
  return {
    window: { month: usage.month, start: usage.window.start, end: usage.window.end },
    requests: usage.requests.filter((r) => r.keyArn === key.arn),
    lifecycle: usage.lifecycle
      .filter((e) => e.keyArn === key.arn)
      .toSorted((a, b) => compareText(a.time, b.time)),
    cloudTrail,
  };
}

function safeReadPolicy(key: KeyRecord): PolicyReading {
  try {
    return readKeyPolicy(key.policy);
  } catch (error) {
    return { status: 'unreadable', reason: `the key policy could not be analysed: ${errorText(error)}` };
  }
}

/**
 * The context a rule sees for one key. The engine builds it; it is exported so a single
 * rule can be run on its own.
 *
 * @example
 * ```ts
 * import { ALL_RULES, buildRuleContext, evaluateRule } from 'kms-report/compliance';
 *
 * const rotation = ALL_RULES.find((rule) => rule.meta.id === 'KMS-ROT-01');
 * const context = buildRuleContext(key, { asOf: snapshot.collection.finishedAt });
 * if (rotation) evaluateRule(rotation, key, context);
 * ```
 */
export function buildRuleContext(
  key: KeyRecord,
  options: {
    readonly asOf: IsoDate;
    readonly config?: ComplianceConfig;
    readonly usage?: MonthUsage | null;
    readonly window?: RuleMonth | null;
  },
): RuleContext {
  return contextOf(key, options, options.usage ? indexUsage(options.usage) : null);
}

function contextOf(
  key: KeyRecord,
  options: { readonly asOf: IsoDate; readonly config?: ComplianceConfig; readonly window?: RuleMonth | null },
  index: UsageIndex | null,
): RuleContext {
  const usage = index ? usageEvidenceOf(index, key) : null;
  return {
    config: options.config ?? DEFAULT_COMPLIANCE_CONFIG,
    account: key.account,
    asOf: options.asOf,
    window: usage?.window ?? options.window ?? null,
    policy: safeReadPolicy(key),
    usage,
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * One rule's verdict on one key, as the engine gives it: NOT_APPLICABLE without asking the rule
 * when the key is AWS managed and the rule's `awsManagedKeys` metadata says it does not apply
 * (when the metadata could not be read the rule decides, and says UNKNOWN); otherwise the
 * rule's own verdict, or UNKNOWN naming the error when the rule throws.
 *
 * @example
 * ```ts
 * import { ALL_RULES, buildRuleContext, evaluateRule } from 'kms-report/compliance';
 *
 * const context = buildRuleContext(key, { asOf: snapshot.collection.finishedAt });
 * for (const rule of ALL_RULES) {
 *   const { status, reason } = evaluateRule(rule, key, context);
 *   console.log(rule.meta.id, status, reason); // KMS-ROT-01 FAIL automatic rotation is off
 * }
 * ```
 */
export function evaluateRule(rule: Rule, key: KeyRecord, context: RuleContext): RuleResult {
  const scope = rule.meta.awsManagedKeys;
  if (scope !== 'evaluated' && key.metadata.status === 'collected' && key.metadata.value.keyManager === 'AWS')
    return { status: 'NOT_APPLICABLE', reason: `AWS managed key: ${scope.notApplicable}` };
  try {
    return rule.evaluate(key, context);
  } catch (error) {
    // Fail closed: a rule that cannot decide says so, and the run goes on.
    return { status: 'UNKNOWN', reason: `the rule could not be evaluated: ${errorText(error)}` };
  }
}

/** A suppression mutes through its expiry day (UTC) and stops at the start of the next day. */
export function suppressionIsActive(suppression: Suppression, now: number): boolean {
  return now < Date.parse(`${suppression.expires}T00:00:00.000Z`) + DAY_MS;
}

/** Whether a suppression covers a finding: same rule, key ARN equal to or matching the pattern (`*` wildcards). */
export function suppressionMatches(suppression: Suppression, ruleId: RuleId, keyArn: string): boolean {
  return suppression.rule === ruleId && wildcardMatch(suppression.key, keyArn, false);
}

const muteInfo = (s: Suppression): MuteInfo => ({
  justification: s.justification,
  owner: s.owner,
  ticket: s.ticket,
  expires: s.expires,
  keyPattern: s.key,
});

/**
 * Runs every enabled rule over every key of a snapshot. Each verdict becomes a finding with
 * its reason, severity (after overrides), remediation and controls; a FAIL covered by an
 * unexpired suppression becomes MUTED; expired suppressions mute nothing and are listed.
 * A rule that throws yields an UNKNOWN finding naming the error.
 *
 * @example
 * ```ts
 * const config = await loadComplianceConfig('kms-report.yaml');
 * const result = runCompliance(snapshot, { config, usage, clock: { now: () => Date.now() } });
 * for (const f of result.findings.filter((f) => f.status === 'FAIL'))
 *   console.log(`${f.ruleId} ${f.keyArn}: ${f.reason}`);
 * ```
 */
export function runCompliance(snapshot: InventorySnapshot, options: RunComplianceOptions): ComplianceResult {
  const config = options.config ?? DEFAULT_COMPLIANCE_CONFIG;
  const usage = options.usage ?? null;
  const window = judgedWindow(usage, options.month ?? null);
  const now = options.clock.now();
  const disabled = new Set<RuleId>(config.disabledRules);
  const rules = (options.rules ?? ALL_RULES).filter((r) => !disabled.has(r.meta.id));
  const muting = mutingOf(config.suppressions, now);
  const asOf = snapshot.collection.finishedAt;
  const table = ruleTable(rules, config);
  const judging: Judging = {
    config,
    window,
    asOf,
    index: usage ? indexUsage(usage) : null,
    rules,
    table,
    muting,
    reasons: reasonTable(),
  };
  const findings: Finding[] = [];
  for (const key of snapshot.keys.toSorted((a, b) => compareText(a.arn, b.arn)))
    judgeKey(key, judging, findings);
  return {
    evaluatedAt: new Date(now).toISOString(),
    evidenceAsOf: asOf,
    month: window?.month ?? null,
    rulesRun: rules.map((r) => r.meta.id),
    disabledRules: [...disabled],
    rules: table,
    findings,
    expiredSuppressions: muting.expired(),
    unusedSuppressions: muting.unused(),
    summary: summaryOf(findings),
  };
}

/** The month judged: the usage evidence's, else the caller's; both given must agree. */
function judgedWindow(usage: MonthUsage | null, month: string | Month | null): RuleMonth | null {
  const asked = month === null ? null : typeof month === 'string' ? month : month.month;
  if (usage && asked && asked !== usage.month)
    throw new InputError('month', `${asked} differs from the month of the usage evidence (${usage.month})`);
  if (usage) return { month: usage.month, start: usage.window.start, end: usage.window.end };
  return month ? monthWindow(month) : null;
}

/** What judging every key of one run shares. */
interface Judging {
  readonly config: ComplianceConfig;
  readonly window: RuleMonth | null;
  readonly asOf: IsoDate;
  readonly index: UsageIndex | null;
  readonly rules: readonly Rule[];
  readonly table: RuleTable;
  readonly muting: Muting;
  readonly reasons: Reasons;
}

/**
 * One copy of each reason text per run. Rules build their reasons per key (template literals:
 * a new string each time, often a rope of its parts), yet most keys share them ("automatic
 * rotation is off", "missing required tag: Owner"): the findings of a large estate keep one
 * string per distinct text instead of one per finding.
 */
interface Reasons {
  of(text: string): string;
}

/** Past this many distinct texts, new ones are kept as they are: the table stays bounded. */
const MAX_SHARED_REASONS = 65_536;

function reasonTable(): Reasons {
  const seen = new Map<string, string>();
  return {
    of(text) {
      const known = seen.get(text);
      if (known !== undefined) return known;
      if (seen.size < MAX_SHARED_REASONS) seen.set(text, text);
      return text;
    },
  };
}

/**
 * Each rule's fixed text, once per run (severity after the configured overrides): findings name
 * the rule by id instead of each carrying its title, remediation and controls.
 */
function ruleTable(rules: readonly Rule[], config: ComplianceConfig = DEFAULT_COMPLIANCE_CONFIG): RuleTable {
  const table: Partial<Record<RuleId, RuleInfo>> = {};
  for (const { meta } of rules)
    table[meta.id] = {
      id: meta.id,
      title: meta.title,
      severity: config.severities[meta.id] ?? meta.severity,
      defaultSeverity: meta.severity,
      rationale: meta.rationale,
      remediation: meta.remediation,
      controls: controlsFor(meta.id),
    };
  return table;
}

/**
 * Every rule's finding on one key, appended to `findings` in rule order. A finding holds only
 * what differs per key (the rule's text is in the run's rule table); the strings it shares with
 * the key record and the table are references, and it has `details` and `muted` only when set:
 * at 100,000 keys there are 1.4 million of them.
 */
function judgeKey(key: KeyRecord, judging: Judging, findings: Finding[]): void {
  const { rules, table, muting } = judging;
  const context = contextOf(key, judging, judging.index);
  for (const rule of rules) {
    const result = evaluateRule(rule, key, context);
    const muted = result.status === 'FAIL' ? muting.cover(rule.meta.id, key.arn) : null;
    const finding: { -readonly [K in keyof Finding]: Finding[K] } = {
      ruleId: rule.meta.id,
      keyArn: key.arn,
      keyId: key.keyId,
      account: key.account,
      region: key.region,
      status: muted ? 'MUTED' : result.status,
      severity: lowerSeverity((table[rule.meta.id] as RuleInfo).severity, result.severity),
      reason: judging.reasons.of(result.reason),
    };
    if (result.details && hasAny(result.details)) finding.details = result.details;
    if (muted) finding.muted = muted;
    findings.push(finding);
  }
}

/** The rule's severity, or the finding's own when the rule gave a lower one. */
function lowerSeverity(rule: Severity, finding: Severity | undefined): Severity {
  return finding !== undefined && severityRank(finding) > severityRank(rule) ? finding : rule;
}

function hasAny(details: FindingDetails): boolean {
  for (const _ in details) return true;
  return false;
}

/** The suppressions of one run: which mute a FAIL, which have expired, which matched nothing. */
interface Muting {
  /** The mute of an unexpired suppression covering this FAIL, else null (and notes expired ones that would). */
  cover(ruleId: RuleId, keyArn: string): MuteInfo | null;
  expired(): ExpiredSuppression[];
  unused(): { readonly ruleId: RuleId; readonly keyPattern: string }[];
}

function mutingOf(suppressions: readonly Suppression[], now: number): Muting {
  const active = suppressions.filter((s) => suppressionIsActive(s, now));
  const expired = suppressions.filter((s) => !suppressionIsActive(s, now));
  const used = new Set<Suppression>();
  const wouldMute = new Map<Suppression, string[]>();
  return {
    cover(ruleId, keyArn) {
      for (const s of expired)
        if (suppressionMatches(s, ruleId, keyArn)) {
          const keys = wouldMute.get(s);
          if (keys) keys.push(keyArn);
          else wouldMute.set(s, [keyArn]);
        }
      const cover = active.find((s) => suppressionMatches(s, ruleId, keyArn));
      if (!cover) return null;
      used.add(cover);
      return muteInfo(cover);
    },
    expired: () =>
      expired.map((s) => ({
        ruleId: s.rule,
        keyPattern: s.key,
        justification: s.justification,
        owner: s.owner,
        ticket: s.ticket,
        expires: s.expires,
        wouldMute: wouldMute.get(s) ?? [],
      })),
    unused: () => active.filter((s) => !used.has(s)).map((s) => ({ ruleId: s.rule, keyPattern: s.key })),
  };
}

function summaryOf(findings: readonly Finding[]): Record<FindingStatus, number> {
  const summary: Record<FindingStatus, number> = {
    PASS: 0,
    FAIL: 0,
    NOT_APPLICABLE: 0,
    UNKNOWN: 0,
    MUTED: 0,
  };
  for (const f of findings) summary[f.status] += 1;
  return summary;
}
