import type { FileMetaData, SchemaElement } from 'hyparquet';
import { parquetSchema } from 'hyparquet';

/**
 * The CUR 2.0 columns kms-report reads, how each must be typed in the Parquet file, and how a
 * value is read back: text as text, money as an exact decimal string. Everything is checked
 * against the file's own schema before a row is read: a file without a required column, or with
 * one of an unexpected type, is not read (a gap naming it).
 */

/** How a column's values are read. */
type ColumnKind = 'text' | 'number' | 'timestamp';

interface ColumnSpec {
  readonly kind: ColumnKind;
  /** A file without it is not a CUR 2.0 file kms-report can read. */
  readonly required: boolean;
}

/** The columns read, by name (kms-facts.md §6). */
export const CUR_COLUMNS = {
  line_item_product_code: { kind: 'text', required: true },
  line_item_usage_account_id: { kind: 'text', required: true },
  line_item_line_item_type: { kind: 'text', required: true },
  line_item_usage_type: { kind: 'text', required: true },
  line_item_usage_amount: { kind: 'number', required: true },
  line_item_unblended_cost: { kind: 'number', required: true },
  bill_invoice_id: { kind: 'text', required: true },
  line_item_operation: { kind: 'text', required: false },
  // Present with INCLUDE_RESOURCES only: without it the bill is per usage type, not per key.
  line_item_resource_id: { kind: 'text', required: false },
  product_region_code: { kind: 'text', required: false },
  line_item_currency_code: { kind: 'text', required: false },
  bill_billing_period_start_date: { kind: 'timestamp', required: false },
} as const satisfies Record<string, ColumnSpec>;

export type CurColumn = keyof typeof CUR_COLUMNS;

/** The column whose value selects KMS rows, and the value. */
export const PRODUCT_COLUMN: CurColumn = 'line_item_product_code';
export const KMS_PRODUCT_CODE = 'awskms';

/** How a number column is stored: a float (CUR 2.0 writes doubles), a decimal of some scale, or text. */
export type NumberEncoding =
  | { readonly as: 'float' }
  | { readonly as: 'decimal'; readonly scale: number }
  | { readonly as: 'text' };

/** A file's plan: the columns present, and how to read its number columns. */
export interface ColumnPlan {
  readonly present: ReadonlySet<CurColumn>;
  readonly numbers: Readonly<Partial<Record<CurColumn, NumberEncoding>>>;
  /** The metadata to read with: decimal annotations removed, so hyparquet leaves them unscaled (exact). */
  readonly metadata: FileMetaData;
}

/** A file whose schema kms-report cannot read; the message says which column and why. */
export class CurSchemaError extends Error {
  override readonly name = 'CurSchemaError';
}

const isDecimal = (e: SchemaElement) => e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL';
const scaleOf = (e: SchemaElement) =>
  e.logical_type?.type === 'DECIMAL' ? e.logical_type.scale : (e.scale ?? 0);

function numberEncoding(e: SchemaElement): NumberEncoding | null {
  if (isDecimal(e)) {
    const scale = scaleOf(e);
    return Number.isInteger(scale) && scale >= 0 && scale <= 38 ? { as: 'decimal', scale } : null;
  }
  if (e.type === 'DOUBLE' || e.type === 'FLOAT') return { as: 'float' };
  if (e.type === 'BYTE_ARRAY') return { as: 'text' };
  return null;
}

function isTimestamp(e: SchemaElement): boolean {
  if (e.type === 'INT96') return true;
  return (
    e.type === 'INT64' &&
    (e.converted_type === 'TIMESTAMP_MILLIS' ||
      e.converted_type === 'TIMESTAMP_MICROS' ||
      e.logical_type?.type === 'TIMESTAMP')
  );
}

/** Checks one column against its spec; the reason it cannot be read, or null. */
function columnProblem(name: CurColumn, e: SchemaElement, leaf: boolean): string | null {
  const spec: ColumnSpec = CUR_COLUMNS[name];
  if (!leaf || e.repetition_type === 'REPEATED') return `${name} is nested, not a plain column`;
  if (spec.kind === 'text' && e.type !== 'BYTE_ARRAY') return `${name} is ${e.type}, not text`;
  if (spec.kind === 'number' && numberEncoding(e) === null)
    return `${name} is ${e.type}${e.converted_type ? ` (${e.converted_type})` : ''}, not a number`;
  if (spec.kind === 'timestamp' && !isTimestamp(e)) return `${name} is ${e.type}, not a timestamp`;
  return null;
}

/**
 * Checks a file's schema and plans its read. Throws {@link CurSchemaError} when a required column
 * is missing or any column read has an unexpected type (an optional one of the wrong type is
 * left out rather than trusted: a timestamp that is not one, say).
 */
export function planColumns(metadata: FileMetaData): ColumnPlan {
  const tree = parquetSchema(metadata);
  const byName = new Map(tree.children.map((c) => [c.element.name, c]));
  const present = new Set<CurColumn>();
  const numbers: Partial<Record<CurColumn, NumberEncoding>> = {};
  const missing: string[] = [];
  for (const name of Object.keys(CUR_COLUMNS) as CurColumn[]) {
    const node = byName.get(name);
    const spec: ColumnSpec = CUR_COLUMNS[name];
    if (!node) {
      if (spec.required) missing.push(name);
      continue;
    }
    const problem = columnProblem(name, node.element, node.children.length === 0);
    if (problem !== null) {
      if (spec.required) throw new CurSchemaError(`not a CUR 2.0 file kms-report can read: ${problem}`);
      continue;
    }
    present.add(name);
    if (spec.kind === 'number') numbers[name] = numberEncoding(node.element) as NumberEncoding;
  }
  if (missing.length > 0)
    throw new CurSchemaError(
      `not a CUR 2.0 file: no column ${missing.join(', ')} (kms-report reads CUR 2.0 exports of AWS Data Exports)`,
    );
  const decimals = new Set((Object.keys(numbers) as CurColumn[]).filter((n) => numbers[n]?.as === 'decimal'));
  const plain = decimals.size
    ? {
        ...metadata,
        schema: metadata.schema.map((e) =>
          decimals.has(e.name as CurColumn)
            ? {
                ...e,
                converted_type: undefined,
                logical_type: undefined,
                scale: undefined,
                precision: undefined,
              }
            : e,
        ),
      }
    : metadata;
  return { present, numbers, metadata: plain };
}

const DECIMAL_TEXT = /^-?\d{1,40}(\.\d{1,40})?([eE][-+]?\d{1,3})?$/;
const utf8 = new TextDecoder('utf-8');

/** Text from a text column: strings as they are, unannotated byte arrays decoded; null when absent. */
export function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return utf8.decode(value);
  return null;
}

/** The two's-complement big-endian integer of a decimal's bytes. */
function unscaledOf(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const bits = BigInt(bytes.length * 8);
  return bytes.length > 0 && (bytes[0] as number) >= 0x80 ? value - (1n << bits) : value;
}

/** `unscaled × 10^-scale` as a plain decimal string. */
function scaled(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${whole}` : whole;
}

/**
 * A number column's value as an exact decimal string, or null when it is absent or not a finite
 * number. A double is read as its shortest decimal form (`0.03`, not
 * `0.0299999999999999988897769753748`): what AWS wrote, since its amounts are decimals with at most
 * 10 places stored as the nearest double.
 */
export function decimalOf(value: unknown, encoding: NumberEncoding): string | null {
  if (value === null || value === undefined) return null;
  if (encoding.as === 'float')
    return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
  if (encoding.as === 'decimal') {
    if (typeof value === 'bigint') return scaled(value, encoding.scale);
    if (typeof value === 'number' && Number.isSafeInteger(value))
      return scaled(BigInt(value), encoding.scale);
    if (value instanceof Uint8Array && value.length <= 32) return scaled(unscaledOf(value), encoding.scale);
    return null;
  }
  const text = textOf(value)?.trim() ?? '';
  return text.length <= 100 && DECIMAL_TEXT.test(text) ? text : null;
}

/** A timestamp column's value as epoch milliseconds, or null. */
export function timeOf(value: unknown): number | null {
  return value instanceof Date && Number.isFinite(value.getTime()) ? value.getTime() : null;
}
