import { InputError } from '../errors.js';
import type {
  ComplianceResult,
  ExpiredSuppression,
  Finding,
  FindingStatus,
  MuteInfo,
  RuleId,
} from '../model/findings.js';

import type { InventorySnapshot, IsoDate, KeyRecord } from '../model/inventory.js';
import type { MonthUsage } from '../model/usage.js';
import { parseMonth } from '../util/month.js';
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
  /** The month judged (`YYYY-MM`) when no usage is given; must agree with `usage.month` otherwise. */
  readonly month?: string | null;
  /** The rules to run; defaults to the whole catalogue. */
  readonly rules?: readonly Rule[];
}

/** The calendar month `YYYY-MM` as a `[start, end)` window in UTC. */
export function monthWindow(month: string): RuleMonth {
  const window = parseMonth(month, 'month');
  return { month: window.month, start: window.start.toISOString(), end: window.end.toISOString() };
}

const CLOUDTRAIL_SOURCES = new Set(['cloudtrail-lookup', 'cloudtrail-s3', 'sample']);

/** The month's usage evidence that concerns one key. */
export function keyUsageEvidence(usage: MonthUsage, key: KeyRecord): KeyUsageEvidence {
  const coverage = usage.coverage.filter(
    (c) => c.account === key.account && c.region === key.region && CLOUDTRAIL_SOURCES.has(c.source),
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
      .toSorted((a, b) => a.time.localeCompare(b.time)),
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
 * const context = buildRuleContext(key, { asOf: snapshot.collection.finishedAt });
 * KMS_ROT_01.evaluate(key, context);
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
  const usage = options.usage ? keyUsageEvidence(options.usage, key) : null;
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

function evaluateSafely(rule: Rule, key: KeyRecord, context: RuleContext): RuleResult {
  try {
    return rule.evaluate(key, context);
  } catch (error) {
    // Fail closed: a rule that cannot decide says so, and the run goes on.
    return { status: 'UNKNOWN', reason: `the rule could not be evaluated: ${errorText(error)}` };
  }
}

const DAY_MS = 86_400_000;

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
  if (usage && options.month && options.month !== usage.month)
    throw new InputError(
      'month',
      `${options.month} differs from the month of the usage evidence (${usage.month})`,
    );
  const window = usage
    ? { month: usage.month, start: usage.window.start, end: usage.window.end }
    : options.month
      ? monthWindow(options.month)
      : null;
  const now = options.clock.now();
  const disabled = new Set<RuleId>(config.disabledRules);
  const rules = (options.rules ?? ALL_RULES).filter((r) => !disabled.has(r.meta.id));
  const active = config.suppressions.filter((s) => suppressionIsActive(s, now));
  const expired = config.suppressions.filter((s) => !suppressionIsActive(s, now));
  const used = new Set<Suppression>();
  const wouldMute = new Map<Suppression, string[]>();
  const asOf = snapshot.collection.finishedAt;

  const findings: Finding[] = [];
  for (const key of snapshot.keys.toSorted((a, b) => a.arn.localeCompare(b.arn))) {
    const context = buildRuleContext(key, { asOf, config, usage, window });
    for (const rule of rules) {
      const result = evaluateSafely(rule, key, context);
      let status: FindingStatus = result.status;
      let muted: MuteInfo | null = null;
      if (result.status === 'FAIL') {
        const cover = active.find((s) => suppressionMatches(s, rule.meta.id, key.arn));
        if (cover) {
          status = 'MUTED';
          muted = muteInfo(cover);
          used.add(cover);
        }
        for (const s of expired)
          if (suppressionMatches(s, rule.meta.id, key.arn))
            wouldMute.set(s, [...(wouldMute.get(s) ?? []), key.arn]);
      }
      const fill = (text: string) =>
        text.replaceAll('<key-id>', key.keyId).replaceAll('<region>', key.region);
      findings.push({
        ruleId: rule.meta.id,
        title: rule.meta.title,
        keyArn: key.arn,
        keyId: key.keyId,
        account: key.account,
        region: key.region,
        status,
        severity: config.severities[rule.meta.id] ?? rule.meta.severity,
        reason: result.reason,
        details: result.details ?? {},
        remediation: { ...rule.meta.remediation, cli: fill(rule.meta.remediation.cli) },
        controls: controlsFor(rule.meta.id),
        muted,
      });
    }
  }

  const expiredSuppressions: ExpiredSuppression[] = expired.map((s) => ({
    ruleId: s.rule,
    keyPattern: s.key,
    justification: s.justification,
    owner: s.owner,
    ticket: s.ticket,
    expires: s.expires,
    wouldMute: wouldMute.get(s) ?? [],
  }));
  const summary: Record<FindingStatus, number> = {
    PASS: 0,
    FAIL: 0,
    NOT_APPLICABLE: 0,
    UNKNOWN: 0,
    MUTED: 0,
  };
  for (const f of findings) summary[f.status] += 1;
  return {
    evaluatedAt: new Date(now).toISOString(),
    evidenceAsOf: asOf,
    month: window?.month ?? null,
    rulesRun: rules.map((r) => r.meta.id),
    disabledRules: [...disabled],
    findings,
    expiredSuppressions,
    unusedSuppressions: active
      .filter((s) => !used.has(s))
      .map((s) => ({ ruleId: s.rule, keyPattern: s.key })),
    summary,
  };
}
