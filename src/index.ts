/**
 * kms-report: what your AWS KMS keys cost each month, and whether they are compliant.
 *
 * @example Collect an inventory and save it as evidence
 * ```ts
 * import { collectInventory, writeSnapshot } from 'kms-report';
 *
 * const { snapshot } = await collectInventory({ regions: ['us-east-1', 'eu-west-1'] });
 * await writeSnapshot('reports/inventory.json', snapshot);
 * ```
 *
 * @packageDocumentation
 */
export { AwsFailure, RegionCredentialsFailure } from './collect/aws-errors.js';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  makeClient,
  type NetworkOptions,
  networkConfig,
  SDK_RETRY,
} from './collect/client-defaults.js';
export {
  type AwsClients,
  type AwsClientsOptions,
  awsClients,
  type ClientCredentials,
  type ClientFactory,
  type ClientSource,
  clientFactory,
  clientsFor,
  type InventoryClients,
  KMS_CLIENT_DEFAULTS,
  type UsageClients,
} from './collect/clients.js';
export { type CallerIdentity, callerIdentity, configuredRegion } from './collect/identity.js';
export { parseRegionList, type RegionChoice, resolveRegions } from './collect/inventory.js';
export {
  applicability,
  type CallStats,
  type CollectKmsRegionOptions,
  collectKmsRegion,
  type RegionInventory,
  type RegionProgress,
  toKeyMetadata,
} from './collect/kms.js';
export { DEFAULT_QUOTA_SHARE, KMS_READ_QUOTAS, type KmsReadApi, ratesFor } from './collect/kms-limits.js';
export * from './compliance/index.js';
export {
  CredentialsError,
  InputError,
  InterruptedError,
  KmsReportError,
  NetworkError,
  OutputError,
  SnapshotError,
} from './errors.js';
export * from './model/findings.js';
export type * from './model/inventory.js';
export { SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION } from './model/inventory.js';
export { collected, collectedValue, describeMissing, type Observed } from './model/observed.js';
export type * from './model/pricing.js';
export { accountLevelLines, REQUEST_TIERS } from './model/pricing.js';
export type * from './model/report.js';
export { REPORT_KIND, REPORT_SCHEMA_VERSION } from './model/report.js';
export { snapshotJsonSchema, snapshotSchema } from './model/snapshot-schema.js';
export type * from './model/usage.js';
export { LIFECYCLE_EVENT_NAMES } from './model/usage.js';
export * from './org/index.js';
export { DEFAULT_REPORT_FORMATS, REPORT_FORMATS, type ReportFormat } from './pipeline/formats.js';
export type {
  CollectionOptions,
  DemoEvidenceOptions,
  EvidenceOptions,
  LiveEvidenceOptions,
  MonthlyReportOptions,
  OrganizationEvidenceOptions,
  OutputOptions,
  PricingOptions,
  ProgressOptions,
  SavedEvidenceOptions,
} from './pipeline/options.js';
export { MAX_PREVIOUS_REPORT_BYTES } from './pipeline/previous.js';
export { type MonthlyReportResult, renderMonthlyReport, runMonthlyReport } from './pipeline/run.js';
export { type Manifest, type ReportContents, type ReportFile, writeReportSet } from './pipeline/writer.js';
export * from './pricing/index.js';
export {
  accountNames,
  accountsInTotal,
  type BuildReportInput,
  buildMonthlyReport,
  DEFAULT_OWNER_TAG,
  FIRST_ACTIONS_COUNT,
  FIRST_ACTIONS_FOR_COST,
  LATE_EVIDENCE_DAYS,
} from './report/build.js';
export {
  costsCsvChunks,
  findingsCsvChunks,
  keysCsvChunks,
  renderCostsCsv,
  renderFindingsCsv,
  renderKeysCsv,
} from './report/csv.js';
export {
  escapeCsvText,
  escapeHtml,
  escapeMarkdown,
  neutralizeFormula,
  showControlCharacters,
  terminalSafe,
} from './report/escape.js';
export { HTML_REPORT_CSP, renderHtml } from './report/html.js';
export { DEFAULT_MARKDOWN_TABLE_ROWS, type MarkdownOptions, renderMarkdown } from './report/markdown.js';
export { parseSnapshot, readSnapshot, serializeSnapshot, writeSnapshot } from './snapshot.js';
export * from './usage/index.js';
export {
  DEADLINE_ERROR_CODE,
  DeadlinePassed,
  formatDuration,
  parseDuration,
  startDeadline,
} from './util/deadline.js';
export { jsonChunks, jsonFileChunks } from './util/json-chunks.js';
export { resolveReportMonth } from './util/month.js';
export { TOOL_VERSION } from './version.js';
