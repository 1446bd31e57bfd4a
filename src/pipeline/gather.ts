import { InputError, InterruptedError } from '../errors.js';
import { startDeadline } from '../util/deadline.js';
import type { Month } from '../util/month.js';
import type { Evidence, EvidenceSource, GatherContext } from './evidence/source.js';

/** What bounds a gathering: the run's deadline (from the start of the collection) and Ctrl-C. */
export interface GatherLimits extends Omit<GatherContext, 'deadline'> {
  readonly deadlineMs?: number;
}

/**
 * The month's evidence from `source`, within the run's deadline. Stopped (Ctrl-C), it is an
 * {@link InterruptedError} and nothing is written: a report of part of a month must not stand in
 * for the month. Usage of another month is refused.
 */
export async function gatherEvidence(
  source: EvidenceSource,
  month: Month,
  limits: GatherLimits,
): Promise<Evidence> {
  const { deadlineMs, ...run } = limits;
  // The deadline runs from here; it bounds the collection, not the writing that follows it.
  const deadline = deadlineMs === undefined ? undefined : startDeadline(deadlineMs);
  const evidence = await source
    .gather(month, { ...run, deadline: deadline?.signal })
    .catch((error: unknown) => {
      if (error instanceof InterruptedError) throw interrupted();
      throw error;
    })
    .finally(() => deadline?.clear());
  // Stopped while collecting: the usage sources ended early, so the month is not whole.
  if (run.signal?.aborted) throw interrupted();
  if (evidence.usage && evidence.usage.month !== month.month)
    throw new InputError('usage', `the usage evidence holds ${evidence.usage.month}, not ${month.month}`);
  return evidence;
}

function interrupted(): InterruptedError {
  return new InterruptedError(
    'stopped (Ctrl-C) while collecting: no report was written, the previous one is intact',
  );
}
