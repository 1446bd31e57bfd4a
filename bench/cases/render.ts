/**
 * Rendering a large report of `--keys` keys (`--outputs` md,keys,costs,findings): first the
 * project's renderers (renderMarkdown, renderKeysCsv, renderCostsCsv, renderFindingsCsv), then
 * csv-stringify alone writing the same rows (read back from the renderers' output before
 * timing, with the same options): the floor for the CSV files. The report is built before
 * timing; each part's peak RSS is measured from a mark taken (after a full GC) at its start.
 */
import { stringify } from 'csv-stringify/sync';
import { renderCostsCsv, renderFindingsCsv, renderKeysCsv } from '../../src/report/csv.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { args, emit, gc, maxRssMb, nowMs, numberArg, startRssSampler } from '../lib/measure.js';
import { largeReport, parseCsv } from '../lib/report-model.js';

const opts = args();
const keys = numberArg(opts, 'keys', 100_000);
const outputs = (opts.get('outputs') ?? 'md,keys,costs,findings').split(',');

const buildStart = nowMs();
const report = await largeReport(keys);
const buildMs = nowMs() - buildStart;
const csvRenderers = Object.fromEntries(
  Object.entries({ keys: renderKeysCsv, costs: renderCostsCsv, findings: renderFindingsCsv })
    .filter(([name]) => outputs.includes(name))
    .map(([name, render]) => [`${name}.csv`, render]),
);

const sampler = startRssSampler();

/** The project's renderers, timed one by one; returns the CSV texts for the floor. */
function project() {
  const times: Record<string, number> = {};
  const sizes: Record<string, number> = {};
  const texts: Record<string, string> = {};
  gc();
  const baseline = sampler.mark();
  if (outputs.includes('md')) {
    const t = nowMs();
    const md = renderMarkdown(report);
    times['report.md'] = nowMs() - t;
    sizes['report.md'] = md.length;
  }
  for (const [name, render] of Object.entries(csvRenderers)) {
    const t = nowMs();
    texts[name] = render(report);
    times[name] = nowMs() - t;
    sizes[name] = texts[name].length;
  }
  return { figures: { times, sizes, baselineRssMb: baseline, peakRssMb: sampler.peak() }, texts };
}

/** csv-stringify alone on the rows read back from the renderers' output (read before timing). */
function floor(texts: Record<string, string>) {
  const rows = Object.fromEntries(Object.entries(texts).map(([name, text]) => [name, parseCsv(text)]));
  const times: Record<string, number> = {};
  const sizes: Record<string, number> = {};
  let identical = true;
  gc();
  const baseline = sampler.mark();
  for (const [name, records] of Object.entries(rows)) {
    const t = nowMs();
    const text = stringify(records, { record_delimiter: 'windows', eof: true });
    times[name] = nowMs() - t;
    sizes[name] = text.length;
    identical &&= text === texts[name];
  }
  return { times, sizes, identical, baselineRssMb: baseline, peakRssMb: sampler.peak() };
}

// The project first, so that the floor's rows are not in its memory.
const p = project();
const f = floor(p.texts);
await sampler.stop();
emit({
  keys: report.keys.length,
  findings: report.findings.length,
  costLines: report.cost.keys.reduce((n, k) => n + k.lines.length, 0),
  buildMs,
  project: p.figures,
  floor: f,
  maxRssMb: maxRssMb(),
});
process.exit(0);
