import {
  DEMO_EVIDENCE_TIME,
  DEMO_MONTH,
  demoComplianceConfig,
  demoSnapshot,
  demoUsageEvidence,
} from '../../demo/sample.js';
import { InputError } from '../../errors.js';
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
