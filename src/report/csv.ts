import { stringify } from 'csv-stringify/sync';
import type { Finding } from '../model/findings.js';
import type { CostLine } from '../model/pricing.js';
import type { KeyRow, MonthlyReport } from '../model/report.js';
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
function* render<T, C>(columns: readonly Column<T, C>[], rows: Iterable<T>, context: C): Generator<string> {
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

interface FileContext {
  readonly month: string;
  readonly currency: string;
  /** Account id → name, from the organisation view (empty for a one-account report). */
  readonly names: ReadonlyMap<string, string>;
}

interface FindingContext extends FileContext {
  /** Key ARN → its aliases, space-separated. */
  readonly aliases: ReadonlyMap<string, string>;
}

export const KEY_COLUMNS: readonly Column<KeyRow, FileContext>[] = [
  { name: 'MONTH', value: (_, x) => x.month },
  { name: 'ACCOUNT_ID', value: (r) => r.account },
  { name: 'ACCOUNT_NAME', value: (r) => r.accountName },
  { name: 'REGION', value: (r) => r.region },
  { name: 'KEY_ARN', value: (r) => r.arn },
  { name: 'KEY_ID', value: (r) => r.keyId },
  { name: 'ALIASES', value: (r) => r.aliases.join(' ') },
  { name: 'DESCRIPTION', value: (r) => r.description },
  { name: 'KEY_MANAGER', value: (r) => r.keyManager },
  { name: 'KEY_SPEC', value: (r) => r.keySpec },
  { name: 'KEY_STATE', value: (r) => r.keyState },
  { name: 'MULTI_REGION_ROLE', value: (r) => r.multiRegionRole },
  { name: 'CREATION_DATE', value: (r) => r.creationDate },
  { name: 'TAGS', value: (r) => r.tags.map((t) => `${t.key}=${t.value}`).join('; ') },
  { name: 'SOURCE', value: (r) => r.source },
  { name: 'BILLABLE_HOURS', value: (r) => r.billableHours, numeric: true },
  { name: 'CURRENCY', value: (_, x) => x.currency },
  { name: 'KEY_FEE', value: (r) => r.keyFee, numeric: true },
  { name: 'ROTATION_FEE', value: (r) => r.rotationFee, numeric: true },
  { name: 'REQUESTS_COST', value: (r) => r.requests, numeric: true },
  { name: 'REQUEST_COUNT', value: (r) => r.requestCount, numeric: true },
  { name: 'TOTAL', value: (r) => r.total, numeric: true },
  { name: 'TOTAL_COMPLETE', value: (r) => r.totalComplete, numeric: true },
  { name: 'FAILING_FINDINGS', value: (r) => r.failing, numeric: true },
];

export const COST_COLUMNS: readonly Column<CostLine, FileContext>[] = [
  { name: 'MONTH', value: (_, x) => x.month },
  { name: 'ACCOUNT_ID', value: (l) => l.account },
  { name: 'ACCOUNT_NAME', value: (l, x) => x.names.get(l.account) ?? null },
  { name: 'REGION', value: (l) => l.region },
  { name: 'KEY_ARN', value: (l) => l.keyArn },
  { name: 'KIND', value: (l) => l.kind },
  { name: 'DESCRIPTION', value: (l) => l.description },
  { name: 'TIER', value: (l) => l.tier },
  { name: 'OPERATION', value: (l) => l.operation },
  { name: 'KEY_PAIR_SPEC', value: (l) => l.keyPairSpec },
  { name: 'QUANTITY', value: (l) => l.quantity, numeric: true },
  { name: 'UNIT', value: (l) => l.unit },
  { name: 'CURRENCY', value: (_, x) => x.currency },
  { name: 'UNIT_PRICE', value: (l) => l.unitPrice, numeric: true },
  { name: 'PRICE_UNIT', value: (l) => l.priceUnit },
  { name: 'AMOUNT', value: (l) => l.amount, numeric: true },
  { name: 'UNKNOWN_REASON', value: (l) => l.unknownReason },
  { name: 'ASSUMPTIONS', value: (l) => l.assumptions.join(' ') },
];

export const FINDING_COLUMNS: readonly Column<Finding, FindingContext>[] = [
  { name: 'MONTH', value: (_, x) => x.month },
  { name: 'ACCOUNT_ID', value: (f) => f.account },
  { name: 'ACCOUNT_NAME', value: (f, x) => x.names.get(f.account) ?? null },
  { name: 'REGION', value: (f) => f.region },
  { name: 'KEY_ARN', value: (f) => f.keyArn },
  { name: 'KEY_ID', value: (f) => f.keyId },
  { name: 'ALIASES', value: (f, x) => x.aliases.get(f.keyArn) ?? '' },
  { name: 'RULE_ID', value: (f) => f.ruleId },
  { name: 'TITLE', value: (f) => f.title },
  { name: 'STATUS', value: (f) => f.status },
  { name: 'SEVERITY', value: (f) => f.severity },
  { name: 'REASON', value: (f) => f.reason },
  { name: 'REMEDIATION', value: (f) => f.remediation.text },
  { name: 'REMEDIATION_CLI', value: (f) => f.remediation.cli },
  {
    name: 'REMEDIATION_TERRAFORM',
    value: (f) =>
      f.remediation.terraform
        ? `${f.remediation.terraform.resource}.${f.remediation.terraform.attribute}`
        : null,
  },
  {
    name: 'CONTROLS',
    value: (f) => f.controls.map((c) => `${c.framework}|${c.version ?? ''}|${c.requirement}`).join('; '),
  },
  { name: 'MUTED_JUSTIFICATION', value: (f) => f.muted?.justification ?? null },
  { name: 'MUTED_OWNER', value: (f) => f.muted?.owner ?? null },
  { name: 'MUTED_TICKET', value: (f) => f.muted?.ticket ?? null },
  { name: 'MUTED_EXPIRES', value: (f) => f.muted?.expires ?? null },
];

/** Account id → name, from the organisation view (empty for a one-account report). */
function namesOf(report: MonthlyReport): Map<string, string> {
  const names = new Map<string, string>();
  for (const a of report.organization?.accounts ?? []) if (a.name) names.set(a.account, a.name);
  return names;
}

function contextOf(report: MonthlyReport): FileContext {
  return { month: report.month, currency: report.cost.currency, names: namesOf(report) };
}

function* costLines(report: MonthlyReport): Generator<CostLine> {
  for (const k of report.cost.keys) yield* k.lines;
  yield* report.cost.accountRequests;
  yield* report.cost.unattributed;
  yield* report.cost.credits;
}

/** `keys.csv` in pieces (see {@link renderKeysCsv}); for writing a large report without holding it whole. */
export function keysCsvChunks(report: MonthlyReport): Iterable<string> {
  return render(KEY_COLUMNS, report.keys, contextOf(report));
}

/** `costs.csv` in pieces (see {@link renderCostsCsv}). */
export function costsCsvChunks(report: MonthlyReport): Iterable<string> {
  return render(COST_COLUMNS, costLines(report), contextOf(report));
}

/** `findings.csv` in pieces (see {@link renderFindingsCsv}). */
export function findingsCsvChunks(report: MonthlyReport): Iterable<string> {
  const aliases = new Map<string, string>();
  for (const k of report.keys) aliases.set(k.arn, k.aliases.join(' '));
  return render(FINDING_COLUMNS, report.findings, { ...contextOf(report), aliases });
}

/** `keys.csv`: one row per key. */
export function renderKeysCsv(report: MonthlyReport): string {
  return [...keysCsvChunks(report)].join('');
}

/** `costs.csv`: every cost line (key fees, rotations, requests by tier, unattributed, credits). */
export function renderCostsCsv(report: MonthlyReport): string {
  return [...costsCsvChunks(report)].join('');
}

/**
 * `findings.csv`: one row per key and rule (Prowler-style upper-case columns). At ~700 bytes a
 * row, a report of more than ~50,000 keys is longer than a JavaScript string can be: use
 * {@link findingsCsvChunks} there (the monthly job does).
 */
export function renderFindingsCsv(report: MonthlyReport): string {
  return [...findingsCsvChunks(report)].join('');
}
