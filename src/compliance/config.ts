import { readFile } from 'node:fs/promises';
import { isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { accountIdSchema } from '../model/account-id.js';
import { RULE_IDS, SEVERITIES } from '../model/findings.js';

/**
 * The compliance configuration file: one YAML (or JSON, which is YAML too) document.
 *
 * ```yaml
 * version: 1                       # optional; the only version is 1
 * thresholds:
 *   maxRotationPeriodDays: 365     # KMS-ROT-02: FAIL above this (90-2560)
 *   minDeletionWindowDays: 30      # KMS-DEL-02: FAIL below this (7-30)
 *   unusedKeyDays: 90              # KMS-LIFE-02: FAIL when not used for this many days
 * requiredTags: [Owner]            # KMS-TAG-01: tag keys every customer managed key carries (case-sensitive)
 * aliasPattern: '^alias/[a-z0-9-]+$'  # KMS-ALIAS-01: a regular expression over the full alias name
 * trustedAccounts: ['111122223333']   # KMS-POL-02: other accounts allowed to use keys
 * organizationId: o-a1b2c3d4e5        # KMS-POL-02: principals proven in this organization are trusted
 * multiRegionAllowList:            # KMS-MR-01: key ARNs, key ids (mrk-...) or aliases; `*` wildcards allowed
 *   - mrk-1234abcd12ab34cd56ef1234567890ab
 * severities:                      # override a rule's default severity
 *   KMS-TAG-01: medium
 * disabledRules: [KMS-MR-01]       # rules not run at all
 * suppressions:                    # every field is required
 *   - rule: KMS-ROT-01
 *     key: arn:aws:kms:us-east-1:111122223333:key/*   # a key ARN, or an ARN pattern with `*`
 *     justification: Keys of the legacy stack are replaced, not rotated
 *     owner: platform-team@example.com
 *     ticket: SEC-1234
 *     expires: 2026-12-31          # last day (UTC) the suppression mutes
 * ```
 */

const ruleId = z.enum(RULE_IDS);
const severity = z.enum(SEVERITIES);
const nonEmpty = z.string().trim().min(1, 'must not be empty');
const accountId = accountIdSchema;

const regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

const suppression = z.strictObject({
  rule: ruleId,
  key: nonEmpty.regex(
    /^arn:/,
    'expected a key ARN or an ARN pattern (arn:aws:kms:<region>:<account>:key/<id>, `*` allowed)',
  ),
  justification: nonEmpty,
  owner: nonEmpty,
  ticket: nonEmpty,
  expires: z.iso.date({ message: 'expected a date YYYY-MM-DD' }),
});

export const complianceConfigSchema = z.strictObject({
  version: z.literal(1).optional(),
  thresholds: z
    .strictObject({
      maxRotationPeriodDays: z.int().min(90).max(2560).default(365),
      minDeletionWindowDays: z.int().min(7).max(30).default(30),
      unusedKeyDays: z.int().min(1).max(3650).default(90),
    })
    .default({ maxRotationPeriodDays: 365, minDeletionWindowDays: 30, unusedKeyDays: 90 }),
  requiredTags: z.array(nonEmpty).default([]),
  aliasPattern: regex.nullable().default(null),
  trustedAccounts: z.array(accountId).default([]),
  organizationId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, 'expected an organization id (o-...)')
    .nullable()
    .default(null),
  multiRegionAllowList: z.array(nonEmpty).default([]),
  severities: z.partialRecord(ruleId, severity).default({}),
  disabledRules: z.array(ruleId).default([]),
  suppressions: z.array(suppression).default([]),
});

/** The configuration with every default filled in. */
export type ComplianceConfig = z.output<typeof complianceConfigSchema>;
export type Suppression = ComplianceConfig['suppressions'][number];

/** The configuration used when no file is given: catalogue defaults, nothing suppressed. */
export const DEFAULT_COMPLIANCE_CONFIG: ComplianceConfig = complianceConfigSchema.parse({});

/** One problem in a configuration file, located. */
export interface ConfigIssue {
  /** `suppressions[0].expires`, or empty for the whole document. */
  readonly field: string;
  /** 1-based line in the file, when known. */
  readonly line: number | null;
  readonly message: string;
}

/** The configuration file is invalid. Every issue names its field and line. */
export class ComplianceConfigError extends InputError {
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      file,
      issues
        .map(
          (i) => `${i.line !== null ? `line ${i.line}: ` : ''}${i.field ? `${i.field}: ` : ''}${i.message}`,
        )
        .join('; '),
    );
  }
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) =>
      typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    '',
  );
}

/** The line of the deepest node on `path` that exists (the key itself for an unexpected key). */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  counter: LineCounter,
  path: readonly PropertyKey[],
  unexpectedKey?: string,
): number | null {
  const keys = path.map((p) => (typeof p === 'number' ? p : String(p)));
  for (let n = keys.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true)) as Node | null | undefined;
    if (!node) continue;
    let offset = node.range?.[0];
    if (n === keys.length && unexpectedKey !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === unexpectedKey);
      if (pair && isScalar(pair.key)) offset = pair.key.range?.[0] ?? offset;
    }
    if (offset !== undefined) return counter.linePos(offset).line;
  }
  return null;
}

/**
 * Parses and validates a compliance configuration (YAML or JSON text). `source` names it in
 * errors. Throws {@link ComplianceConfigError} listing every problem with its field and line.
 *
 * @example
 * ```ts
 * const config = parseComplianceConfig('requiredTags: [Owner]\n', 'kms-report.yaml');
 * config.thresholds.maxRotationPeriodDays; // 365
 * ```
 */
export function parseComplianceConfig(text: string, source = 'compliance configuration'): ComplianceConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ComplianceConfigError(
      source,
      doc.errors.map((e) => ({
        field: '',
        line: counter.linePos(e.pos[0]).line,
        message: `not valid YAML/JSON (${e.message.split('\n')[0]})`,
      })),
    );
  const data: unknown = doc.toJS() ?? {};
  const result = complianceConfigSchema.safeParse(data);
  if (result.success) return result.data;
  const issues: ConfigIssue[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        issues.push({
          field: fieldName([...issue.path, key]),
          line: lineOf(doc, counter, issue.path, key),
          message: 'unknown field',
        });
      continue;
    }
    issues.push({
      field: fieldName(issue.path),
      line: lineOf(doc, counter, issue.path),
      message: issue.message,
    });
  }
  // Top to bottom, as a person reads the file.
  issues.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  throw new ComplianceConfigError(source, issues);
}

/**
 * Reads and validates a compliance configuration file.
 *
 * @example
 * ```ts
 * const config = await loadComplianceConfig('kms-report.yaml');
 * const result = runCompliance(snapshot, { config, clock: systemClock });
 * ```
 */
export async function loadComplianceConfig(path: string): Promise<ComplianceConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(path, `cannot read the compliance configuration (${(error as Error).message})`, {
      cause: error,
    });
  }
  return parseComplianceConfig(text, path);
}
