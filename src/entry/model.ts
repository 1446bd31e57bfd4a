/**
 * The model's types, for the subpaths: each re-exports them (types only) because its signatures
 * use them, so that a subpath's declarations are complete on their own. The root exports the same
 * names. The vocabularies the types are made of (`SEVERITIES`, `SNAPSHOT_KIND`, ...) are
 * re-exported as values: a type-only export of a const would read as a value in the API report.
 */

export type {
  CallerDriver,
  CallersKnown,
  CostDrivers,
  HowToApply,
  Recommendation,
  RecommendationKind,
  Recommendations,
} from '../model/advice.js';
export type { BillCategory, BillLine, BillRead, BillSource, BillStatus } from '../model/bill.js';
export type {
  ComplianceResult,
  ControlRef,
  ExpiredSuppression,
  Finding,
  FindingDetails,
  FindingStatus,
  FindingSummary,
  MuteInfo,
  Remediation,
  RuleId,
  RuleInfo,
  RuleStatus,
  RuleTable,
  Severity,
} from '../model/findings.js';
export { RULE_IDS, SEVERITIES } from '../model/findings.js';
export type {
  FindingFilter,
  FrameworkInfo,
  FrameworkView,
  RequirementStatus,
  RequirementView,
} from '../model/frameworks.js';
export type {
  Gap,
  GapScope,
  InventorySnapshot,
  IsoDate,
  KeyManager,
  KeyMetadata,
  KeyRecord,
  LastUsage,
  MultiRegionInfo,
  OrganizationAccount,
  OrganizationalUnit,
  OrganizationScope,
  RegionCoverage,
  RegionStatus,
  Rotation,
  RotationStatus,
  Tag,
} from '../model/inventory.js';
export { SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION } from '../model/inventory.js';
export type { Observed } from '../model/observed.js';
export type {
  AccountSubtotal,
  CostLine,
  CostLineKind,
  CostTotal,
  FreeTierScope,
  KeyCost,
  KeyCostSource,
  Money,
  MonthCost,
  PricingAssumption,
  PricingTableRef,
  RegionSubtotal,
  RequestTier,
} from '../model/pricing.js';
export { REQUEST_TIERS } from '../model/pricing.js';
export type {
  BillReconciliation,
  BillReconciliationRow,
  BillReconciliationTotals,
  DifferenceKind,
  ReconciledSide,
  RowDifference,
} from '../model/reconciliation.js';
export type {
  AccountCoverage,
  AccountSummary,
  CostSummary,
  FirstAction,
  KeyRow,
  LateEvidence,
  MonthlyReport,
  MonthOverMonth,
  OrganizationView,
  OuSummary,
  WasteRow,
} from '../model/report.js';
export { REPORT_KIND, REPORT_SCHEMA_VERSION } from '../model/report.js';
export type { PreviousCallerDriver, PreviousDrivers, PreviousReport } from '../model/report-schema.js';
export type {
  AccountUsageTotal,
  CallerRequestCount,
  CallerType,
  KeylessRequestCount,
  LifecycleAfterMonth,
  LifecycleEvent,
  LifecycleEventName,
  MonthUsage,
  ReconciliationRow,
  RequestCount,
  UsageAssumption,
  UsageCoverage,
  UsageSource,
} from '../model/usage.js';
export { LIFECYCLE_EVENT_NAMES, OTHER_CALLERS } from '../model/usage.js';
export type { Month, MonthWindow } from '../util/month.js';
