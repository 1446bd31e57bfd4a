import type { InventoryClients, UsageClients } from '../../src/collect/clients.js';
import type { LiveEvidenceOptions } from '../../src/pipeline/options.js';

/** Every client a run can ask for; the ones a test does not give throw when asked for. */
export function withUnusedClients(
  clients: Partial<InventoryClients & UsageClients>,
): InventoryClients & UsageClients {
  const unused = (name: string) => (): never => {
    throw new Error(`test: the ${name} client was not expected to be used`);
  };
  return {
    kms: unused('kms'),
    sts: unused('sts'),
    account: unused('account'),
    cloudTrail: unused('cloudTrail'),
    cloudWatch: unused('cloudWatch'),
    s3: unused('s3'),
    ...clients,
  };
}

/** A live run of one region that reads the inventory only (no usage, no GetKeyLastUsage) through `clients`. */
export function inventoryOnly(region: string, clients: InventoryClients): LiveEvidenceOptions {
  return {
    kind: 'live',
    regions: [region],
    usageSources: [],
    lastUsage: false,
    clients: withUnusedClients(clients),
  };
}
