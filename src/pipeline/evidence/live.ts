import { collectInventory } from '../../org/collect.js';
import { collectMonthUsage } from '../../org/usage.js';
import type { LiveEvidenceOptions } from '../options.js';
import { inventoryRequest, usageRequest } from './collection.js';
import { complianceConfigOf, type EvidenceSource, freeTierScopeOf, sourceAtRunTime } from './source.js';

/** The caller's own account, read from AWS: its inventory, then the month's usage in the regions read. */
export function liveEvidence(options: LiveEvidenceOptions): EvidenceSource {
  return sourceAtRunTime('snapshot', async (month, run) => {
    const config = await complianceConfigOf(run.configFile);
    const { snapshot } = await collectInventory({
      ...inventoryRequest(options, run),
      clients: options.inventoryClients,
    });
    const freeTierScope = freeTierScopeOf(snapshot);
    const usage = usageRequest(options, run);
    if (usage.sources.length === 0) return { snapshot, usage: null, usageFile: null, config, freeTierScope };
    const result = await collectMonthUsage({
      ...usage,
      month,
      regions: snapshot.regions.filter((r) => r.status !== 'failed').map((r) => r.region),
      account: snapshot.accounts[0],
      clients: options.usageClients,
    });
    return { snapshot, usage: result.usage, usageFile: result.evidence, config, freeTierScope };
  });
}
