/**
 * Reading a CUR 2.0 export (`--dir`, a folder laid out as the bucket, with one large Parquet file
 * written by pyarrow) for its KMS lines:
 *
 * - `--mode project`: readCurBill on the folder, as from S3 (ranged reads of a row group's
 *   columns at a time; the product code column first, the others only for row groups with KMS
 *   rows);
 * - `--mode whole`: the file read whole into memory and every column decoded at once with
 *   hyparquet (parquetReadObjects): what reading it without streaming costs, for comparison.
 *
 * Figures: wall time, rows/s (every row of the file: each one's product code is read), peak RSS
 * above the process's RSS before the read, and the bytes read.
 */
import { readFile } from 'node:fs/promises';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { readCurBill } from '../../src/bill/cur.js';
import { args, emit, gc, nowMs, numberArg, startRssSampler } from '../lib/measure.js';

const opts = args();
const dir = opts.get('dir') as string;
const file = opts.get('file') as string;
const mode = opts.get('mode') ?? 'project';
const rows = numberArg(opts, 'rows', 0);

const sampler = startRssSampler();
gc();
const baselineRssMb = sampler.mark();
const start = nowMs();
let detail: Record<string, unknown>;
if (mode === 'project') {
  const bill = await readCurBill({
    month: '2026-10',
    location: { kind: 'folder', path: dir },
    prefix: 'cur',
  });
  if (bill.gaps.length > 0) throw new Error(`gaps: ${bill.gaps.join('; ')}`);
  detail = { lines: bill.lines.length, readCost: bill.readCost };
} else {
  const bytes = await readFile(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const all = await parquetReadObjects({ file: buffer, compressors });
  detail = { kmsRows: all.filter((r) => r.line_item_product_code === 'awskms').length };
}
const ms = nowMs() - start;
const peakRssMb = sampler.peak();
await sampler.stop();
emit({ mode, rows, ms, rowsPerSecond: rows / (ms / 1000), baselineRssMb, peakRssMb, detail });
process.exit(0);
