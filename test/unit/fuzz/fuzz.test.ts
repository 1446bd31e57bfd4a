import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPricingTables } from '../../../src/pricing/load.js';
import { FUZZ_PROPERTIES, usePricingTables } from '../../fuzz/properties.js';

/**
 * The fuzz properties of `test/fuzz/properties.ts`, a bounded number of inputs each (`suiteRuns`, or
 * `FUZZ_RUNS`) so the suite stays quick; `npm run fuzz` runs the same properties for as long as it is given. A failure
 * prints the shrunk input and the seed to replay it (`FUZZ_SEED`).
 */
const RUNS = process.env.FUZZ_RUNS === undefined ? undefined : Number(process.env.FUZZ_RUNS);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

beforeAll(async () => {
  usePricingTables(await loadPricingTables());
});

describe('fuzz: hostile input never hangs, crashes, or passes a rule it could not judge', () => {
  for (const { name, property, suiteRuns } of FUZZ_PROPERTIES)
    it(name, () => {
      const numRuns = RUNS ?? suiteRuns;
      const details = fc.check(property, { numRuns, seed });
      expect(
        details.failed ? `${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}` : null,
      ).toBeNull();
      expect(details.numRuns).toBe(numRuns);
    }, 120_000); // Hundreds of reports built and parsed: seconds on an idle machine, more at a load of 5.
});
