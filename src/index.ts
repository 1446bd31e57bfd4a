/**
 * kms-report: what your AWS KMS keys cost each month, and whether they are compliant.
 *
 * The root holds the stages (collect the inventory and the month's usage, price, judge, build,
 * render and write the report set, or the whole monthly job), the evidence files they read and
 * write, the model every stage speaks and every error the library throws. The stages' parts live
 * in subpaths: `kms-report/collect` (clients, quotas, organisations), `kms-report/usage`
 * (CloudTrail and CloudWatch sources), `kms-report/pricing` (tables, money, tiers),
 * `kms-report/compliance` (rules, the key-policy analyser, controls) and `kms-report/render`
 * (renderers, CSV and JSON chunkers, escapers).
 *
 * @example Collect an inventory and save it as evidence
 * ```ts
 * import { collectInventory, writeSnapshot } from 'kms-report';
 *
 * const { snapshot } = await collectInventory({ regions: ['us-east-1', 'eu-west-1'] });
 * await writeSnapshot('reports/inventory.json', snapshot);
 * ```
 *
 * @example The whole monthly job
 * ```ts
 * import { runMonthlyReport } from 'kms-report';
 *
 * const { report, dir } = await runMonthlyReport({
 *   month: '2026-10',
 *   evidence: { kind: 'live', regions: ['us-east-1'] },
 * });
 * ```
 *
 * @packageDocumentation
 */

// Exports are sorted by path (biome); a comment stays with the export below it.

// Who drives the request bill, and what would cut it (issue 17).
export { type Advice, type AdviceInput, adviseMonth } from './advice/index.js';
export type { BillClients, BillReaderKind, CurAthenaLocation, CurExportLocation } from './bill/index.js';
// The Athena usage source's options (`UsageReadOptions.athena`); its parts are in kms-report/usage.
export type { AthenaPolling, AthenaTableName } from './collect/athena.js';
export {
  AwsFailure,
  type ClassifiedError,
  type ErrorKind,
  RegionCredentialsFailure,
} from './collect/aws-errors.js';
export type { NetworkOptions } from './collect/client-defaults.js';
export type {
  AwsClients,
  ClientCredentials,
  ClientFactory,
  ClientSource,
  InventoryClients,
  UsageClients,
} from './collect/clients.js';
export type { CallStats, RegionProgress } from './collect/kms.js';
export type { KmsReadApi } from './collect/kms-limits.js';
export type { RegionChoice } from './collect/regions.js';
export {
  availableFrameworks,
  type ComplianceConfig,
  ComplianceConfigError,
  type ConfigIssue,
  complianceConfigSchema,
  type FindingFilterOptions,
  filterCompliance,
  frameworkViews,
  type KeyPolicy,
  type KeyUsageEvidence,
  loadComplianceConfig,
  type PolicyReading,
  type PolicyStatement,
  parseFindingFilter,
  type Rule,
  type RuleContext,
  type RuleMeta,
  type RuleMonth,
  type RuleResult,
  type RunComplianceOptions,
  runCompliance,
  type Suppression,
} from './compliance/index.js';
export type { Condition, Principal, SetQualifier } from './compliance/policy/index.js';
// The base errors. Every error the library throws is a root export (a test checks it): these,
// the stages' own beside their stage (AwsFailure, AssumeRoleError, PricingError...), and the
// deadline's abort reason (DeadlinePassed).
export {
  CredentialsError,
  InputError,
  InterruptedError,
  KmsReportError,
  NetworkError,
  OutputError,
  SnapshotError,
} from './errors.js';
export type * from './model/advice.js';
// The model, with the vocabularies its types are made of.
export type * from './model/bill.js';
export * from './model/findings.js';
export type * from './model/frameworks.js';
export type * from './model/inventory.js';
export { SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION } from './model/inventory.js';
export { collected, collectedValue, describeMissing, type Observed } from './model/observed.js';
export type * from './model/pricing.js';
export { REQUEST_TIERS } from './model/pricing.js';
export type * from './model/reconciliation.js';
export type * from './model/report.js';
export { REPORT_KIND, REPORT_SCHEMA_VERSION } from './model/report.js';
export type { PreviousCallerDriver, PreviousDrivers, PreviousReport } from './model/report-schema.js';
export type * from './model/usage.js';
export { LIFECYCLE_EVENT_NAMES, OTHER_CALLERS } from './model/usage.js';
export {
  type AccountGroup,
  type AccountProgress,
  type AccountSession,
  type AccountSpec,
  AssumeRoleError,
  type CollectInventoryOptions,
  type CollectMonthUsageOptions,
  collectInventory,
  collectMonthUsage,
  type InventoryResult,
  type MonthUsageResult,
  OrganizationsAccessError,
} from './org/index.js';
export {
  DEFAULT_REPORT_FORMATS,
  parseFormats,
  REPORT_FORMATS,
  type ReportFormat,
} from './pipeline/formats.js';
export {
  type BillOptions,
  type CollectionOptions,
  DEFAULT_OUT_DIR,
  DEFAULT_USAGE_SOURCES,
  type DemoEvidenceOptions,
  type EvidenceOptions,
  type LiveEvidenceOptions,
  type MonthlyReportOptions,
  type OrganizationEvidenceOptions,
  type OutputOptions,
  type PricingOptions,
  type ProgressOptions,
  type SavedEvidenceOptions,
} from './pipeline/options.js';
// reconcile's refusal to write an unread bill over an earlier reconciliation.
export { BillNotReadError } from './pipeline/reconcile.js';
export { type MonthlyReportResult, renderMonthlyReport, runMonthlyReport } from './pipeline/run.js';
export {
  type Manifest,
  type ManifestEntry,
  type ReportContents,
  type ReportFile,
  type WriteReportSetOptions,
  writeReportSet,
} from './pipeline/writer.js';
export {
  loadPricingTables,
  PriceListError,
  type PriceMonthInput,
  type PriceMonthOptions,
  PricingError,
  type PricingTable,
  PricingTableError,
  priceMonth,
  RegionNotPricedError,
  type RegionPrices,
} from './pricing/index.js';
export type { PartialHours } from './pricing/lines/produced.js';
// PricingTable and RegionPrices are inferred from these schemas.
export { type ParsedTable, pricingTableSchema, regionPricesSchema } from './pricing/table.js';
export {
  IMPORT_BATCH_SIZE,
  IMPORT_INTERVAL_MS,
  IMPORT_THROTTLE_RETRIES,
  importToSecurityHub,
  type SecurityHubClients,
  type SecurityHubFailure,
  type SecurityHubImport,
  type SecurityHubOptions,
  type SecurityHubRegionImport,
} from './publish/security-hub.js';
export { type BuildReportInput, buildMonthlyReport } from './report/build.js';
// The values of `output.findingsCsv` (the renderer's own options are in kms-report/render).
export type { FindingsCsvRows } from './report/csv.js';
// The evidence files: the inventory snapshot here, the usage evidence with ./usage/index.js below.
export { parseSnapshot, readSnapshot, serializeSnapshot, writeSnapshot } from './snapshot.js';
export type { AthenaUsageOptions } from './usage/athena.js';
export type { CloudTrailTableLayout } from './usage/athena-sql.js';
export type { AccountUsageResult, UsageReadOptions } from './usage/collect.js';
export {
  type KeyClass,
  parseUsageEvidence,
  readUsageEvidence,
  serializeUsageEvidence,
  USAGE_KIND,
  USAGE_SCHEMA_VERSION,
  type UsageEvidence,
  type UsageProgress,
  type UsageSourceOption,
  writeUsageEvidence,
} from './usage/index.js';
export type { FileContents } from './util/atomic-write.js';
export type { Clock } from './util/clock.js';
export { DeadlinePassed } from './util/deadline.js';
export { FolderLockedError } from './util/folder-lock.js';
export { type Month, type MonthWindow, monthOf, resolveReportMonth } from './util/month.js';
export { TOOL_VERSION } from './version.js';
