import type { BillClients, BillReaderKind, CurAthenaLocation, CurExportLocation } from '../bill/index.js';
import type { NetworkOptions } from '../collect/client-defaults.js';
import type { ClientSource, InventoryClients, UsageClients } from '../collect/clients.js';
import type { RegionProgress } from '../collect/kms.js';
import type { FindingFilterOptions } from '../compliance/filter.js';
import type { FreeTierScope } from '../model/pricing.js';
import type { AccountSpec } from '../org/accounts.js';
import type { AccountProgress } from '../org/targets.js';
import type { SecurityHubOptions } from '../publish/security-hub.js';
import type { FindingsCsvRows } from '../report/csv.js';
import type { AthenaUsageOptions } from '../usage/athena.js';
import type { UsageSourceOption } from '../usage/collect.js';
import type { UsageProgress } from '../usage/source.js';
import type { ReportFormat } from './formats.js';

/** What a collection from AWS reads, for one account or many. */
export interface CollectionOptions {
  /** A list, `'all'` (every region enabled for the account), or omitted: the configured region. */
  readonly regions?: readonly string[] | 'all';
  /**
   * The SDK clients of the inventory and the usage (tests, custom credentials, proxies): one set,
   * which reads the caller's own account only, or a `ClientFactory` (a function of the
   * credentials), which an organisation needs to enter its accounts. Default: the run's own, on
   * `profile`, with the run's `network` timeouts.
   */
  readonly clients?: ClientSource<InventoryClients & UsageClients>;
  /** The AWS named profile (default: AWS_PROFILE or the default credential chain). */
  readonly profile?: string;
  /** Call GetKeyLastUsage for customer managed keys. Default true. */
  readonly lastUsage?: boolean;
  /** Request-volume sources; `[]` for none. Default {@link DEFAULT_USAGE_SOURCES}. */
  readonly usageSources?: readonly UsageSourceOption[];
  /** For the `s3` usage source: the trail bucket. */
  readonly bucket?: string;
  /** For the `s3` usage source: the key prefix before `<account>/CloudTrail/` (default `AWSLogs/`). */
  readonly prefix?: string;
  /** For the `athena` usage source: the organisation trail's table and where to query it (README, "Athena"). */
  readonly athena?: AthenaUsageOptions;
}

/** Collect from the caller's own account (the default evidence). */
export interface LiveEvidenceOptions extends CollectionOptions {
  readonly kind: 'live';
}

/**
 * Collect from several accounts, entering each with a role: one report set under
 * `<dir>/organization/<YYYY-MM>/`, with an organisation view.
 */
export interface OrganizationEvidenceOptions extends CollectionOptions {
  readonly kind: 'organization';
  /** Read the accounts from AWS Organizations (`--org`); else `accounts` names them. */
  readonly fromOrganization: boolean;
  /** `--accounts`: narrows the organisation, or names the accounts (ids or role ARNs). */
  readonly accounts?: readonly AccountSpec[];
  /** The role assumed in each account (`--role-name`). */
  readonly roleName?: string;
  readonly externalId?: string;
  /** Accounts read at once. */
  readonly accountConcurrency?: number;
}

/** Render from saved evidence (`kms-report collect` and `kms-report usage`): no AWS calls. */
export interface SavedEvidenceOptions {
  readonly kind: 'saved';
  /** A saved inventory snapshot (`snapshot.json` of a report set, or `kms-report collect`). */
  readonly snapshotFile: string;
  /** A saved usage evidence file of the same month; without it the report has no request volumes. */
  readonly usageFile?: string;
}

/** The sample account that ships with kms-report (October 2026): no AWS account needed. */
export interface DemoEvidenceOptions {
  readonly kind: 'demo';
}

/** Where a run's evidence (inventory, usage, compliance configuration) comes from. */
export type EvidenceOptions =
  | LiveEvidenceOptions
  | OrganizationEvidenceOptions
  | SavedEvidenceOptions
  | DemoEvidenceOptions;

/** What is written, and where. */
export interface OutputOptions {
  /**
   * Where report sets go: `<dir>/<account>/<YYYY-MM>/` (`<dir>/organization/<YYYY-MM>/` for an
   * organisation). Default {@link DEFAULT_OUT_DIR} (`reports`). A folder that would resolve
   * outside it (a symbolic link out) is refused.
   */
  readonly dir?: string;
  /** Default {@link DEFAULT_REPORT_FORMATS}. */
  readonly formats?: readonly ReportFormat[];
  /** Rows per table in report.md and report.html (default `DEFAULT_MARKDOWN_TABLE_ROWS`, 1,000); 0 for no limit. */
  readonly markdownMaxRows?: number;
  /** Which findings findings.csv holds: `all` (default, every verdict) or `not-passed` (PASS rows left out). */
  readonly findingsCsv?: FindingsCsvRows;
}

/** How the month is priced. */
export interface PricingOptions {
  /** A pricing table file (`.json`), or a folder of them. Default: the tables shipped in `pricing/`. */
  readonly tables?: string;
  /**
   * How the request free tier is applied. Default: `organization` for a run over AWS
   * Organizations (`fromOrganization`, or a snapshot of one: consolidated billing gives the
   * organisation one free tier), else `account`. The report says which was used.
   */
  readonly freeTierScope?: FreeTierScope;
}

/**
 * The estimate beside the month's bill: which bill is read, and how differences are judged. The
 * bill is read with the caller's credentials (for an organisation: the management account's,
 * which sees every linked account); Cost Explorer costs $0.01 a request (one a month, one per
 * extra page).
 */
export interface BillOptions {
  /** Where the bill is read. */
  readonly source: BillReaderKind;
  /** Clients of the bill readers (tests, proxies); default: made on the run's `profile` and timeouts. */
  readonly clients?: BillClients;
  /** A difference above this percentage of its bill (and rounding) is flagged unless explained. Default 5. */
  readonly driftThresholdPercent?: number;
  /** Flag differences on a bill still estimated. Default false (an estimated bill changes until AWS settles it). */
  readonly flagEstimatedBill?: boolean;
  /** For `source: 'cur'`: where the CUR 2.0 export is (its bucket, or a local copy, and the prefix under it). */
  readonly cur?: CurExportLocation;
  /** For `source: 'cur-athena'`: the CUR 2.0 table in Athena and where to query it. */
  readonly curAthena?: CurAthenaLocation;
}

/** Progress of a live collection, for a display. */
export interface ProgressOptions {
  readonly onInventory?: (p: RegionProgress) => void;
  readonly onUsage?: (p: UsageProgress) => void;
  /** An organisation's accounts: started, collected or failed to enter. */
  readonly onAccount?: (p: AccountProgress) => void;
}

/**
 * The monthly job's options: the month, where the evidence comes from, what is written, how it
 * is priced; the rest tunes the run. Everything is optional: `{}` reports the previous month of
 * the caller's account in its configured region, into `reports/`.
 *
 * @example
 * ```ts
 * // The previous month of one account, two regions.
 * await runMonthlyReport({ evidence: { kind: 'live', regions: ['us-east-1', 'eu-west-1'] } });
 * // Every account of the organisation, every enabled region, into ./out as Markdown and HTML.
 * await runMonthlyReport({
 *   month: '2026-10',
 *   evidence: { kind: 'organization', fromOrganization: true, roleName: 'KmsReportReader', regions: 'all' },
 *   output: { dir: 'out', formats: ['md', 'html'] },
 * });
 * // Rendered again from the evidence saved beside last month's report: no AWS calls.
 * await runMonthlyReport({
 *   month: '2026-10',
 *   evidence: { kind: 'saved', snapshotFile: 'reports/111122223333/2026-10/snapshot.json', usageFile: 'reports/111122223333/2026-10/usage.json' },
 * });
 * // The sample account: no AWS account needed.
 * await runMonthlyReport({ evidence: { kind: 'demo' } });
 * ```
 */
export interface MonthlyReportOptions {
  /** `YYYY-MM`; default the previous calendar month (UTC). The current month is month to date. */
  readonly month?: string;
  /** Default `{ kind: 'live' }`: the caller's account, in the configured region. */
  readonly evidence?: EvidenceOptions;
  readonly output?: OutputOptions;
  readonly pricing?: PricingOptions;
  /** Read the month's bill and put the estimate beside it (report.json's `bill`, report.md's "Estimate vs bill", reconciliation.csv). Default: none. */
  readonly bill?: BillOptions;
  /** Compliance configuration (YAML: rules, thresholds, suppressions). Default: the built-in one (the demo's own for the demo). */
  readonly configFile?: string;
  /**
   * Narrow the findings reported (and judged by a `--fail-on`-style check on `report.findings`):
   * rule ids, severities, statuses (`['KMS-POL-01']`, `['critical', 'high']`, `['FAIL']`). The
   * report records them (`filters`). Suppressions stay in the configuration file. Unknown values
   * are an InputError listing the valid ones, before anything is collected.
   */
  readonly filter?: FindingFilterOptions;
  /**
   * Frameworks whose per-requirement table the report carries (`['cis-3.0', 'nist-800-53']`; see
   * `availableFrameworks`). An unknown id is an InputError listing the valid ones.
   */
  readonly frameworks?: readonly string[];
  /** Timeouts of every AWS client the run makes (not of injected clients); see `networkConfig`. */
  readonly network?: NetworkOptions;
  /** Ctrl-C: stops the collection and writes nothing (rejects with an InterruptedError). */
  readonly signal?: AbortSignal;
  /**
   * The run's deadline in milliseconds, from the start of the collection (`--deadline 30m`). When
   * it passes, the collectors start nothing new and cut what is in flight; what was not read
   * becomes gaps and partial usage coverage, and the report is written with its coverage
   * incomplete. Unlike {@link signal}, something is written. Default: none.
   */
  readonly deadlineMs?: number;
  /** The run's clock (tests); default the system's. */
  readonly now?: () => Date;
  readonly progress?: ProgressOptions;
  /**
   * Import the findings into AWS Security Hub after the report set is written (`--security-hub`):
   * the only thing kms-report writes to AWS, with its own IAM policy
   * (iam/kms-report-security-hub-policy.json). Not for the demo or an organisation-wide run
   * (Security Hub takes an account's findings only from that account). Default: no import.
   */
  readonly securityHub?: SecurityHubOptions;
}

/** Default usage sources of a live run: per-key counts from Event history, totals from CloudWatch. */
export const DEFAULT_USAGE_SOURCES: readonly UsageSourceOption[] = ['lookup', 'cloudwatch'];

/** Where report sets go when no folder is given. */
export const DEFAULT_OUT_DIR = 'reports';
