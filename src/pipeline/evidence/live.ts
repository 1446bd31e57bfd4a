import { collectInventory } from '../../org/collect.js';
import type { AccountSession } from '../../org/targets.js';
import { collectMonthUsage } from '../../org/usage.js';
import type { LiveEvidenceOptions } from '../options.js';
import { inventoryRequest, usageRequest } from './collection.js';
import { complianceConfigOf, type EvidenceSource, freeTierScopeOf, sourceAtRunTime } from './source.js';

/** The caller's own account, read from AWS: its inventory, then the month's usage in the regions read. */
export function liveEvidence(options: LiveEvidenceOptions): EvidenceSource {
  return sourceAtRunTime('snapshot', async (month, run) => {
    const config = await complianceConfigOf(run.configFile);
    const { snapshot, sessions } = await collectInventory(inventoryRequest(options, run));
    const freeTierScope = freeTierScopeOf(snapshot);
    const usage = usageRequest(options, run, sessions);
    if (!usage) return { snapshot, usage: null, usageFile: null, config, freeTierScope };
    // The caller's own account: one session, with the regions whose keys could be listed.
    const own = sessions[0] as AccountSession;
    const result = await collectMonthUsage({
      ...usage,
      month,
      regions: own.regions,
      account: own.account,
    });
    return { snapshot, usage: result.usage, usageFile: result.evidence, config, freeTierScope };
  });
}
