import type { CostDrivers, Recommendations } from './advice.js';
import type {
  ComplianceResult,
  ExpiredSuppression,
  Finding,
  FindingStatus,
  RuleId,
  RuleTable,
  Severity,
} from './findings.js';
import type { FindingFilter, FrameworkView } from './frameworks.js';
import type { Gap, IsoDate, OrganizationalUnit, RegionCoverage } from './inventory.js';
import type { CostTotal, KeyCost, Money, MonthCost, PricingTableRef, RequestTier } from './pricing.js';
import type { BillReconciliation } from './reconciliation.js';
import type { ReconciliationRow, UsageAssumption, UsageCoverage } from './usage.js';

/**
 * The monthly report as data: everything `report.md` shows, for machines (`report.json`).
 * Plain data; built by `buildMonthlyReport`, rendered by the Markdown and CSV renderers.
 */
export const REPORT_KIND = 'kms-report/monthly-report';
/**
 * The layout of report.json. 2: each rule's fixed text (title, severity, rationale, remediation,
 * controls) is in `rules`, once, and findings name their rule by `ruleId`; a finding has
 * `details` and `muted` only when set. 1 carried the rule's text in every finding.
 */
export const REPORT_SCHEMA_VERSION = 2;

/**
 * One key as the report's key table shows it: a key of the report's accounts, or a key of
 * another account that they were billed for using (`source` `request-counts`).
 */
export interface KeyRow {
  readonly arn: string;
  readonly keyId: string;
  readonly account: string;
  /** The account's name in AWS Organizations (organisation-wide reports); else null. */
  readonly accountName: string | null;
  readonly region: string;
  /** All aliases; the report shows the first as the key's name. */
  readonly aliases: readonly string[];
  readonly description: string;
  readonly keySpec: string | null;
  readonly keyState: string | null;
  readonly keyManager: 'AWS' | 'CUSTOMER' | null;
  readonly multiRegionRole: 'PRIMARY' | 'REPLICA' | null;
  readonly creationDate: IsoDate | null;
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  /** The value of the owner tag (`ownerTag` of the compliance configuration), or null when the key has none. */
  readonly owner: string | null;
  /** Where the report learnt of the key: the inventory, or only the month's lifecycle events. */
  readonly source: 'snapshot' | 'lifecycle-events' | 'request-counts';
  readonly billableHours: number | null;
  /** Null: unknown (never shown as zero). */
  readonly keyFee: Money | null;
  readonly rotationFee: Money | null;
  /** Requests billed to this report's accounts (not those other accounts made on the key). */
  readonly requests: Money | null;
  readonly requestCount: number | null;
  /** What the key cost this report's accounts: its {@link KeyCost.total}. */
  readonly total: Money;
  /** False when a line of this key is unknown: `total` is then a lower bound. */
  readonly totalComplete: boolean;
  /** Unmuted FAIL findings on the key. */
  readonly failing: number;
}

/**
 * One entry of "what to do first": one rule's fix, for every key that fails it. The list holds
 * the fixes that clear the most severe failing findings, then those of the keys that cost money
 * for nothing; report.md, report.html and report.json show the same list.
 */
export interface FirstAction {
  readonly ruleId: RuleId;
  /** The rule's title (what passes). */
  readonly title: string;
  /** The most severe of the findings it clears. */
  readonly severity: Severity;
  /** What to do (the rule's remediation); each key's command is with its findings. */
  readonly fix: string;
  /** The failing keys, as ARNs, in the order of the report's findings. */
  readonly keyArns: readonly string[];
  /** Their owners (owner tag values), distinct, sorted; keys without one are not counted. */
  readonly owners: readonly string[];
  /** Unmuted FAIL findings the action clears. */
  readonly findings: number;
  /**
   * What those keys cost this month, for rules whose keys cost money for nothing (disabled all
   * month, unused); null for the others.
   */
  readonly wastedCost: Money | null;
  /** Why it is on the list. */
  readonly why: 'severity' | 'cost';
}

/** A key that cost money for nothing this month. */
export interface WasteRow {
  readonly arn: string;
  readonly name: string;
  readonly reason: string;
  readonly cost: Money;
}

export interface CostSummary {
  /**
   * What the report's accounts were billed (estimate), credits included: the month's figure,
   * {@link MonthCost.total} (`cost.total` in report.json), the same value.
   */
  readonly total: CostTotal;
  /**
   * The parts of `total`. Each is a {@link CostTotal}: when some of its lines are unknown it
   * says so (`complete: false`), and its amount is only what could be priced.
   */
  readonly keyFees: CostTotal;
  readonly rotationFees: CostTotal;
  readonly requestsByTier: Readonly<Record<RequestTier, CostTotal>>;
  readonly unattributed: CostTotal;
  /** Negative. */
  readonly freeTierCredit: CostTotal;
  /**
   * Lines billed to accounts outside the report (requests they made on these accounts' keys):
   * {@link MonthCost.billedToOtherAccounts}. Shown, and in none of the figures above.
   */
  readonly billedToOtherAccounts: CostTotal;
}

/** How much of one account the run saw. */
export type AccountCoverage = 'complete' | 'partial' | 'failed';

/** One account in the organisation view. */
export interface AccountSummary {
  readonly account: string;
  readonly name: string | null;
  /** Null: unknown (the caller may not read OUs, or the account was named by id). */
  readonly ou: OrganizationalUnit | null;
  /**
   * `failed`: the account could not be entered (see the account gap); `partial`: a region, key,
   * evidence or usage source of it was not read in full; `complete`: everything was read.
   */
  readonly coverage: AccountCoverage;
  readonly keys: number;
  /** What the account was billed (estimate), its share of the free tier included. */
  readonly total: CostTotal;
  /** Unmuted FAIL findings on its keys, per severity. */
  readonly failingBySeverity: Readonly<Record<Severity, number>>;
  readonly failing: number;
  readonly unknown: number;
  /** Gaps of any scope in the account. */
  readonly gaps: number;
}

/** Totals of the accounts of one OU (or of the accounts whose OU is unknown: `ou` null). */
export interface OuSummary {
  readonly ou: OrganizationalUnit | null;
  readonly accounts: number;
  readonly keys: number;
  readonly total: CostTotal;
  readonly failing: number;
}

/** The organisation view of an organisation-wide report. */
export interface OrganizationView {
  /** `o-...`, when known. */
  readonly id: string | null;
  /** The account the report was run from. */
  readonly callerAccount: string;
  /** Every account in scope, including those that could not be entered. Sorted by id. */
  readonly accounts: readonly AccountSummary[];
  /** Per OU, when at least one OU is known; else empty. */
  readonly ous: readonly OuSummary[];
}

/**
 * The inventory was taken more than `LATE_EVIDENCE_DAYS` after the month ended: keys deleted in
 * between are not in it. The report warns, and says how to avoid it.
 */
export interface LateEvidence {
  /** Whole days from the month's end to the end of the inventory's collection. */
  readonly daysAfterMonthEnd: number;
  /** The limit past which the report warns (`LATE_EVIDENCE_DAYS`). */
  readonly limitDays: number;
  /** The warning, as report.md words it. */
  readonly warning: string;
}

export interface MonthOverMonth {
  readonly previousMonth: string;
  readonly keysAdded: readonly string[];
  readonly keysRemoved: readonly string[];
  readonly previousTotal: Money;
  readonly totalChange: Money;
  readonly findingsOpened: readonly { readonly ruleId: RuleId; readonly keyArn: string }[];
  readonly findingsResolved: readonly { readonly ruleId: RuleId; readonly keyArn: string }[];
}

export interface MonthlyReport {
  readonly kind: typeof REPORT_KIND;
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  /** `YYYY-MM`. */
  readonly month: string;
  /** True when the month had not ended when the evidence was collected. */
  readonly monthToDate: boolean;
  readonly period: { readonly start: IsoDate; readonly end: IsoDate };
  readonly generatedAt: IsoDate;
  readonly tool: { readonly name: 'kms-report'; readonly version: string };
  /** Sample data, not an AWS account. */
  readonly demo: boolean;
  readonly scope: {
    readonly partition: string;
    readonly accounts: readonly string[];
    readonly regions: readonly string[];
  };
  readonly evidence: {
    readonly collectedAt: { readonly startedAt: IsoDate; readonly finishedAt: IsoDate };
    readonly pricingTable: PricingTableRef;
    /** The request-volume sources used, or empty when none was collected. */
    readonly usageSources: readonly string[];
    /** The named assumptions those sources' figures rest on (see `USAGE_ASSUMPTIONS`). */
    readonly usageAssumptions: readonly UsageAssumption[];
    /** Set when the inventory was taken too long after the month ended; null otherwise. */
    readonly late: LateEvidence | null;
  };
  readonly coverage: {
    /** True when every region, key and source was read in full. */
    readonly complete: boolean;
    readonly regions: readonly RegionCoverage[];
    readonly usage: readonly UsageCoverage[];
    readonly gaps: readonly Gap[];
    /** Keys left out because they were created after the month. */
    readonly keysCreatedAfterMonth: readonly string[];
    /** CloudWatch's totals against the per-key counts: how much of the volume is explained key by key. */
    readonly reconciliation: readonly ReconciliationRow[];
  };
  readonly summary: {
    readonly cost: CostSummary;
    readonly keys: {
      readonly total: number;
      readonly byManager: Readonly<Record<string, number>>;
      readonly byState: Readonly<Record<string, number>>;
      readonly bySpec: Readonly<Record<string, number>>;
    };
    readonly findings: {
      readonly byStatus: Readonly<Record<FindingStatus, number>>;
      /** Unmuted FAILs per severity. */
      readonly failingBySeverity: Readonly<Record<Severity, number>>;
    };
    /** ARNs of the costliest keys, most expensive first. */
    readonly mostExpensive: readonly string[];
    readonly waste: readonly WasteRow[];
    /** What to do first: see {@link FirstAction}. */
    readonly firstActions: readonly FirstAction[];
  };
  /** The tag whose value is a key's owner (`ownerTag` of the compliance configuration). */
  readonly ownerTag: string;
  readonly keys: readonly KeyRow[];
  /**
   * The rules run, by id: each rule's title, severity, rationale, remediation (the CLI command as
   * a template: `<key-id>`, `<region>`) and controls, once for all its findings.
   */
  readonly rules: RuleTable;
  /** One per key and rule, ordered by key ARN then rule; the rule's text is in {@link MonthlyReport.rules}. */
  readonly findings: readonly Finding[];
  readonly expiredSuppressions: readonly ExpiredSuppression[];
  readonly unusedSuppressions: ComplianceResult['unusedSuppressions'];
  readonly monthOverMonth: MonthOverMonth | null;
  /** Why last month was not compared although its report folder exists (unreadable, too large, another version); null otherwise. */
  readonly monthOverMonthNote: string | null;
  /** Organisation-wide reports (`--org`, `--accounts`): totals, findings and coverage per account and OU. */
  readonly organization: OrganizationView | null;
  /** The full pricing output: every line, subtotal, assumption and notice. */
  readonly cost: MonthCost;
  /**
   * The filters the findings were narrowed by (`--rules`, `--severity`, `--status`): `findings`,
   * the summary, the files and `--fail-on` hold only what they admit. Null: every finding.
   */
  readonly filters: FindingFilter | null;
  /** The per-framework tables asked for (`--compliance cis-3.0`), from `findings`; null when none was asked for. */
  readonly frameworks: readonly FrameworkView[] | null;
  /**
   * The estimate beside the month's bill (`--bill cost-explorer|cur`, `kms-report reconcile`):
   * per usage type, and per key with a CUR, each difference explained or flagged. Null when no
   * bill was asked for.
   */
  readonly bill: BillReconciliation | null;
  /**
   * Who drives the request bill: the costliest callers overall and per key, with last month's
   * figures when its report had them; says when callers are unknown. Null in a report built
   * before cost drivers existed.
   */
  readonly drivers: CostDrivers | null;
  /**
   * What would cut the bill, in dollars (advice, not findings: `--fail-on` ignores them). Null in
   * a report built before recommendations existed.
   */
  readonly recommendations: Recommendations | null;
}
