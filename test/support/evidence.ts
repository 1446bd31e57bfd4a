import type { InventoryClients } from '../../src/collect/clients.js';
import type { LiveEvidenceOptions } from '../../src/pipeline/options.js';

/** A live run of one region that reads the inventory only (no usage, no GetKeyLastUsage) through `clients`. */
export function inventoryOnly(region: string, clients: InventoryClients): LiveEvidenceOptions {
  return { kind: 'live', regions: [region], usageSources: [], lastUsage: false, inventoryClients: clients };
}
