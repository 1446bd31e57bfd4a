import { type CollectionOptions, DEFAULT_USAGE_SOURCES } from '../options.js';
import type { GatherContext } from './source.js';

/** What an inventory collection takes from the options and the run, for one account or many. */
export function inventoryRequest(options: CollectionOptions, run: GatherContext) {
  return {
    regions: options.regions,
    profile: options.profile,
    network: run.network,
    lastUsage: options.lastUsage,
    onProgress: run.progress?.onInventory,
    signal: run.signal,
    deadline: run.deadline,
  };
}

/** What a usage collection takes from the options and the run, for one account or many. */
export function usageRequest(options: CollectionOptions, run: GatherContext) {
  return {
    sources: options.usageSources ?? DEFAULT_USAGE_SOURCES,
    profile: options.profile,
    network: run.network,
    bucket: options.bucket,
    prefix: options.prefix,
    signal: run.signal,
    deadline: run.deadline,
    onProgress: run.progress?.onUsage,
  };
}
