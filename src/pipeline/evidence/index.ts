import { InputError } from '../../errors.js';
import type { EvidenceOptions } from '../options.js';
import { demoEvidence } from './demo.js';
import { liveEvidence } from './live.js';
import { organizationEvidence } from './organization.js';
import { savedEvidence } from './saved.js';
import type { EvidenceSource } from './source.js';

export type { Evidence, EvidenceSource, GatherContext } from './source.js';
export { demoEvidence, liveEvidence, organizationEvidence, savedEvidence };

/** The source the options describe; default: live, the caller's account. */
export function evidenceSource(options: EvidenceOptions = { kind: 'live' }): EvidenceSource {
  switch (options.kind) {
    case 'live':
      return liveEvidence(options);
    case 'organization':
      return organizationEvidence(options);
    case 'saved':
      return savedEvidence(options);
    case 'demo':
      return demoEvidence();
    default:
      // Unreachable from TypeScript; a JavaScript caller's typo is said, not a crash further on.
      throw new InputError(
        'evidence.kind',
        `expected live, organization, saved or demo, got ${JSON.stringify((options as { kind?: unknown }).kind)}`,
      );
  }
}
