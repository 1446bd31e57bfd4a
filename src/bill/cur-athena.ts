import type { AthenaClient } from '@aws-sdk/client-athena';
import {
  ATHENA_PRICE_PER_TB_USD,
  type AthenaPolling,
  type AthenaTableName,
  athenaScanCost,
  formatScannedBytes,
  parseAthenaTable,
  runAthenaQuery,
  sqlTable,
} from '../collect/athena.js';
import { BILL_LINE_ORDER, type BillLine, type BillRead, billCategoryOf } from '../model/bill.js';
import { type Clock, systemClock } from '../util/clock.js';
import type { MonthWindow } from '../util/month.js';

/**
 * The month's KMS bill from a CUR 2.0 (Data Exports) table in Athena (`--bill cur-athena
 * --cur-table DB.TABLE`), per account, region, usage type, operation and key
 * (`line_item_resource_id`, with INCLUDE_RESOURCES), with the columns of kms-facts.md §6. The
 * table is the one Data Exports' Athena integration creates, partitioned by `billing_period`
 * (`YYYY-MM`): one month's partition is read. Amounts are summed as DECIMAL(38,12) and returned
 * as text, never as floating point.
 */

/** The columns of {@link curBillSql}'s rows, in order. */
export const CUR_SQL_COLUMNS = [
  'account',
  'region',
  'usage_type',
  'operation',
  'resource_id',
  'line_item_type',
  'quantity',
  'amount',
  'currency',
  'invoiced',
  'line_items',
] as const;

/** The month's KMS lines of a CUR 2.0 table, summed per account, region, usage type, operation, key and line type. */
export function curBillSql(table: AthenaTableName, window: MonthWindow): string {
  // The month comes from a parsed window (YYYY-MM), never from user text.
  const period = window.start.toISOString().slice(0, 7);
  return `SELECT
  NULLIF(line_item_usage_account_id, '') AS account,
  NULLIF(product_region_code, '') AS region,
  line_item_usage_type AS usage_type,
  NULLIF(line_item_operation, '') AS operation,
  NULLIF(line_item_resource_id, '') AS resource_id,
  line_item_line_item_type AS line_item_type,
  CAST(SUM(CAST(line_item_usage_amount AS DECIMAL(38, 12))) AS VARCHAR) AS quantity,
  CAST(SUM(CAST(line_item_unblended_cost AS DECIMAL(38, 12))) AS VARCHAR) AS amount,
  MIN(line_item_currency_code) AS currency,
  MIN(CASE WHEN NULLIF(bill_invoice_id, '') IS NULL THEN 0 ELSE 1 END) AS invoiced,
  COUNT(*) AS line_items
FROM ${sqlTable(table)}
WHERE billing_period = '${period}'
  AND line_item_product_code = 'awskms'
GROUP BY 1, 2, 3, 4, 5, 6`;
}

export interface CurAthenaOptions {
  /** `DB.TABLE` of the CUR 2.0 table (or a checked name). */
  readonly table: string | AthenaTableName;
  readonly window: MonthWindow;
  readonly workgroup?: string;
  readonly outputLocation?: string;
  readonly polling?: AthenaPolling;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  readonly deadline?: AbortSignal;
}

/** A decimal string without trailing zeros (`0.030000000000` → `0.03`). */
const plain = (v: string | null) => {
  const t = (v ?? '0').trim();
  return t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t;
};

/**
 * Reads the month's KMS bill from the CUR 2.0 table through Athena: a {@link BillRead} with
 * granularity `key`. A query that fails, is cancelled or times out is a bill with no lines and
 * the reason in `gaps` (never a $0 bill). `status`: `final` when every line has an invoice id,
 * `estimated` otherwise.
 *
 * @example
 * ```ts
 * const bill = await readCurAthenaBill(new AthenaClient({ region: 'us-east-1' }), {
 *   table: 'cur.kms_export',
 *   window: parseMonth('2026-10'),
 * });
 * ```
 */
export async function readCurAthenaBill(client: AthenaClient, options: CurAthenaOptions): Promise<BillRead> {
  const clock = options.clock ?? systemClock;
  const table =
    typeof options.table === 'string' ? parseAthenaTable(options.table, '--cur-table') : options.table;
  const lines: BillLine[] = [];
  let invoiced = true;
  const currencies = new Set<string>();
  const outcome = await runAthenaQuery(client, curBillSql(table, options.window), {
    ...options,
    database: table.database,
    clock,
    onRows: (rows, columns) => {
      const at = CUR_SQL_COLUMNS.map((c) => columns.indexOf(c));
      for (const values of rows) {
        const get = (c: (typeof CUR_SQL_COLUMNS)[number]) =>
          values[at[CUR_SQL_COLUMNS.indexOf(c)] as number] ?? null;
        const usageType = get('usage_type') ?? '';
        const { region, category } = billCategoryOf(usageType);
        const resource = get('resource_id');
        if (get('invoiced') !== '1') invoiced = false;
        const currency = get('currency');
        if (currency) currencies.add(currency);
        lines.push({
          account: get('account'),
          region: get('region') ?? region,
          usageType,
          category,
          operation: get('operation'),
          keyArn: resource?.startsWith('arn:') && resource.includes(':kms:') ? resource : null,
          lineItemType: get('line_item_type') ?? 'Usage',
          quantity: plain(get('quantity')),
          amount: plain(get('amount')),
        });
      }
    },
  });
  const cost = `Athena query ${outcome.executionId ?? '(not started)'} on ${sqlTable(table)}: ${outcome.rows} lines, scanned ${formatScannedBytes(outcome.scannedBytes)} ($${athenaScanCost(outcome.scannedBytes)} at $${ATHENA_PRICE_PER_TB_USD} per TB)`;
  const ok = outcome.state === 'succeeded';
  const gaps = ok
    ? currencies.size > 1
      ? [`the bill mixes currencies (${[...currencies].sort().join(', ')})`]
      : []
    : [`Athena ${outcome.state}: ${outcome.reason}`];
  return {
    source: 'cur-athena',
    month: options.window.month,
    status: !ok || lines.length === 0 ? 'unknown' : invoiced ? 'final' : 'estimated',
    statusDetail: !ok
      ? 'the CUR could not be read'
      : lines.length === 0
        ? `no awskms line in billing period ${options.window.month}`
        : invoiced
          ? 'every line has an invoice id'
          : 'some lines have no invoice id yet (AWS settles the month in the first days of the next)',
    currency: [...currencies][0] ?? 'USD',
    granularity: 'key',
    lines: ok ? lines.sort(BILL_LINE_ORDER) : [],
    readAt: new Date(clock.now()).toISOString(),
    readCost: cost,
    gaps,
  };
}
