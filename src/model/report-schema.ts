import { z } from 'zod';
import { RULE_IDS, type RuleId, SEVERITIES, type Severity } from './findings.js';
import type { Money } from './pricing.js';
import { REPORT_KIND, REPORT_SCHEMA_VERSION } from './report.js';

/**
 * What month-over-month comparison reads of last month's `report.json` (see `monthOverMonth` in
 * `src/report/build.ts`). The file may have been edited, truncated by hand or written by
 * something else, so it is validated before use: a report missing one of these fields is "not
 * compared", with the field named, instead of failing the month. Fields the comparison does
 * not read are neither checked nor kept.
 *
 * What it reads is the same in every schema version so far ({@link COMPARABLE_SCHEMA_VERSIONS}):
 * version 2 moved each rule's text out of the findings into `rules`, but a finding still names
 * its rule, key and status, so last month's report of version 1 is compared as well.
 */
export interface PreviousReport {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly keys: readonly { readonly arn: string }[];
  readonly findings: readonly {
    readonly ruleId: RuleId;
    readonly keyArn: string;
    readonly status: string;
    /** The finding's own severity (a rule such as KMS-POL-05 judges some keys lower); absent in older reports: the rule's. */
    readonly severity?: Severity;
  }[];
  readonly summary: { readonly cost: { readonly total: { readonly amount: Money } } };
  /**
   * Last month's cost drivers, to show each caller's change. Read leniently: absent (a report
   * written before callers were counted) or not as expected, it is null and the month is still
   * compared; only the callers' identities, requests and cost are read.
   */
  readonly drivers?: PreviousDrivers | null;
}

/** One of last month's cost drivers, as month-over-month reads it. */
export interface PreviousCallerDriver {
  readonly caller: string;
  readonly invokedBy: string | null;
  readonly bucketArn: string | null;
  readonly billedAccount: string;
  readonly keyArn: string | null;
  readonly requests: number;
  readonly cost: Money | null;
}

/** Last month's cost drivers (overall and per key). */
export interface PreviousDrivers {
  readonly overall: readonly PreviousCallerDriver[];
  readonly perKey: readonly PreviousCallerDriver[];
}

/** A {@link Money} amount as `toMoney` writes it: a plain decimal, no exponent. */
const money = z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal amount such as "12.5"');

/** The report.json versions month-over-month comparison reads: 1 (before the rule table) and the current one. */
export const COMPARABLE_SCHEMA_VERSIONS: readonly number[] = [1, REPORT_SCHEMA_VERSION];

/** Whether last month's report.json is of a kind and version the comparison reads (before its fields are checked). */
export function isComparableReport(head: {
  readonly kind?: unknown;
  readonly schemaVersion?: unknown;
}): boolean {
  return (
    head.kind === REPORT_KIND &&
    typeof head.schemaVersion === 'number' &&
    COMPARABLE_SCHEMA_VERSIONS.includes(head.schemaVersion)
  );
}

const previousDriver = z.object({
  caller: z.string(),
  invokedBy: z.string().nullable(),
  bucketArn: z.string().nullable(),
  billedAccount: z.string(),
  keyArn: z.string().nullable(),
  requests: z.number().int().nonnegative(),
  cost: money.nullable(),
});

/** Last month's `drivers`: absent, null or malformed reads as null (nothing to compare callers with). */
const previousDriversSchema = z
  .object({ overall: z.array(previousDriver), perKey: z.array(previousDriver) })
  .nullable()
  .optional()
  .catch(null);

/** The zod schema of {@link PreviousReport}, with the kind and a schema version it reads. */
export const previousReportSchema = z.object({
  kind: z.literal(REPORT_KIND),
  schemaVersion: z.union([z.literal(1), z.literal(REPORT_SCHEMA_VERSION)]),
  month: z.string().regex(/^\d{4}-\d{2}$/, 'expected YYYY-MM'),
  keys: z.array(z.object({ arn: z.string() })),
  findings: z.array(
    z.object({
      ruleId: z.enum(RULE_IDS),
      keyArn: z.string(),
      status: z.string(),
      severity: z.enum(SEVERITIES).optional(),
    }),
  ),
  summary: z.object({ cost: z.object({ total: z.object({ amount: money }) }) }),
  drivers: previousDriversSchema,
});

// Compile-time proof that what the schema accepts is a PreviousReport.
const _schemaFitsModel = (p: z.infer<typeof previousReportSchema>): PreviousReport => p;
void _schemaFitsModel;
