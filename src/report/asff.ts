import { createHash } from 'node:crypto';
import { describeFilter } from '../compliance/filter.js';
import {
  type Finding,
  type FindingStatus,
  type RuleInfo,
  remediationCommand,
  ruleOf,
  type Severity,
} from '../model/findings.js';
import type { KeyRow, MonthlyReport } from '../model/report.js';
import { CONTROL_CHARACTERS } from './escape.js';
import { exportedFindings, jsonArrayChunks, keysByArn, requirementName } from './finding-formats.js';

/**
 * The findings in the AWS Security Finding Format (ASFF), as `BatchImportFindings` takes them:
 * findings.asff.json, and what `--security-hub` imports. Every text comes from outside (key
 * descriptions, aliases, tags, reasons quoting policies): each is made acceptable to ASFF
 * ({@link asffText}) and cut to its documented limit ({@link ASFF_LIMITS}).
 */

/** The ASFF version every finding declares (`SchemaVersion`): the only one Security Hub defines. */
export const ASFF_SCHEMA_VERSION = '2018-10-08';

/**
 * ASFF's limits (Security Hub user guide, "AWS Security Finding Format (ASFF)": required and
 * optional top-level attributes): characters per text, items per list.
 */
export const ASFF_LIMITS = {
  id: 512,
  generatorId: 512,
  title: 256,
  description: 1024,
  recommendationText: 512,
  types: 50,
  relatedRequirements: 32,
  productFields: 50,
  productFieldKey: 128,
  productFieldValue: 2048,
  resourceId: 512,
  tags: 50,
  tagKey: 128,
  tagValue: 256,
  /** Not documented for AwsKmsKey; KMS's own limit on a key description is 8,192. */
  keyDescription: 1024,
} as const;

/** ASFF's `Severity.Label`: a kms-report severity in capitals; a passing check is `INFORMATIONAL`. */
export type AsffSeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
/** ASFF's `Compliance.Status`: the check's result (see {@link ASFF_STATUS}). */
export type AsffComplianceStatus = 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE';
/**
 * ASFF's `Workflow.Status`: where a new finding starts (see {@link ASFF_STATUS}); Security Hub
 * takes it on a finding's first import only, later changes are the security team's.
 */
export type AsffWorkflowStatus = 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';

/** The KMS key a finding is on, as ASFF's `AwsKmsKey` resource details. */
export interface AsffKmsKeyDetails {
  readonly AWSAccountId: string;
  readonly KeyId: string;
  readonly KeyManager?: string;
  readonly KeyState?: string;
  readonly Description?: string;
  /** Seconds since the epoch. */
  readonly CreationDate?: number;
}

/** The resource a finding is on: always the KMS key (`AwsKmsKey`), its ARN as `Id`. */
export interface AsffResource {
  readonly Type: 'AwsKmsKey';
  readonly Id: string;
  readonly Partition?: string;
  readonly Region: string;
  readonly Tags?: Readonly<Record<string, string>>;
  readonly Details: { readonly AwsKmsKey: AsffKmsKeyDetails };
}

/** One finding in ASFF: the fields kms-report writes (a subset of `AwsSecurityFinding`). */
export interface AsffFinding {
  readonly SchemaVersion: typeof ASFF_SCHEMA_VERSION;
  readonly Id: string;
  readonly ProductArn: string;
  readonly ProductName: string;
  readonly CompanyName: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Region: string;
  readonly Types: readonly string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly LastObservedAt: string;
  readonly Severity: { readonly Label: AsffSeverityLabel; readonly Original: string };
  readonly FindingProviderFields: {
    readonly Severity: { readonly Label: AsffSeverityLabel; readonly Original: string };
    readonly Types: readonly string[];
  };
  readonly Title: string;
  readonly Description: string;
  readonly Remediation: { readonly Recommendation: { readonly Text: string } };
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly Resources: readonly AsffResource[];
  readonly Compliance: {
    readonly Status: AsffComplianceStatus;
    readonly RelatedRequirements?: readonly string[];
  };
  readonly Workflow: { readonly Status: AsffWorkflowStatus };
  readonly RecordState: 'ACTIVE' | 'ARCHIVED';
}

/** A finding's status in ASFF: the check's result and the workflow a new finding starts in. */
export const ASFF_STATUS: Readonly<
  Record<
    Exclude<FindingStatus, 'NOT_APPLICABLE'>,
    { readonly compliance: AsffComplianceStatus; readonly workflow: AsffWorkflowStatus }
  >
> = {
  FAIL: { compliance: 'FAILED', workflow: 'NEW' },
  MUTED: { compliance: 'FAILED', workflow: 'SUPPRESSED' },
  PASS: { compliance: 'PASSED', workflow: 'RESOLVED' },
  UNKNOWN: { compliance: 'NOT_AVAILABLE', workflow: 'NEW' },
};

const SEVERITY_LABEL: Readonly<Record<Severity, AsffSeverityLabel>> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  informational: 'INFORMATIONAL',
};

/** ASFF's finding-type classifiers for the frameworks kms-report maps (Types taxonomy). */
const STANDARD_TYPES: Readonly<Record<string, string>> = {
  'AWS Security Hub (Foundational Security Best Practices)': 'AWS-Foundational-Security-Best-Practices',
  'CIS Amazon Web Services Foundations Benchmark': 'CIS AWS Foundations Benchmark',
  'NIST SP 800-53 Rev. 5': 'NIST 800-53 Controls',
  'PCI DSS': 'PCI-DSS Controls',
};
const CHECKS = 'Software and Configuration Checks';
const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-us-iso', 'aws-us-iso-b']);
/** The prefix of every finding id kms-report makes: how it finds its own findings again. */
export const ASFF_ID_PREFIX = 'kms-report/';

// What no output shows as it is (see escape.ts), and line breaks: ASFF text is one line in consoles
// and tickets, where these would hide or reorder what a person reads.
const UNSAFE = new RegExp(`[${CONTROL_CHARACTERS}\\t\\n\\r\\u2028\\u2029\\u200e\\u200f]+`, 'g');

/**
 * Text made acceptable to ASFF: control and direction characters become spaces, runs of blanks
 * one space, and the text is cut to `max` characters (whole code points, `…` at the cut). ASFF
 * refuses an empty or blank string: `fallback` then stands in.
 *
 * @example
 * ```ts
 * asffText('a\u202ebc\n\n', 256); // 'a bc'
 * ```
 */
export function asffText(text: string, max: number, fallback = '-'): string {
  const clean = text
    .slice(0, max * 4 + 16)
    .replace(UNSAFE, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // A code point is one or two UTF-16 units: text no longer than `max` units needs no cut.
  const points = clean.length > max ? Array.from(clean) : null;
  const cut =
    points && points.length > max
      ? `${points
          .slice(0, max - 1)
          .join('')
          .trimEnd()}…`
      : clean;
  return cut === '' ? fallback : cut;
}

/** A part of a finding id: letters, digits, `-` and `_` as they are; anything else by its hash. */
function idPart(text: string): string {
  if (/^[A-Za-z0-9_-]{1,128}$/.test(text)) return text;
  return `h-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}

/**
 * The stable ASFF id of a finding: `kms-report/<account>/<region>/<key id>/<rule>`. The same key
 * and rule give the same id every month, so an import updates the finding rather than adding one.
 * A part that is not plain letters, digits, `-` and `_` (text from AWS is untrusted) is replaced
 * by its hash.
 *
 * @example
 * ```ts
 * asffId(finding); // 'kms-report/111122223333/eu-west-1/1234abcd-.../KMS-ROT-01'
 * ```
 */
export function asffId(f: Pick<Finding, 'account' | 'region' | 'keyId' | 'ruleId'>): string {
  return `${ASFF_ID_PREFIX}${[f.account, f.region, f.keyId, f.ruleId].map(idPart).join('/')}`;
}

/** The start of the ids of every finding {@link asffId} makes in one account and region. */
export function asffIdPrefix(account: string, region: string): string {
  return `${ASFF_ID_PREFIX}${idPart(account)}/${idPart(region)}/`;
}

/** The product ARN of an account's own findings in a region (`.../product/<account>/default`). */
export function asffProductArn(partition: string, region: string, account: string): string {
  return `arn:${idPart(partition)}:securityhub:${idPart(region)}:${idPart(account)}:product/${idPart(account)}/default`;
}

function types(rule: RuleInfo): string[] {
  const standards = [
    ...new Set(rule.controls.map((c) => STANDARD_TYPES[c.framework]).filter((t) => t !== undefined)),
  ];
  return [
    `${CHECKS}/AWS Security Best Practices`,
    ...standards.map((s) => `${CHECKS}/Industry and Regulatory Standards/${s}`),
  ].slice(0, ASFF_LIMITS.types);
}

function tags(key: KeyRow | undefined): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let n = 0;
  for (const t of key?.tags ?? []) {
    if (n >= ASFF_LIMITS.tags) break;
    // ASFF refuses a blank tag key or value: such a tag is left out.
    const k = asffText(t.key, ASFF_LIMITS.tagKey, '');
    const v = asffText(t.value, ASFF_LIMITS.tagValue, '');
    if (k === '' || v === '' || k in out) continue;
    out[k] = v;
    n += 1;
  }
  return n > 0 ? out : undefined;
}

function keyDetails(f: Finding, key: KeyRow | undefined): AsffKmsKeyDetails {
  const description = key ? asffText(key.description, ASFF_LIMITS.keyDescription, '') : '';
  const created = key?.creationDate ? Date.parse(key.creationDate) : Number.NaN;
  return {
    AWSAccountId: asffText(f.account, 64),
    KeyId: asffText(f.keyId, 256),
    ...(key?.keyManager ? { KeyManager: key.keyManager } : {}),
    ...(key?.keyState ? { KeyState: asffText(key.keyState, 64) } : {}),
    ...(description ? { Description: description } : {}),
    ...(Number.isFinite(created) ? { CreationDate: created / 1000 } : {}),
  };
}

function resource(f: Finding, key: KeyRow | undefined, partition: string): AsffResource {
  const t = tags(key);
  return {
    Type: 'AwsKmsKey',
    Id: asffText(f.keyArn, ASFF_LIMITS.resourceId),
    ...(PARTITIONS.has(partition) ? { Partition: partition } : {}),
    Region: asffText(f.region, 64),
    ...(t ? { Tags: t } : {}),
    Details: { AwsKmsKey: keyDetails(f, key) },
  };
}

function productFields(report: MonthlyReport, f: Finding, rule: RuleInfo): Record<string, string> {
  const fields: Record<string, string | null> = {
    'kms-report/RuleId': rule.id,
    'kms-report/Status': f.status,
    'kms-report/Month': report.month,
    'kms-report/Version': report.tool.version,
    'kms-report/RemediationCli': remediationCommand(rule, f),
    'kms-report/MutedBy': f.muted ? `${f.muted.owner} (${f.muted.ticket}) until ${f.muted.expires}` : null,
    // A filtered report's file says what it was narrowed by (Security Hub imports are never filtered).
    'kms-report/Filter': report.filters ? describeFilter(report.filters) : null,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields))
    if (v !== null) out[k] = asffText(v, ASFF_LIMITS.productFieldValue);
  return out;
}

/** The later of two ISO times (the first when either does not parse). */
function laterOf(a: string, b: string): string {
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function description(f: Finding): string {
  const muted = f.muted ? ` Muted: ${f.muted.justification}` : '';
  return asffText(`${f.reason}${muted}`, ASFF_LIMITS.description);
}

/**
 * One finding in ASFF. `CreatedAt` and `LastObservedAt` are the evidence's time, `UpdatedAt` the
 * report's, or the evidence's when later (a live run's report time is taken before the evidence is
 * gathered; ASFF wants `UpdatedAt` no earlier than `CreatedAt`); a passing check is `INFORMATIONAL` (as Security Hub's own controls report a PASSED
 * check), its rule's severity kept in `Severity.Original`.
 */
export function asffFinding(report: MonthlyReport, f: Finding, key: KeyRow | undefined): AsffFinding {
  const rule = ruleOf(report.rules, f.ruleId);
  const status = ASFF_STATUS[f.status as keyof typeof ASFF_STATUS];
  const severity = {
    Label: f.status === 'PASS' ? 'INFORMATIONAL' : SEVERITY_LABEL[f.severity],
    Original: f.severity,
  } as const;
  const evidenceTime = report.evidence.collectedAt.finishedAt;
  const related = [...new Set(rule.controls.map(requirementName))]
    .slice(0, ASFF_LIMITS.relatedRequirements)
    .map((r) => asffText(r, 256));
  const t = types(rule);
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: asffId(f),
    ProductArn: asffProductArn(report.scope.partition, f.region, f.account),
    ProductName: 'kms-report',
    CompanyName: 'kms-report',
    GeneratorId: rule.id,
    AwsAccountId: asffText(f.account, 64),
    Region: asffText(f.region, 64),
    Types: t,
    CreatedAt: evidenceTime,
    UpdatedAt: laterOf(report.generatedAt, evidenceTime),
    LastObservedAt: evidenceTime,
    Severity: severity,
    FindingProviderFields: { Severity: severity, Types: t },
    Title: asffText(rule.title, ASFF_LIMITS.title),
    Description: description(f),
    Remediation: {
      Recommendation: {
        Text: asffText(
          `${rule.remediation.text} ${remediationCommand(rule, f)}`,
          ASFF_LIMITS.recommendationText,
        ),
      },
    },
    ProductFields: productFields(report, f, rule),
    Resources: [resource(f, key, report.scope.partition)],
    Compliance: {
      Status: status.compliance,
      ...(related.length > 0 ? { RelatedRequirements: related } : {}),
    },
    Workflow: { Status: status.workflow },
    RecordState: 'ACTIVE',
  };
}

/**
 * The report's findings in ASFF, one at a time (NOT_APPLICABLE verdicts left out).
 *
 * @example
 * ```ts
 * const findings = [...asffFindings(report)];
 * ```
 */
export function* asffFindings(report: MonthlyReport): Generator<AsffFinding, void, undefined> {
  const keys = keysByArn(report);
  for (const f of exportedFindings(report)) yield asffFinding(report, f, keys.get(f.keyArn));
}

/**
 * findings.asff.json: the findings as one JSON array (one finding a line), rendered a block at a
 * time while written.
 *
 * @example
 * ```ts
 * await writeReportSet(dir, [{ name: 'findings.asff.json', contents: asffFileChunks(report) }], meta);
 * ```
 */
export function asffFileChunks(report: MonthlyReport): Generator<string, void, undefined> {
  return jsonArrayChunks(asffFindings(report));
}
