import { collectInventory } from '../../org/collect.js';
import { collectMonthUsage } from '../../org/usage.js';
import { DEFAULT_USAGE_SOURCES, type LiveEvidenceOptions } from '../options.js';
import { complianceConfigOf, type EvidenceSource, freeTierScopeOf, sourceAtRunTime } from './source.js';

/** The caller's own account, read from AWS: its inventory, then the month's usage in the regions read. */
export function liveEvidence(options: LiveEvidenceOptions): EvidenceSource {
  return sourceAtRunTime('snapshot', async (month, run) => {
    const config = await complianceConfigOf(run.configFile);
    const { snapshot } = await collectInventory({
      regions: options.regions,
      profile: options.profile,
      clients: options.inventoryClients,
      network: run.network,
      lastUsage: options.lastUsage,
      onProgress: run.progress?.onInventory,
      signal: run.signal,
      deadline: run.deadline,
    });
    const freeTierScope = freeTierScopeOf(snapshot);
    const sources = options.usageSources ?? DEFAULT_USAGE_SOURCES;
    if (sources.length === 0) return { snapshot, usage: null, usageFile: null, config, freeTierScope };
    const result = await collectMonthUsage({
      month,
      regions: snapshot.regions.filter((r) => r.status !== 'failed').map((r) => r.region),
      sources,
      account: snapshot.accounts[0],
      clients: options.usageClients,
      network: run.network,
      profile: options.profile,
      bucket: options.bucket,
      prefix: options.prefix,
      signal: run.signal,
      deadline: run.deadline,
      onProgress: run.progress?.onUsage,
    });
    return { snapshot, usage: result.usage, usageFile: result.evidence, config, freeTierScope };
  });
}
