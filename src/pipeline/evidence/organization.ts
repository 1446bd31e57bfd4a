import { collectInventory } from '../../org/collect.js';
import { collectMonthUsage } from '../../org/usage.js';
import { DEFAULT_USAGE_SOURCES, type OrganizationEvidenceOptions } from '../options.js';
import { complianceConfigOf, type EvidenceSource, freeTierScopeOf, sourceAtRunTime } from './source.js';

/**
 * Several accounts read from AWS, each entered with a role: their inventories, then the month's
 * usage of every account that has a region read.
 */
export function organizationEvidence(options: OrganizationEvidenceOptions): EvidenceSource {
  return sourceAtRunTime('snapshot', async (month, run) => {
    const config = await complianceConfigOf(run.configFile);
    const { snapshot, sessions } = await collectInventory({
      group: {
        organization: options.fromOrganization,
        accounts: options.accounts,
        roleName: options.roleName,
        externalId: options.externalId,
        accountConcurrency: options.accountConcurrency,
        onAccount: run.progress?.onAccount,
      },
      regions: options.regions,
      profile: options.profile,
      clients: options.clients,
      network: run.network,
      lastUsage: options.lastUsage,
      onProgress: run.progress?.onInventory,
      signal: run.signal,
      deadline: run.deadline,
    });
    const freeTierScope = freeTierScopeOf(snapshot, options.fromOrganization);
    const sources = options.usageSources ?? DEFAULT_USAGE_SOURCES;
    if (sources.length === 0 || sessions.every((s) => s.regions.length === 0))
      return { snapshot, usage: null, usageFile: null, config, freeTierScope };
    const result = await collectMonthUsage({
      month,
      sources,
      sessions,
      clients: options.clients,
      accountConcurrency: options.accountConcurrency,
      profile: options.profile,
      network: run.network,
      bucket: options.bucket,
      prefix: options.prefix,
      signal: run.signal,
      deadline: run.deadline,
      onProgress: run.progress?.onUsage,
    });
    return { snapshot, usage: result.usage, usageFile: result.evidence, config, freeTierScope };
  });
}
