import { describeMissing, type Observed } from '../../model/observed.js';
import { type PolicyReading, parseKeyPolicy } from './parse.js';

export * from './analysis.js';
export * from './parse.js';

/**
 * The key policy of a record, read once for every POL rule: parsed when it was collected,
 * otherwise unreadable with the reason
 * (`the key policy could not be read: GetKeyPolicy failed: AccessDeniedException`).
 *
 * @example
 * ```ts
 * const reading = readKeyPolicy(key.policy);
 * if (reading.status === 'unreadable') console.log(reading.reason);
 * ```
 */
export function readKeyPolicy(policy: Observed<string>): PolicyReading {
  if (policy.status !== 'collected')
    return { status: 'unreadable', reason: `the key policy could not be read: ${describeMissing(policy)}` };
  return parseKeyPolicy(policy.value);
}
