import { stringify } from 'csv-stringify/sync';
import { controlCode } from '../compliance/controls.js';
import { describeFilter } from '../compliance/filter.js';
import {
  type Finding,
  type FindingStatus,
  type RuleId,
  type RuleInfo,
  remediationCommand,
  ruleOf,
} from '../model/findings.js';
import { accountLevelLines, type CostLine, type Money } from '../model/pricing.js';
import type { KeyRow, MonthlyReport } from '../model/report.js';
import { Dec, dec } from '../pricing/money.js';
import { accountsInTotal } from './build.js';
import { escapeCsvText } from './escape.js';

/**
 * The CSV files of a report: RFC 4180 (CRLF line ends, quotes where needed), one header row,
 * upper-case column names in a documented, stable order (see the README), full-precision
 * numbers and ISO dates. Text cells are made inert ({@link escapeCsvText}: control characters
 * shown as escapes, every line neutralised against formula injection); number cells are left
 * as numbers.
 */
export interface Column<T, C> {
  readonly name: string;
  /** The cell, from the row and what the whole file shares (month, currency, account names…). */
  readonly value: (row: T, context: C) => string | number | boolean | null;
  /** Numbers (and booleans) are written as they are; everything else is text and escaped. */
  readonly numeric?: boolean;
}

/**
 * Given a record delimiter, csv-stringify quotes a cell holding it (CRLF) but not a lone CR or LF,
 * which spreadsheets read as the end of a row: `quote_record_delimiter` quotes those too (two
 * `indexOf` a cell; `quoted_match: /[\r\n]/` does the same with a slower regular-expression search).
 */
const CSV_OPTIONS = { record_delimiter: 'windows', eof: true, quote_record_delimiter: true } as const;

/** Rows per csv-stringify call: large enough to amortise the call, small enough to stay in the young generation. */
const BLOCK_ROWS = 512;

/**
 * The CSV text in pieces: the header, then blocks of {@link BLOCK_ROWS} rows. Joined, the pieces
 * are exactly what one csv-stringify call over all rows writes; no piece holds more than a block,
 * so a file larger than the longest JavaScript string can still be written.
 */
export function* render<T, C>(
  columns: readonly Column<T, C>[],
  rows: Iterable<T>,
  context: C,
): Generator<string> {
  yield stringify([columns.map((c) => c.name)], CSV_OPTIONS);
  const width = columns.length;
  let block: string[][] = [];
  for (const row of rows) {
    const record = new Array<string>(width);
    for (let i = 0; i < width; i++) {
      const c = columns[i] as Column<T, C>;
      const v = c.value(row, context);
      record[i] =
        typeof v === 'string'
          ? c.numeric
            ? v
            : escapeCsvText(v)
          : v === null
            ? ''
            : c.numeric
              ? String(v)
              : escapeCsvText(String(v));
    }
    block.push(record);
    if (block.length === BLOCK_ROWS) {
      yield stringify(block, CSV_OPTIONS);
      block = [];
    }
  }
  if (block.length > 0) yield stringify(block, CSV_OPTIONS);
}

/** CSV text in pieces from columns and rows, as every file here is written (for the files rendered elsewhere: drivers.csv, recommendations.csv). */
export function csvChunks<T, C>(
  columns: readonly Column<T, C>[],
  rows: Iterable<T>,
  context: C,
): Iterable<string> {
  return render(columns, rows, context);
}

interface FileContext {
  readonly month: string;
  readonly currency: string;
  /** Account id → name, from the organisation view (empty for a one-account report). */
  readonly names: ReadonlyMap<string, string>;
  /** The accounts whose bill is the report's total (see `accountsInTotal`). */
  readonly inTotal: ReadonlySet<string>;
}

interface FindingContext extends FileContext {
  /** The report's rule table (each finding's title). */
  readonly rules: MonthlyReport['rules'];
  /** Key ARN → its aliases, space-separated. */
  readonly aliases: ReadonlyMap<string, string>;
  /** Key ARN → its owner (the owner tag's value), for the keys that have one. */
  readonly owners: ReadonlyMap<string, string>;
  /** The filters the report was narrowed by (`rules ...; severity ...`); null for a full report. */
  readonly filter: string | null;
}

/** A full-precision amount rounded to the cent (half up), as report.md shows it; null stays null. */
function roundedToCent(amount: Money | null): string | null {
  if (amount === null) return null;
  const rounded = dec(amount).toDecimalPlaces(2, Dec.ROUND_HALF_UP);
  // No "-0.00": a credit of less than half a cent rounds to zero.
  return (rounded.isZero() ? rounded.abs() : rounded).toFixed(2);
}

/**
 * A timestamp as spreadsheets read it: `2025-02-03 10:15:00` (UTC, no `T`, no zone, whole
 * seconds); a date alone (`2026-09-30`) is kept. Anything else is written as it is.
 */
function spreadsheetTime(iso: string | null): string | null {
  if (iso === null) return null;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

/** PASS and NOT_APPLICABLE rows have nothing to fix: their remediation cells are empty. */
const needsFix = (f: Finding) => f.status !== 'PASS' && f.status !== 'NOT_APPLICABLE';

/**
 * The ROW_KIND of a keys.csv row about an account as a whole: `account-requests` (requests that
 * name no key: ListKeys, CreateKey, ...), `unattributed-requests`, `unlisted-keys` (a region or
 * account whose keys were never listed: unknown) or `free-tier-credit`.
 */
type AccountRowKind = 'account-requests' | 'unattributed-requests' | 'unlisted-keys' | 'free-tier-credit';

/**
 * A row of keys.csv: a key, or a line billed to one of the report's accounts as a whole
 * (requests that name no key, request volume no key explains, keys never listed, the free-tier
 * credit). With those rows, the TOTAL column
 * adds up to the report's total.
 */
export type KeysCsvRow =
  | { readonly kind: 'key'; readonly key: KeyRow }
  | {
      readonly kind: AccountRowKind;
      readonly line: CostLine;
    };

/** A row of costs.csv: a line, and the account it is about (the key's owner, else the account billed). */
export interface CostsCsvRow {
  readonly line: CostLine;
  readonly account: string;
}

/** A key column: empty on the rows that are not keys. */
const ofKey =
  <V>(value: (k: KeyRow) => V) =>
  (r: KeysCsvRow): V | null =>
    r.kind === 'key' ? value(r.key) : null;

export const KEY_COLUMNS: readonly Column<KeysCsvRow, FileContext>[] = [
  { name: 'MONTH', value: (_, x) => x.month },
  { name: 'ACCOUNT_ID', value: (r) => (r.kind === 'key' ? r.key.account : r.line.account) },
  {
    name: 'ACCOUNT_NAME',
    value: (r, x) => (r.kind === 'key' ? r.key.accountName : (x.names.get(r.line.account) ?? null)),
  },
  { name: 'REGION', value: (r) => (r.kind === 'key' ? r.key.region : r.line.region) },
  { name: 'KEY_ARN', value: ofKey((k) => k.arn) },
  { name: 'KEY_ID', value: ofKey((k) => k.keyId) },
  { name: 'ALIASES', value: ofKey((k) => k.aliases.join(' ')) },
  { name: 'DESCRIPTION', value: (r) => (r.kind === 'key' ? r.key.description : r.line.description) },
  { name: 'KEY_MANAGER', value: ofKey((k) => k.keyManager) },
  { name: 'KEY_SPEC', value: ofKey((k) => k.keySpec) },
  { name: 'KEY_STATE', value: ofKey((k) => k.keyState) },
  { name: 'MULTI_REGION_ROLE', value: ofKey((k) => k.multiRegionRole) },
  { name: 'CREATION_DATE', value: ofKey((k) => spreadsheetTime(k.creationDate)) },
  { name: 'TAGS', value: ofKey((k) => k.tags.map((t) => `${t.key}=${t.value}`).join('; ')) },
  { name: 'SOURCE', value: ofKey((k) => k.source) },
  { name: 'BILLABLE_HOURS', value: ofKey((k) => k.billableHours), numeric: true },
  { name: 'CURRENCY', value: (_, x) => x.currency },
  { name: 'KEY_FEE', value: ofKey((k) => k.keyFee), numeric: true },
  { name: 'ROTATION_FEE', value: ofKey((k) => k.rotationFee), numeric: true },
  { name: 'REQUESTS_COST', value: (r) => (r.kind === 'key' ? r.key.requests : r.line.amount), numeric: true },
  {
    name: 'REQUEST_COUNT',
    value: (r) => (r.kind === 'key' ? r.key.requestCount : r.line.quantity),
    numeric: true,
  },
  { name: 'TOTAL', value: (r) => (r.kind === 'key' ? r.key.total : r.line.amount), numeric: true },
  {
    name: 'TOTAL_COMPLETE',
    value: (r) => (r.kind === 'key' ? r.key.totalComplete : r.line.amount !== null),
    numeric: true,
  },
  { name: 'FAILING_FINDINGS', value: ofKey((k) => k.failing), numeric: true },
  { name: 'ROW_KIND', value: (r) => r.kind },
  // Appended: earlier columns keep their positions.
  { name: 'KEY_FEE_ROUNDED', value: ofKey((k) => roundedToCent(k.keyFee)), numeric: true },
  { name: 'ROTATION_FEE_ROUNDED', value: ofKey((k) => roundedToCent(k.rotationFee)), numeric: true },
  {
    name: 'REQUESTS_COST_ROUNDED',
    value: (r) => roundedToCent(r.kind === 'key' ? r.key.requests : r.line.amount),
    numeric: true,
  },
  {
    name: 'TOTAL_ROUNDED',
    value: (r) => roundedToCent(r.kind === 'key' ? r.key.total : r.line.amount),
    numeric: true,
  },
  { name: 'OWNER', value: ofKey((k) => k.owner) },
];

export const COST_COLUMNS: readonly Column<CostsCsvRow, FileContext>[] = [
  { name: 'MONTH', value: (_, x) => x.month },
  { name: 'ACCOUNT_ID', value: (r) => r.account },
  { name: 'ACCOUNT_NAME', value: (r, x) => x.names.get(r.account) ?? null },
  { name: 'REGION', value: (r) => r.line.region },
  { name: 'KEY_ARN', value: (r) => r.line.keyArn },
  { name: 'KIND', value: (r) => r.line.kind },
  { name: 'DESCRIPTION', value: (r) => r.line.description },
  { name: 'TIER', value: (r) => r.line.tier },
  { name: 'OPERATION', value: (r) => r.line.operation },
  { name: 'KEY_PAIR_SPEC', value: (r) => r.line.keyPairSpec },
  { name: 'QUANTITY', value: (r) => r.line.quantity, numeric: true },
  { name: 'UNIT', value: (r) => r.line.unit },
  { name: 'CURRENCY', value: (_, x) => x.currency },
  { name: 'UNIT_PRICE', value: (r) => r.line.unitPrice, numeric: true },
  { name: 'PRICE_UNIT', value: (r) => r.line.priceUnit },
  { name: 'AMOUNT', value: (r) => r.line.amount, numeric: true },
  { name: 'UNKNOWN_REASON', value: (r) => r.line.unknownReason },
  { name: 'ASSUMPTIONS', value: (r) => r.line.assumptions.join(' ') },
  { name: 'BILLED_ACCOUNT', value: (r) => r.line.account },
  { name: 'IN_REPORT_TOTAL', value: (r, x) => x.inTotal.has(r.line.account), numeric: true },
  // Appended: earlier columns keep their positions.
  { name: 'AMOUNT_ROUNDED', value: (r) => roundedToCent(r.line.amount), numeric: true },
];

/**
 * One row per finding: what differs per key. The rule's fixed text (remediation, Terraform,
 * controls, rationale) is in rules.csv, once per rule; TITLE stays so that a row reads on its
 * own. REMEDIATION_CLI is the rule's command filled in for the key, on the rows with something
 * to fix (FAIL, MUTED, UNKNOWN).
 */
export const FINDING_COLUMNS: readonly Column<Finding, FindingContext>[] = [
  { name: 'MONTH', value: (_, x) => x.month },
  { name: 'ACCOUNT_ID', value: (f) => f.account },
  { name: 'ACCOUNT_NAME', value: (f, x) => x.names.get(f.account) ?? null },
  { name: 'REGION', value: (f) => f.region },
  { name: 'KEY_ARN', value: (f) => f.keyArn },
  { name: 'KEY_ID', value: (f) => f.keyId },
  { name: 'ALIASES', value: (f, x) => x.aliases.get(f.keyArn) ?? '' },
  { name: 'RULE_ID', value: (f) => f.ruleId },
  { name: 'TITLE', value: (f, x) => ruleOf(x.rules, f.ruleId).title },
  { name: 'STATUS', value: (f) => f.status },
  { name: 'SEVERITY', value: (f) => f.severity },
  { name: 'REASON', value: (f) => f.reason },
  {
    name: 'REMEDIATION_CLI',
    value: (f, x) => (needsFix(f) ? remediationCommand(ruleOf(x.rules, f.ruleId), f) : null),
  },
  { name: 'MUTED_JUSTIFICATION', value: (f) => f.muted?.justification ?? null },
  { name: 'MUTED_OWNER', value: (f) => f.muted?.owner ?? null },
  { name: 'MUTED_TICKET', value: (f) => f.muted?.ticket ?? null },
  { name: 'MUTED_EXPIRES', value: (f) => f.muted?.expires ?? null },
  { name: 'OWNER', value: (f, x) => x.owners.get(f.keyArn) ?? null },
  // Appended: on every row of a filtered report, what it was narrowed by (empty for a full report).
  { name: 'FILTER', value: (_, x) => x.filter },
];

/** A row of rules.csv: a rule of the report, and how many of its findings have each status. */
export interface RulesCsvRow {
  readonly rule: RuleInfo;
  readonly counts: Readonly<Record<FindingStatus, number>>;
}

/** The statuses rules.csv counts, in its column order. */
const COUNTED: readonly FindingStatus[] = ['PASS', 'FAIL', 'MUTED', 'UNKNOWN', 'NOT_APPLICABLE'];

/**
 * One row per rule run: its fixed text, once (findings.csv names it by RULE_ID), and how many
 * findings of each status it gave, so the PASS count stands even when findings.csv leaves the
 * PASS rows out.
 */
export const RULE_COLUMNS: readonly Column<RulesCsvRow, FileContext>[] = [
  { name: 'RULE_ID', value: (r) => r.rule.id },
  { name: 'TITLE', value: (r) => r.rule.title },
  { name: 'SEVERITY', value: (r) => r.rule.severity },
  { name: 'DEFAULT_SEVERITY', value: (r) => r.rule.defaultSeverity },
  { name: 'RATIONALE', value: (r) => r.rule.rationale },
  { name: 'REMEDIATION', value: (r) => r.rule.remediation.text },
  { name: 'REMEDIATION_CLI', value: (r) => r.rule.remediation.cli },
  {
    name: 'REMEDIATION_TERRAFORM',
    value: (r) =>
      r.rule.remediation.terraform
        ? `${r.rule.remediation.terraform.resource}.${r.rule.remediation.terraform.attribute}`
        : null,
  },
  { name: 'REMEDIATION_TERRAFORM_EXAMPLE', value: (r) => r.rule.remediation.terraform?.example ?? null },
  { name: 'CONTROLS', value: (r) => r.rule.controls.map(controlCode).join('; ') },
  ...COUNTED.map(
    (status): Column<RulesCsvRow, FileContext> => ({
      name: `FINDINGS_${status}`,
      value: (r) => r.counts[status],
      numeric: true,
    }),
  ),
];

/** Account id → name, from the organisation view (empty for a one-account report). */
function namesOf(report: MonthlyReport): Map<string, string> {
  const names = new Map<string, string>();
  for (const a of report.organization?.accounts ?? []) if (a.name) names.set(a.account, a.name);
  return names;
}

/** What every file of a report shares (exported for tests that read the files back). */
export function csvContext(report: MonthlyReport): FileContext {
  return {
    month: report.month,
    currency: report.cost.currency,
    names: namesOf(report),
    inTotal: accountsInTotal(report.cost),
  };
}

/** What findings.csv's rows share (exported for tests that read the file back). */
export function findingsCsvContext(report: MonthlyReport): FindingContext {
  const aliases = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const k of report.keys) {
    aliases.set(k.arn, k.aliases.join(' '));
    if (k.owner !== null) owners.set(k.arn, k.owner);
  }
  const filter = report.filters ? describeFilter(report.filters) : null;
  return { ...csvContext(report), rules: report.rules, aliases, owners, filter };
}

/** The rows of keys.csv: every key row, then the account-level lines billed to the report's accounts. */
export function* keysCsvRows(report: MonthlyReport): Generator<KeysCsvRow> {
  for (const key of report.keys) yield { kind: 'key', key };
  const inTotal = accountsInTotal(report.cost);
  for (const line of accountLevelLines(report.cost))
    if (inTotal.has(line.account))
      yield { kind: line.kind === 'requests' ? 'account-requests' : (line.kind as AccountRowKind), line };
}

/** The rows of costs.csv: every line, whoever is billed for it (IN_REPORT_TOTAL says whether it is in the total). */
export function* costsCsvRows(report: MonthlyReport): Generator<CostsCsvRow> {
  for (const k of report.cost.keys) for (const line of k.lines) yield { line, account: k.account };
  for (const line of accountLevelLines(report.cost)) yield { line, account: line.account };
}

/** `keys.csv` in pieces (see {@link renderKeysCsv}); for writing a large report without holding it whole. */
export function keysCsvChunks(report: MonthlyReport): Iterable<string> {
  return render(KEY_COLUMNS, keysCsvRows(report), csvContext(report));
}

/** `costs.csv` in pieces (see {@link renderCostsCsv}). */
export function costsCsvChunks(report: MonthlyReport): Iterable<string> {
  return render(COST_COLUMNS, costsCsvRows(report), csvContext(report));
}

/** Which findings findings.csv holds: every one (the default), or all but the PASS ones. */
export type FindingsCsvRows = 'all' | 'not-passed';
/** The values of {@link FindingsCsvRows}, for a command line's choices. */
export const FINDINGS_CSV_ROWS: readonly FindingsCsvRows[] = ['all', 'not-passed'];

/** How findings.csv is written. */
export interface FindingsCsvOptions {
  /**
   * `all` (default): one row per finding, every verdict (the audit trail); `not-passed`: the
   * PASS rows left out (rules.csv still counts them, report.json still holds them).
   */
  readonly rows?: FindingsCsvRows;
}

function* findingsCsvRows(report: MonthlyReport, rows: FindingsCsvRows): Generator<Finding> {
  if (rows === 'all') yield* report.findings;
  else for (const f of report.findings) if (f.status !== 'PASS') yield f;
}

/** `findings.csv` in pieces (see {@link renderFindingsCsv}). */
export function findingsCsvChunks(report: MonthlyReport, options: FindingsCsvOptions = {}): Iterable<string> {
  return render(FINDING_COLUMNS, findingsCsvRows(report, options.rows ?? 'all'), findingsCsvContext(report));
}

/** The rows of rules.csv: every rule of the report's table, in its order, with its findings counted by status. */
export function rulesCsvRows(report: MonthlyReport): RulesCsvRow[] {
  const counts = new Map<RuleId, Record<FindingStatus, number>>();
  const rows: RulesCsvRow[] = [];
  for (const rule of Object.values(report.rules)) {
    if (!rule) continue;
    const count: Record<FindingStatus, number> = {
      PASS: 0,
      FAIL: 0,
      MUTED: 0,
      UNKNOWN: 0,
      NOT_APPLICABLE: 0,
    };
    counts.set(rule.id, count);
    rows.push({ rule, counts: count });
  }
  for (const f of report.findings) {
    const count = counts.get(f.ruleId);
    if (count) count[f.status] += 1;
  }
  return rows;
}

/** `rules.csv` in pieces (see {@link renderRulesCsv}). */
export function rulesCsvChunks(report: MonthlyReport): Iterable<string> {
  return render(RULE_COLUMNS, rulesCsvRows(report), csvContext(report));
}

/**
 * `rules.csv`: one row per rule the report ran, with its fixed text (title, severity, rationale,
 * remediation, the CLI command as a template with `<key-id>` and `<region>`, Terraform,
 * controls) and how many findings of each status it gave. findings.csv names the rule by RULE_ID.
 */
export function renderRulesCsv(report: MonthlyReport): string {
  return [...rulesCsvChunks(report)].join('');
}

/**
 * `keys.csv`: one row per key (ROW_KIND `key`), then one per account-requests, unattributed-requests,
 * unlisted-keys and free-tier-credit line of the report's accounts: the TOTAL column sums to the report's total.
 */
export function renderKeysCsv(report: MonthlyReport): string {
  return [...keysCsvChunks(report)].join('');
}

/**
 * `costs.csv`: every cost line (key fees, rotations, requests by tier, unattributed, credits),
 * with the account billed (BILLED_ACCOUNT) and whether it is in the report's total
 * (IN_REPORT_TOTAL): the AMOUNT of the rows in the total sums to the report's total.
 */
export function renderCostsCsv(report: MonthlyReport): string {
  return [...costsCsvChunks(report)].join('');
}

/**
 * `findings.csv`: one row per key and rule (Prowler-style upper-case columns), the rule named by
 * RULE_ID (its text is in rules.csv); with `rows: 'not-passed'`, the PASS rows left out. For a
 * large estate use {@link findingsCsvChunks} (the monthly job does): the file can be longer than
 * a JavaScript string can be.
 */
export function renderFindingsCsv(report: MonthlyReport, options: FindingsCsvOptions = {}): string {
  return [...findingsCsvChunks(report, options)].join('');
}
