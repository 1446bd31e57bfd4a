/**
 * Rendering a large report of `--keys` keys (`--outputs` md,keys,costs,findings):
 *
 * 1. project: the project's renderers, each timed: renderMarkdown (one string) and the CSV
 *    renderers as the monthly job runs them, a block of rows at a time (keysCsvChunks,
 *    costsCsvChunks, findingsCsvChunks), the pieces consumed as they come (sizes summed);
 * 2. floor (`--floor` outputs, default all CSVs): csv-stringify alone writing the same rows
 *    (read back from the project's output before timing, same options), in one call and in
 *    calls of 512 rows; the bench checks both write the very same text ("rows identical");
 * 3. write (`--write`): the same outputs written into a report folder by writeReportSet, as
 *    runMonthlyReport does (rendering, hashing, writing and flushing to disk).
 *
 * The report is built before timing; each phase's peak RSS is measured from a mark taken
 * (after a full GC) at its start.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { type ReportFile, writeReportSet } from '../../src/pipeline/writer.js';
import { costsCsvChunks, findingsCsvChunks, keysCsvChunks } from '../../src/report/csv.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { args, emit, gc, maxRssMb, nowMs, numberArg, startRssSampler } from '../lib/measure.js';
import { largeReport, parseCsv } from '../lib/report-model.js';

const opts = args();
const keys = numberArg(opts, 'keys', 100_000);
const outputs = (opts.get('outputs') ?? 'md,keys,costs,findings').split(',');
const floorOf = (opts.get('floor') ?? 'keys,costs,findings').split(',').filter((o) => outputs.includes(o));
const write = opts.get('write') === 'true';
/** Rows per call in the blocked floor: the project's block size (src/report/csv.ts), header row included in the first. */
const FLOOR_BLOCK = 512;

const buildStart = nowMs();
const report = await largeReport(keys);
const buildMs = nowMs() - buildStart;
const csvChunks = Object.fromEntries(
  Object.entries({ keys: keysCsvChunks, costs: costsCsvChunks, findings: findingsCsvChunks })
    .filter(([name]) => outputs.includes(name))
    .map(([name, chunks]) => [name, chunks]),
);

// Warm-up on a small report, untimed: the JIT compiles the renderers and csv-stringify before
// anything is measured, so a --quick run (5,000 keys) is not mostly compile time.
{
  const small = await largeReport(100);
  renderMarkdown(small);
  for (const chunks of Object.values(csvChunks)) {
    const text = [...chunks(small)].join('');
    stringify(parseCsv(text), { record_delimiter: 'windows', eof: true });
  }
}

const sampler = startRssSampler();

/** The project's renderers, timed one by one. */
function project() {
  const times: Record<string, number> = {};
  const sizes: Record<string, number> = {};
  gc();
  const baseline = sampler.mark();
  if (outputs.includes('md')) {
    // As the job writes it (tables of at most 1,000 rows), then with every row.
    for (const [name, maxTableRows] of [
      ['report.md', undefined],
      ['report.md, no row limit', 0],
    ] as const) {
      const t = nowMs();
      const md = renderMarkdown(report, { maxTableRows });
      times[name] = nowMs() - t;
      sizes[name] = md.length;
    }
  }
  for (const [name, chunks] of Object.entries(csvChunks)) {
    const t = nowMs();
    let size = 0;
    for (const piece of chunks(report)) size += piece.length;
    times[`${name}.csv`] = nowMs() - t;
    sizes[`${name}.csv`] = size;
  }
  return { times, sizes, baselineRssMb: baseline, peakRssMb: sampler.peak() };
}

/** csv-stringify alone on the rows read back from the project's output (read before timing). */
function floor() {
  const rows: Record<string, string[][]> = {};
  const texts: Record<string, string> = {};
  for (const name of floorOf) {
    texts[name] = [...(csvChunks[name] as (r: typeof report) => Iterable<string>)(report)].join('');
    rows[name] = parseCsv(texts[name]);
  }
  const times: Record<string, number> = {};
  const sizes: Record<string, number> = {};
  let identical = true;
  gc();
  const baseline = sampler.mark();
  const blockTimes: Record<string, number> = {};
  for (const [name, records] of Object.entries(rows)) {
    const t = nowMs();
    const text = stringify(records, { record_delimiter: 'windows', eof: true });
    times[`${name}.csv`] = nowMs() - t;
    sizes[`${name}.csv`] = text.length;
    identical &&= text === texts[name];
    // The same, a block of rows per call, as the project writes (the pieces checked after timing).
    const tb = nowMs();
    const pieces: string[] = [];
    for (let i = 0; i < records.length; i += FLOOR_BLOCK)
      pieces.push(stringify(records.slice(i, i + FLOOR_BLOCK), { record_delimiter: 'windows', eof: true }));
    blockTimes[`${name}.csv`] = nowMs() - tb;
    identical &&= pieces.join('') === texts[name];
  }
  return { times, blockTimes, sizes, identical, baselineRssMb: baseline, peakRssMb: sampler.peak() };
}

/** The outputs written as the monthly job writes them. */
async function written() {
  const dir = await mkdtemp(join(tmpdir(), 'kms-report-bench-render-'));
  try {
    const files: ReportFile[] = [];
    if (outputs.includes('md'))
      files.push({
        name: 'report.md',
        contents: {
          *[Symbol.iterator]() {
            yield renderMarkdown(report);
          },
        },
      });
    for (const [name, chunks] of Object.entries(csvChunks))
      files.push({ name: `${name}.csv`, contents: chunks(report) });
    gc();
    const baseline = sampler.mark();
    const t = nowMs();
    const manifest = await writeReportSet(join(dir, 'out'), files, {
      generatedAt: report.generatedAt,
      toolVersion: 'bench',
    });
    return {
      ms: nowMs() - t,
      bytes: manifest.files.reduce((n, f) => n + f.bytes, 0),
      baselineRssMb: baseline,
      peakRssMb: sampler.peak(),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// The project first, so that the floor's rows are not in its memory.
const p = project();
const w = write ? await written() : null;
const f = floor();
await sampler.stop();
emit({
  keys: report.keys.length,
  findings: report.findings.length,
  costLines: report.cost.keys.reduce((n, k) => n + k.lines.length, 0),
  buildMs,
  project: p,
  write: w,
  floor: f,
  maxRssMb: maxRssMb(),
});
process.exit(0);
