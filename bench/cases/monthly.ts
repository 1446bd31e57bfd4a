/**
 * The monthly job end to end, as a user runs it from saved evidence: `runMonthlyReport` with
 * `--snapshot` and `--usage` (written by monthly-generate.ts), every format, into a report folder
 * under `--out`. Reads and validates the evidence, prices the month, judges every key, builds the
 * report and writes (renders, hashes, flushes) every file. Peak RSS is the process's high-water
 * mark (`process.resourceUsage().maxRSS`), so it includes everything the run held at any moment.
 */
import { runMonthlyReport } from '../../src/pipeline/run.js';
import { ESTATE_MONTH, ESTATE_NOW } from '../lib/estate.js';
import { args, emit, maxRssMb, nowMs, rssMb } from '../lib/measure.js';

const opts = args();
const snapshotFile = opts.get('snapshot');
const usageFile = opts.get('usage');
const outDir = opts.get('out');
if (!snapshotFile || !usageFile || !outDir) throw new Error('--snapshot, --usage and --out are required');

const startRssMb = rssMb();
const t0 = nowMs();
const { report, manifest } = await runMonthlyReport({
  month: ESTATE_MONTH,
  evidence: { kind: 'saved', snapshotFile, usageFile },
  output: { dir: outDir, formats: ['md', 'csv', 'json'] },
  now: () => new Date(ESTATE_NOW),
});
const wallMs = nowMs() - t0;
emit({
  keys: report.keys.length,
  findings: report.findings.length,
  wallMs,
  startRssMb,
  peakRssMb: maxRssMb(),
  files: manifest.files.map((f) => ({ name: f.name, bytes: f.bytes })),
});
