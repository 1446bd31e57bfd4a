/**
 * Writes the end-to-end benchmark's evidence (not timed): a snapshot and a usage evidence file of
 * about `--keys` keys (bench/lib/estate.ts) to `--snapshot` and `--usage`.
 */
import { statSync } from 'node:fs';
import { writeEstate } from '../lib/estate.js';
import { args, emit, nowMs, numberArg } from '../lib/measure.js';

const opts = args();
const snapshotFile = opts.get('snapshot');
const usageFile = opts.get('usage');
if (!snapshotFile || !usageFile) throw new Error('--snapshot and --usage are required');
const t0 = nowMs();
const written = await writeEstate(numberArg(opts, 'keys', 10_000), snapshotFile, usageFile);
emit({
  ...written,
  ms: nowMs() - t0,
  snapshotBytes: statSync(snapshotFile).size,
  usageBytes: statSync(usageFile).size,
});
