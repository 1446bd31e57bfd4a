import { InputError } from '../../errors.js';
import { readSnapshot } from '../../snapshot.js';
import { readUsageEvidence, type UsageEvidence } from '../../usage/evidence.js';
import type { Month } from '../../util/month.js';
import type { SavedEvidenceOptions } from '../options.js';
import { complianceConfigOf, type EvidenceSource, freeTierScopeOf, sourceAtRunTime } from './source.js';

/** A saved inventory snapshot, and optionally a saved usage file of the same month: no AWS calls. */
export function savedEvidence(options: SavedEvidenceOptions): EvidenceSource {
  return sourceAtRunTime(options.snapshotFile, async (month, run) => {
    const config = await complianceConfigOf(run.configFile);
    const snapshot = await readSnapshot(options.snapshotFile);
    const usageFile = options.usageFile ? await readSavedUsage(options.usageFile, month) : null;
    const usage = usageFile?.usage ?? null;
    return { snapshot, usage, usageFile, config, freeTierScope: freeTierScopeOf(snapshot) };
  });
}

/** Size-checked before reading, validated, repeated rows refused (as for the snapshot); of `month` only. */
async function readSavedUsage(file: string, month: Month): Promise<UsageEvidence> {
  const evidence = await readUsageEvidence(file);
  if (evidence.usage.month !== month.month)
    throw new InputError(file, `holds ${evidence.usage.month}, not ${month.month}`);
  return evidence;
}
