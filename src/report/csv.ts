import { stringify } from 'csv-stringify/sync';
import type { Finding } from '../model/findings.js';
import type { CostLine } from '../model/pricing.js';
import type { KeyRow, MonthlyReport } from '../model/report.js';
import { neutralizeFormula } from './escape.js';

/**
 * The CSV files of a report: RFC 4180 (CRLF line ends, quotes where needed), one header row,
 * upper-case column names in a documented, stable order (see the README), full-precision
 * numbers and ISO dates. Text cells are neutralised against formula injection; number cells
 * are left as numbers.
 */
interface Column<T> {
  readonly name: string;
  readonly value: (row: T) => string | number | boolean | null;
  /** Numbers (and booleans) are written as they are; everything else is text and neutralised. */
  readonly numeric?: boolean;
}

function render<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const records = rows.map((row) =>
    columns.map((c) => {
      const v = c.value(row);
      if (v === null) return '';
      if (c.numeric) return String(v);
      return neutralizeFormula(String(v));
    }),
  );
  return stringify([columns.map((c) => c.name), ...records], { record_delimiter: 'windows', eof: true });
}

export const KEY_COLUMNS: readonly Column<KeyRow & { month: string; currency: string }>[] = [
  { name: 'MONTH', value: (r) => r.month },
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
  { name: 'CURRENCY', value: (r) => r.currency },
  { name: 'KEY_FEE', value: (r) => r.keyFee, numeric: true },
  { name: 'ROTATION_FEE', value: (r) => r.rotationFee, numeric: true },
  { name: 'REQUESTS_COST', value: (r) => r.requests, numeric: true },
  { name: 'REQUEST_COUNT', value: (r) => r.requestCount, numeric: true },
  { name: 'TOTAL', value: (r) => r.total, numeric: true },
  { name: 'TOTAL_COMPLETE', value: (r) => r.totalComplete, numeric: true },
  { name: 'FAILING_FINDINGS', value: (r) => r.failing, numeric: true },
];

export const COST_COLUMNS: readonly Column<
  CostLine & { month: string; currency: string; accountName: string | null }
>[] = [
  { name: 'MONTH', value: (l) => l.month },
  { name: 'ACCOUNT_ID', value: (l) => l.account },
  { name: 'ACCOUNT_NAME', value: (l) => l.accountName },
  { name: 'REGION', value: (l) => l.region },
  { name: 'KEY_ARN', value: (l) => l.keyArn },
  { name: 'KIND', value: (l) => l.kind },
  { name: 'DESCRIPTION', value: (l) => l.description },
  { name: 'TIER', value: (l) => l.tier },
  { name: 'OPERATION', value: (l) => l.operation },
  { name: 'KEY_PAIR_SPEC', value: (l) => l.keyPairSpec },
  { name: 'QUANTITY', value: (l) => l.quantity, numeric: true },
  { name: 'UNIT', value: (l) => l.unit },
  { name: 'CURRENCY', value: (l) => l.currency },
  { name: 'UNIT_PRICE', value: (l) => l.unitPrice, numeric: true },
  { name: 'PRICE_UNIT', value: (l) => l.priceUnit },
  { name: 'AMOUNT', value: (l) => l.amount, numeric: true },
  { name: 'UNKNOWN_REASON', value: (l) => l.unknownReason },
  { name: 'ASSUMPTIONS', value: (l) => l.assumptions.join(' ') },
];

export const FINDING_COLUMNS: readonly Column<
  Finding & { month: string; aliases: string; accountName: string | null }
>[] = [
  { name: 'MONTH', value: (f) => f.month },
  { name: 'ACCOUNT_ID', value: (f) => f.account },
  { name: 'ACCOUNT_NAME', value: (f) => f.accountName },
  { name: 'REGION', value: (f) => f.region },
  { name: 'KEY_ARN', value: (f) => f.keyArn },
  { name: 'KEY_ID', value: (f) => f.keyId },
  { name: 'ALIASES', value: (f) => f.aliases },
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

/** `keys.csv`: one row per key. */
export function renderKeysCsv(report: MonthlyReport): string {
  const extra = { month: report.month, currency: report.cost.currency };
  return render(
    KEY_COLUMNS,
    report.keys.map((k) => ({ ...k, ...extra })),
  );
}

/** `costs.csv`: every cost line (key fees, rotations, requests by tier, unattributed, credits). */
export function renderCostsCsv(report: MonthlyReport): string {
  const extra = { month: report.month, currency: report.cost.currency };
  const lines = [
    ...report.cost.keys.flatMap((k) => k.lines),
    ...report.cost.unattributed,
    ...report.cost.credits,
  ];
  const names = namesOf(report);
  return render(
    COST_COLUMNS,
    lines.map((l) => ({ ...l, ...extra, accountName: names.get(l.account) ?? null })),
  );
}

/** `findings.csv`: one row per key and rule (Prowler-style upper-case columns). */
export function renderFindingsCsv(report: MonthlyReport): string {
  const aliases = new Map(report.keys.map((k) => [k.arn, k.aliases.join(' ')]));
  const names = namesOf(report);
  return render(
    FINDING_COLUMNS,
    report.findings.map((f) => ({
      ...f,
      month: report.month,
      aliases: aliases.get(f.keyArn) ?? '',
      accountName: names.get(f.account) ?? null,
    })),
  );
}
