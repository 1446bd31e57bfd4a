import { controlCode } from '../compliance/controls.js';
import { describeFilter } from '../compliance/filter.js';
import {
  type Finding,
  type FindingStatus,
  remediationCommand,
  ruleOf,
  type Severity,
} from '../model/findings.js';
import type { KeyRow, MonthlyReport } from '../model/report.js';
import { exportedFindings, jsonArrayChunks, keysByArn, standardName } from './finding-formats.js';

/**
 * The findings as OCSF Compliance Finding events (class 2003, category 2 Findings) of OCSF
 * {@link OCSF_VERSION}, with the `cloud` profile: findings.ocsf.json, one JSON array. The mapping
 * of each field is documented in the README ("Findings for other tools").
 */

/** The OCSF schema version the events follow (https://schema.ocsf.io/1.8.0/classes/compliance_finding). */
export const OCSF_VERSION = '1.8.0';
/** Compliance Finding. */
export const OCSF_CLASS_UID = 2003;
/** The Findings category. */
const OCSF_CATEGORY_UID = 2;
/** Activity `Create`: each monthly report is a new evaluation of every key. */
const ACTIVITY = { id: 1, name: 'Create' } as const;

/** A kms-report severity as OCSF `severity_id` (and its caption). */
export const OCSF_SEVERITY: Readonly<Record<Severity, { readonly id: number; readonly name: string }>> = {
  critical: { id: 5, name: 'Critical' },
  high: { id: 4, name: 'High' },
  medium: { id: 3, name: 'Medium' },
  low: { id: 2, name: 'Low' },
  informational: { id: 1, name: 'Informational' },
};

/**
 * A finding's status as OCSF: the event's `status_id` (the finding's workflow) and
 * `compliance.status_id` (the check's result). NOT_APPLICABLE is not exported.
 */
export const OCSF_STATUS: Readonly<
  Record<
    Exclude<FindingStatus, 'NOT_APPLICABLE'>,
    {
      readonly event: { readonly id: number; readonly name: string };
      readonly compliance: { readonly id: number; readonly name: string };
    }
  >
> = {
  FAIL: { event: { id: 1, name: 'New' }, compliance: { id: 3, name: 'Fail' } },
  // Muted: the check still fails; the suppression is the workflow's decision.
  MUTED: { event: { id: 3, name: 'Suppressed' }, compliance: { id: 3, name: 'Fail' } },
  PASS: { event: { id: 4, name: 'Resolved' }, compliance: { id: 1, name: 'Pass' } },
  // Could not be judged (missing evidence): open, for someone to look at.
  UNKNOWN: { event: { id: 1, name: 'New' }, compliance: { id: 0, name: 'Unknown' } },
};

/** One Compliance Finding event (the attributes kms-report writes). */
export type OcsfComplianceFinding = Readonly<Record<string, unknown>> & {
  readonly class_uid: typeof OCSF_CLASS_UID;
  readonly finding_info: Readonly<Record<string, unknown>> & {
    readonly uid: string;
    readonly title: string;
    readonly desc: string;
  };
};

/** The stable identifier of a finding, across months: the key's ARN and the rule. */
export function findingUid(finding: Pick<Finding, 'keyArn' | 'ruleId'>): string {
  return `${finding.keyArn}/${finding.ruleId}`;
}

function resource(finding: Finding, key: KeyRow | undefined, partition: string) {
  return {
    uid: finding.keyArn,
    name: key?.aliases[0] ?? finding.keyId,
    type: 'AWS::KMS::Key',
    region: finding.region,
    cloud_partition: partition,
    ...(key?.owner ? { owner: { name: key.owner } } : {}),
    ...(key && key.tags.length > 0 ? { tags: key.tags.map((t) => ({ name: t.key, value: t.value })) } : {}),
    data: {
      key_id: finding.keyId,
      ...(key
        ? {
            aliases: key.aliases,
            key_state: key.keyState,
            key_manager: key.keyManager,
            key_spec: key.keySpec,
            creation_date: key.creationDate,
          }
        : {}),
      ...(finding.details ? { details: finding.details } : {}),
    },
  };
}

function statusDetail(finding: Finding): string | undefined {
  const m = finding.muted;
  if (!m) return undefined;
  return `muted until ${m.expires} by ${m.owner} (${m.ticket}): ${m.justification}`;
}

/**
 * One finding as an OCSF Compliance Finding event: `time` is when the evidence was collected,
 * the key is the resource, the rule's controls are in `compliance`; a passing check's
 * `severity_id` is 1 Informational (no action required, as ASFF's `INFORMATIONAL`), any other
 * the finding's severity.
 */
export function ocsfEvent(
  report: MonthlyReport,
  finding: Finding,
  key: KeyRow | undefined,
): OcsfComplianceFinding {
  const rule = ruleOf(report.rules, finding.ruleId);
  const status = OCSF_STATUS[finding.status as keyof typeof OCSF_STATUS];
  // A passing check needs no action: Informational, as in ASFF (the rule's severity is in report.json).
  const severity = finding.status === 'PASS' ? OCSF_SEVERITY.informational : OCSF_SEVERITY[finding.severity];
  const detail = statusDetail(finding);
  const command = remediationCommand(rule, finding);
  return {
    activity_id: ACTIVITY.id,
    activity_name: ACTIVITY.name,
    category_uid: OCSF_CATEGORY_UID,
    category_name: 'Findings',
    class_uid: OCSF_CLASS_UID,
    class_name: 'Compliance Finding',
    type_uid: OCSF_CLASS_UID * 100 + ACTIVITY.id,
    type_name: `Compliance Finding: ${ACTIVITY.name}`,
    time: Date.parse(report.evidence.collectedAt.finishedAt),
    severity_id: severity.id,
    severity: severity.name,
    status_id: status.event.id,
    status: status.event.name,
    ...(detail ? { status_detail: detail } : {}),
    message: finding.reason,
    finding_info: {
      uid: findingUid(finding),
      title: rule.title,
      desc: finding.reason,
      types: ['Software and Configuration Checks'],
    },
    compliance: {
      control: rule.id,
      desc: rule.rationale,
      status_id: status.compliance.id,
      status: status.compliance.name,
      standards: [...new Set(rule.controls.map(standardName))],
      requirements: rule.controls.map(controlCode),
    },
    resources: [resource(finding, key, report.scope.partition)],
    remediation: {
      desc: rule.remediation.text,
      references: [command, ...(rule.remediation.terraform ? [rule.remediation.terraform.example] : [])],
    },
    cloud: {
      provider: 'AWS',
      region: finding.region,
      cloud_partition: report.scope.partition,
      account: { uid: finding.account, type_id: 10, type: 'AWS Account' },
    },
    metadata: {
      version: OCSF_VERSION,
      profiles: ['cloud'],
      product: {
        name: 'kms-report',
        vendor_name: 'kms-report',
        version: report.tool.version,
      },
      log_name: `kms-report ${report.month}`,
      // A filtered report's events say what it was narrowed by.
      ...(report.filters ? { labels: [`kms-report filter: ${describeFilter(report.filters)}`] } : {}),
    },
  };
}

/**
 * The report's findings as OCSF events, one at a time (NOT_APPLICABLE verdicts left out).
 *
 * @example
 * ```ts
 * for (const event of ocsfEvents(report)) lake.put(event);
 * ```
 */
export function* ocsfEvents(report: MonthlyReport): Generator<OcsfComplianceFinding, void, undefined> {
  const keys = keysByArn(report);
  for (const f of exportedFindings(report)) yield ocsfEvent(report, f, keys.get(f.keyArn));
}

/**
 * findings.ocsf.json: the events as one JSON array (one event a line), rendered a block at a time
 * while written.
 *
 * @example
 * ```ts
 * await writeReportSet(dir, [{ name: 'findings.ocsf.json', contents: ocsfFileChunks(report) }], meta);
 * ```
 */
export function ocsfFileChunks(report: MonthlyReport): Generator<string, void, undefined> {
  return jsonArrayChunks(ocsfEvents(report));
}
