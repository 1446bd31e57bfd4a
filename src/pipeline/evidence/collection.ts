import type { CollectInventoryOptions } from '../../org/collect.js';
import type { AccountSession } from '../../org/targets.js';
import type { CollectMonthUsageOptions } from '../../org/usage.js';
import { type CollectionOptions, DEFAULT_USAGE_SOURCES } from '../options.js';
import type { GatherContext } from './source.js';

/**
 * What an inventory collection takes from the options and the run, for one account or many.
 * Typed by the collector's options, so that an option renamed there is an error here, not a
 * field silently dropped by the spread into the call.
 */
export type InventoryRequest = Pick<
  CollectInventoryOptions,
  'regions' | 'clients' | 'profile' | 'network' | 'lastUsage' | 'onProgress' | 'signal' | 'deadline'
>;

/** What a usage collection takes from the options and the run (typed as {@link InventoryRequest} is). */
export type UsageRequest = Pick<
  CollectMonthUsageOptions,
  | 'sources'
  | 'clients'
  | 'profile'
  | 'network'
  | 'bucket'
  | 'prefix'
  | 'athena'
  | 'signal'
  | 'deadline'
  | 'onProgress'
>;

/** What an inventory collection takes from the options and the run, for one account or many. */
export function inventoryRequest(options: CollectionOptions, run: GatherContext): InventoryRequest {
  return {
    regions: options.regions,
    clients: options.clients,
    profile: options.profile,
    network: run.network,
    lastUsage: options.lastUsage,
    onProgress: run.progress?.onInventory,
    signal: run.signal,
    deadline: run.deadline,
  };
}

/**
 * What a usage collection takes from the options and the run, for one account or many; null
 * when there is nothing to read: no source chosen, or no region listed in any account the
 * inventory entered (every key listing failed). Then no usage is collected, and the report shows
 * the inventory's gaps instead of the run failing for want of a region.
 */
export function usageRequest(
  options: CollectionOptions,
  run: GatherContext,
  sessions: readonly AccountSession[],
): UsageRequest | null {
  const sources = options.usageSources ?? DEFAULT_USAGE_SOURCES;
  if (sources.length === 0 || sessions.every((s) => s.regions.length === 0)) return null;
  return {
    sources,
    clients: options.clients,
    profile: options.profile,
    network: run.network,
    bucket: options.bucket,
    prefix: options.prefix,
    athena: options.athena,
    signal: run.signal,
    deadline: run.deadline,
    onProgress: run.progress?.onUsage,
  };
}
