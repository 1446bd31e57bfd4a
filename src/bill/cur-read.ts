import {
  type Compressors,
  type FileMetaData,
  parquetMetadataAsync,
  parquetRead,
  type RowGroup,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import {
  type ColumnPlan,
  type CurColumn,
  decimalOf,
  KMS_PRODUCT_CODE,
  PRODUCT_COLUMN,
  planColumns,
  textOf,
  timeOf,
} from './cur-columns.js';
import type { ObjectStore, StoredObject } from './object-store.js';
import { type ByteCounter, parquetBuffer, SourceError } from './parquet-source.js';

/**
 * Reads one CUR 2.0 Parquet file a row group at a time, keeping only KMS rows. Per row group:
 * its statistics first (a group whose `line_item_product_code` range cannot hold `awskms` is
 * skipped unread), then the product code column alone, then — only when KMS rows are there — the
 * other columns kms-report needs. Other columns (`product`, `resource_tags`, ...) are never read.
 * Memory is one row group's needed columns at a time, whatever the file's size.
 */

/** Row groups in one file, at most (AWS writes tens). */
export const MAX_ROW_GROUPS = 100_000;
/** Rows in one row group, at most: what one group's columns cost in memory is bounded by it. */
export const MAX_ROW_GROUP_ROWS = 2_000_000;
/** Compressed bytes of the columns read from one row group, at most. */
export const MAX_ROW_GROUP_BYTES = 512 * 1024 * 1024;
/** Their uncompressed size, at most (a file that claims more is refused, not decompressed). */
export const MAX_ROW_GROUP_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024;
/** The longest text kept from a row (a key ARN is at most ~2 KB; a usage type tens of characters). */
export const MAX_TEXT_LENGTH = 2048;
/**
 * The largest page decompressed: hyparquet allocates the size a page's header claims before it
 * decompresses (and a header is the file's word), so a page claiming more is refused, its file a
 * gap. A CUR's pages are about a megabyte.
 */
export const MAX_PAGE_UNCOMPRESSED_BYTES = 64 * 1024 * 1024;

/** One KMS row of the CUR, validated. Quantity and amount are exact decimal strings. */
export interface CurRow {
  readonly account: string;
  readonly usageType: string;
  readonly operation: string | null;
  readonly resourceId: string | null;
  readonly lineItemType: string;
  readonly quantity: string;
  readonly amount: string;
  readonly regionCode: string | null;
  readonly invoiceId: string;
  readonly currency: string | null;
  readonly periodStartMs: number | null;
}

/** What reading one file did. */
export interface FileReadStats {
  rowGroups: number;
  /** Row groups skipped by their statistics (no KMS row can be in them). */
  rowGroupsSkipped: number;
  rows: number;
  kmsRows: number;
  /** Whether the file has `line_item_resource_id` (INCLUDE_RESOURCES). */
  resources: boolean;
}

/** A file that cannot be read as a CUR (its message says why; the caller names the file). */
export class CurFileError extends Error {
  override readonly name = 'CurFileError';
}

/** Receives a file's KMS rows, and the reason for each KMS row that could not be read. */
export interface RowSink {
  row(row: CurRow): void;
  invalid(reason: string): void;
}

const READ_COLUMNS: readonly CurColumn[] = [
  'line_item_usage_account_id',
  'line_item_line_item_type',
  'line_item_usage_type',
  'line_item_usage_amount',
  'line_item_unblended_cost',
  'bill_invoice_id',
  'line_item_operation',
  'line_item_resource_id',
  'product_region_code',
  'line_item_currency_code',
  'bill_billing_period_start_date',
];

/** Reads `object` and hands its KMS rows to `sink`. Throws {@link CurFileError} and the store's errors. */
export async function readCurFile(
  store: ObjectStore,
  object: StoredObject,
  counter: ByteCounter,
  sink: RowSink,
  signal?: AbortSignal,
): Promise<FileReadStats> {
  const file = parquetBuffer(store, object, counter);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    if (error instanceof SourceError) throw error.cause;
    throw new CurFileError(`not a Parquet file (${messageOf(error)})`);
  }
  const plan = planColumns(metadata);
  if (metadata.row_groups.length > MAX_ROW_GROUPS)
    throw new CurFileError(`${metadata.row_groups.length} row groups (more than ${MAX_ROW_GROUPS})`);
  const stats: FileReadStats = {
    rowGroups: 0,
    rowGroupsSkipped: 0,
    rows: 0,
    kmsRows: 0,
    resources: plan.present.has('line_item_resource_id'),
  };
  const others = READ_COLUMNS.filter((c) => plan.present.has(c));
  let groupStart = 0;
  for (const [index, group] of metadata.row_groups.entries()) {
    signal?.throwIfAborted();
    const groupRows = checkRowGroup(group, index, others);
    stats.rowGroups += 1;
    stats.rows += groupRows;
    const range = { file, plan, groupStart, groupRows };
    groupStart += groupRows;
    if (groupRows === 0 || cannotHoldKms(group)) {
      stats.rowGroupsSkipped += 1;
      continue;
    }
    const codes = (await readColumns(range, [PRODUCT_COLUMN])).get(PRODUCT_COLUMN) as unknown[];
    const kms: number[] = [];
    for (let i = 0; i < groupRows; i++) if (codes[i] === KMS_PRODUCT_CODE) kms.push(i);
    if (kms.length === 0) continue;
    stats.kmsRows += kms.length;
    const columns = await readColumns(range, others);
    for (const i of kms) rowAt(columns, plan, i, sink);
  }
  return stats;
}

/** The rows of a row group, checked against the bounds before anything of it is read. */
function checkRowGroup(group: RowGroup, index: number, columns: readonly CurColumn[]): number {
  const rows = Number(group.num_rows);
  if (!Number.isSafeInteger(rows) || rows < 0 || rows > MAX_ROW_GROUP_ROWS)
    throw new CurFileError(
      `row group ${index} has ${group.num_rows} rows (at most ${MAX_ROW_GROUP_ROWS} are read)`,
    );
  const wanted = new Set<string>([PRODUCT_COLUMN, ...columns]);
  let compressed = 0n;
  let uncompressed = 0n;
  for (const chunk of group.columns) {
    const meta = chunk.meta_data;
    if (!meta || !wanted.has(meta.path_in_schema[0] ?? '')) continue;
    compressed += meta.total_compressed_size;
    uncompressed += meta.total_uncompressed_size;
  }
  if (compressed > BigInt(MAX_ROW_GROUP_BYTES) || uncompressed > BigInt(MAX_ROW_GROUP_UNCOMPRESSED_BYTES))
    throw new CurFileError(
      `row group ${index}: its columns take ${compressed} bytes (${uncompressed} uncompressed), more than ${MAX_ROW_GROUP_BYTES} (${MAX_ROW_GROUP_UNCOMPRESSED_BYTES}) read at once`,
    );
  return rows;
}

/** True when the group's statistics show that no row's product code is `awskms`. */
function cannotHoldKms(group: RowGroup): boolean {
  const chunk = group.columns.find((c) => c.meta_data?.path_in_schema[0] === PRODUCT_COLUMN);
  const s = chunk?.meta_data?.statistics;
  const min = s?.min_value ?? s?.min;
  const max = s?.max_value ?? s?.max;
  if (typeof min !== 'string' || typeof max !== 'string') return false;
  return KMS_PRODUCT_CODE < min || KMS_PRODUCT_CODE > max;
}

interface GroupRange {
  readonly file: ReturnType<typeof parquetBuffer>;
  readonly plan: ColumnPlan;
  readonly groupStart: number;
  readonly groupRows: number;
}

/** hyparquet's decompressors, each refusing a page whose header claims more than {@link MAX_PAGE_UNCOMPRESSED_BYTES}. */
export const boundedCompressors: Compressors = Object.fromEntries(
  Object.entries(compressors).map(([codec, decompress]) => [
    codec,
    (input: Uint8Array, length: number) => {
      if (!Number.isSafeInteger(length) || length < 0 || length > MAX_PAGE_UNCOMPRESSED_BYTES)
        throw new CurFileError(
          `a ${codec} page claims ${length} bytes uncompressed (more than ${MAX_PAGE_UNCOMPRESSED_BYTES}): not read`,
        );
      return decompress(input, length);
    },
  ]),
);

/** The values of `columns` over one row group, each as an array indexed by the row in the group. */
async function readColumns(
  range: GroupRange,
  columns: readonly CurColumn[],
): Promise<Map<string, unknown[]>> {
  const { file, plan, groupStart, groupRows } = range;
  const out = new Map<string, unknown[]>(columns.map((c) => [c, new Array<unknown>(groupRows)]));
  try {
    await parquetRead({
      file,
      metadata: plan.metadata,
      columns: [...columns],
      rowStart: groupStart,
      rowEnd: groupStart + groupRows,
      compressors: boundedCompressors,
      // Unannotated byte arrays stay bytes (an unscaled decimal); text columns are annotated.
      utf8: false,
      onChunk({ columnName, columnData, rowStart }) {
        const target = out.get(columnName);
        if (!target) return;
        for (let i = 0; i < columnData.length; i++) {
          const at = rowStart - groupStart + i;
          if (at >= 0 && at < groupRows) target[at] = columnData[i];
        }
      },
    });
  } catch (error) {
    if (error instanceof SourceError) throw error.cause;
    throw new CurFileError(
      `rows ${groupStart}-${groupStart + groupRows - 1} could not be read (${messageOf(error)})`,
    );
  }
  return out;
}

const ACCOUNT = /^\d{12}$/;

/** A bounded, non-empty text, or null. */
function boundedText(value: unknown): string | null {
  const text = textOf(value);
  return text === null || text === '' || text.length > MAX_TEXT_LENGTH ? null : text;
}

/** Validates row `i` and hands it to the sink (or says why it could not be read). */
function rowAt(columns: Map<string, unknown[]>, plan: ColumnPlan, i: number, sink: RowSink): void {
  const v = (c: CurColumn) => columns.get(c)?.[i];
  const account = textOf(v('line_item_usage_account_id'));
  const usageType = boundedText(v('line_item_usage_type'));
  const lineItemType = boundedText(v('line_item_line_item_type'));
  const quantity = decimalOf(
    v('line_item_usage_amount'),
    plan.numbers.line_item_usage_amount ?? { as: 'float' },
  );
  const amount = decimalOf(
    v('line_item_unblended_cost'),
    plan.numbers.line_item_unblended_cost ?? { as: 'float' },
  );
  const problem =
    account === null || !ACCOUNT.test(account)
      ? 'line_item_usage_account_id is not a 12-digit account'
      : usageType === null
        ? 'line_item_usage_type is empty or too long'
        : lineItemType === null
          ? 'line_item_line_item_type is empty or too long'
          : quantity === null
            ? 'line_item_usage_amount is not a number'
            : amount === null
              ? 'line_item_unblended_cost is not a number'
              : null;
  if (problem !== null || account === null || usageType === null || lineItemType === null) {
    sink.invalid(problem ?? 'unreadable');
    return;
  }
  sink.row({
    account,
    usageType,
    lineItemType,
    quantity: quantity as string,
    amount: amount as string,
    operation: boundedText(v('line_item_operation')),
    resourceId: boundedText(v('line_item_resource_id')),
    regionCode: boundedText(v('product_region_code')),
    invoiceId: textOf(v('bill_invoice_id'))?.trim() ?? '',
    currency: boundedText(v('line_item_currency_code')),
    periodStartMs: timeOf(v('bill_billing_period_start_date')),
  });
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, 300);
}
