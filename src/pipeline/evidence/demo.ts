import { fileURLToPath } from 'node:url';
import { readCurBill } from '../../bill/cur.js';
import {
  DEMO_EVIDENCE_TIME,
  DEMO_MONTH,
  demoComplianceConfig,
  demoSnapshot,
  demoUsageEvidence,
} from '../../demo/sample.js';
import { InputError } from '../../errors.js';
import type { BillRead } from '../../model/bill.js';
import { resolveReportMonth } from '../../util/month.js';
import { complianceConfigOf, type EvidenceSource, freeTierScopeOf } from './source.js';

/**
 * The sample account that ships with kms-report: evidence of {@link DEMO_MONTH} only, dated as if
 * collected on the 1st of the next month ({@link DEMO_EVIDENCE_TIME}), whenever it is run.
 */
export function demoEvidence(): EvidenceSource {
  return {
    name: 'snapshot',
    demo: true,
    clock: () => new Date(DEMO_EVIDENCE_TIME),
    month(requested, at) {
      if (requested !== undefined && requested !== DEMO_MONTH)
        throw new InputError(
          '--month',
          `the demo data is for ${DEMO_MONTH}; run --demo without --month, or with --month ${DEMO_MONTH}`,
        );
      return resolveReportMonth(DEMO_MONTH, at);
    },
    async gather(_month, run) {
      const config = await complianceConfigOf(run.configFile, demoComplianceConfig);
      const usageFile = demoUsageEvidence();
      const snapshot = demoSnapshot();
      return {
        snapshot,
        usage: usageFile.usage,
        usageFile,
        config,
        freeTierScope: freeTierScopeOf(snapshot),
      };
    },
  };
}

/**
 * Where the demo's bill is: a CUR 2.0 export of {@link DEMO_MONTH} (one Parquet file and its
 * manifest, written by scripts/demo-bill.ts from the demo's own estimate), shipped with the
 * package (`demo/cur/`).
 */
export const DEMO_CUR_DIR = fileURLToPath(new URL('../../../demo/cur/', import.meta.url));
/** The demo export's name (`demo/cur/<name>/data/BILLING_PERIOD=YYYY-MM/`). */
export const DEMO_CUR_EXPORT = 'kms-report-demo';

/**
 * The demo account's bill for {@link DEMO_MONTH}, read from its CUR 2.0 export by the same reader
 * as a real one ({@link readCurBill}): every key billed as estimated (AWS's per-line rounding
 * aside), the free tier billed at $0, one key deleted before the evidence was taken (an
 * explained difference) and one key's Decrypt requests billed 30% above the count (flagged).
 * Final (every line carries an invoice id), read as of {@link DEMO_EVIDENCE_TIME}.
 */
export function demoBill(): Promise<BillRead> {
  return readCurBill({
    month: DEMO_MONTH,
    location: { kind: 'folder', path: DEMO_CUR_DIR, label: "the demo's CUR export (demo/cur)" },
    exportName: DEMO_CUR_EXPORT,
    clock: { now: () => Date.parse(DEMO_EVIDENCE_TIME) },
  });
}
