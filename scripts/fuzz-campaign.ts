/**
 * The fuzz campaign: the properties of `test/fuzz/properties.ts` (the same ones the unit suite runs
 * a few hundred times) for as long as it is given, and a count of the inputs tried.
 *
 *   npm run fuzz                      # 10 minutes, split evenly between the properties
 *   npm run fuzz -- --minutes 60      # longer
 *   npm run fuzz -- --seed 42         # reproducible
 *
 * Exits 1 with the shrunk counterexample and its seed when a property fails.
 */
import fc from 'fast-check';
import { loadPricingTables } from '../src/pricing/load.js';
import { FUZZ_PROPERTIES, FUZZ_TIME_BOUND_MS, usePricingTables } from '../test/fuzz/properties.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`fuzz-campaign: --${name} expects a positive number\n`);
    process.exit(2);
  }
  return value;
}

const minutes = option('minutes', 10);
const seed = option('seed', Date.now() % 2 ** 31);
usePricingTables(await loadPricingTables());
const budget = (minutes * 60_000) / FUZZ_PROPERTIES.length;
let total = 0;
let failed = false;
process.stdout.write(
  `fuzz campaign: ${minutes} min, seed ${seed}, bound ${FUZZ_TIME_BOUND_MS} ms per input\n`,
);
for (const { name, property } of FUZZ_PROPERTIES) {
  const started = Date.now();
  // numRuns is a ceiling: the time budget ends the run (interruptedAsFailure: false).
  const details = fc.check(property, {
    numRuns: Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: budget,
    markInterruptAsFailure: false,
    seed,
  });
  total += details.numRuns;
  const rate = details.numRuns / ((Date.now() - started) / 1000);
  process.stdout.write(
    `${details.failed ? 'FAIL' : 'ok  '} ${name}: ${details.numRuns} inputs (${rate.toFixed(0)}/s)\n`,
  );
  if (details.failed) {
    failed = true;
    process.stdout.write(`${`${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`}\n`);
  }
}
process.stdout.write(`${total} inputs tried, ${failed ? 'a property failed' : 'nothing found'}\n`);
process.exitCode = failed ? 1 : 0;
