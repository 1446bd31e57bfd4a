import { collectInventory } from '../../org/collect.js';
import { collectMonthUsage } from '../../org/usage.js';
import type { OrganizationEvidenceOptions } from '../options.js';
import { inventoryRequest, usageRequest } from './collection.js';
import { complianceConfigOf, type EvidenceSource, freeTierScopeOf, sourceAtRunTime } from './source.js';

/**
 * Several accounts read from AWS, each entered with a role: their inventories, then the month's
 * usage of every account that has a region read.
 */
export function organizationEvidence(options: OrganizationEvidenceOptions): EvidenceSource {
  return sourceAtRunTime('snapshot', async (month, run) => {
    const config = await complianceConfigOf(run.configFile);
    const { accountConcurrency } = options;
    const { snapshot, sessions } = await collectInventory({
      ...inventoryRequest(options, run),
      group: {
        organization: options.fromOrganization,
        accounts: options.accounts,
        roleName: options.roleName,
        externalId: options.externalId,
        accountConcurrency,
        onAccount: run.progress?.onAccount,
      },
    });
    const freeTierScope = freeTierScopeOf(snapshot, options.fromOrganization);
    const usage = usageRequest(options, run, sessions);
    if (!usage) return { snapshot, usage: null, usageFile: null, config, freeTierScope };
    const result = await collectMonthUsage({ ...usage, month, sessions, accountConcurrency });
    return { snapshot, usage: result.usage, usageFile: result.evidence, config, freeTierScope };
  });
}
