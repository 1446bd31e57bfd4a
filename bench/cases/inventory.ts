/**
 * Inventory collection against the KMS load model (bench/servers/kms-server.ts): the
 * project's collectKmsRegion for every region at once, as the CLI's collectInventory runs them.
 * Prints one JSON result for bench/run.ts.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { KMS_CLIENT_DEFAULTS } from '../../src/collect/clients.js';
import { applicability, collectKmsRegion } from '../../src/collect/kms.js';
import { DEFAULT_QUOTA_SHARE, type KmsReadApi, PAGE_SIZE, ratesFor } from '../../src/collect/kms-limits.js';
import type { KeyMetadata } from '../../src/model/inventory.js';
import { startServerProcess } from '../lib/fork.js';
import { args, emit, maxRssMb, nowMs, numberArg, startRssSampler } from '../lib/measure.js';
import { ACCOUNT, modelKeys } from '../servers/kms-keys.js';
import { KMS_DOCUMENTED_QUOTAS } from '../servers/kms-server.js';

const opts = args();
const keys = numberArg(opts, 'keys', 1000);
const share = numberArg(opts, 'share', DEFAULT_QUOTA_SHARE);
const latency = numberArg(opts, 'latency', 20);
const lastUsage = opts.get('last-usage') === 'true';
const concurrency = opts.has('concurrency') ? numberArg(opts, 'concurrency', 32) : undefined;
const regions = (opts.get('regions') ?? 'us-east-1,eu-west-1').split(',');

type Counts = Partial<Record<string, number>>;

/** The calls the report needs for the model's keys: list pages, and each key's applicable calls. */
function neededCalls(region: string, r: number): Counts {
  const list = modelKeys(region, r, keys);
  const aliases = list.reduce((n, k) => n + k.aliases.length, 0) + 5;
  const need: Counts = {
    ListKeys: Math.max(1, Math.ceil(keys / PAGE_SIZE.ListKeys)),
    ListAliases: Math.max(1, Math.ceil(aliases / PAGE_SIZE.ListAliases)),
    DescribeKey: keys,
    GetKeyPolicy: keys,
  };
  const add = (api: string, n: number) => {
    need[api] = (need[api] ?? 0) + n;
  };
  for (const k of list) {
    const a = applicability({
      keySpec: k.keySpec,
      origin: k.origin,
      keyManager: k.keyManager,
    } as KeyMetadata);
    if (!a.tags) add('ListResourceTags', Math.max(1, Math.ceil(k.tags.length / PAGE_SIZE.ListResourceTags)));
    if (!a.rotation) add('GetKeyRotationStatus', 1);
    if (!a.rotations)
      add('ListKeyRotations', Math.max(1, Math.ceil(k.rotations.length / PAGE_SIZE.ListKeyRotations)));
    if (!a.lastUsage && lastUsage) add('GetKeyLastUsage', 1);
  }
  return need;
}

const server = await startServerProcess(new URL('../servers/kms-server.ts', import.meta.url), [
  '--keys',
  String(keys),
  '--regions',
  regions.join(','),
  '--latency',
  String(latency),
  ...(opts.has('burst-seconds') ? ['--burst-seconds', opts.get('burst-seconds') as string] : []),
]);

const clients = regions.map(
  (region) =>
    new KMSClient({
      region,
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      ...KMS_CLIENT_DEFAULTS,
    }),
);
try {
  const sampler = startRssSampler();
  const baseline = sampler.mark();
  const cpu0 = process.cpuUsage();
  const t0 = nowMs();
  const perRegion = await Promise.all(
    regions.map(async (region, r) => {
      const result = await collectKmsRegion(clients[r] as KMSClient, {
        account: ACCOUNT,
        region,
        lastUsage,
        quotaShare: share,
        concurrency,
      });
      return { region, ms: nowMs() - t0, result };
    }),
  );
  const wallMs = nowMs() - t0;
  const cpu = process.cpuUsage(cpu0);
  const peak = sampler.peak();
  await sampler.stop();
  const serverStats = await server.request<Record<string, { accepted: Counts; throttled: Counts }>>('stats');

  const allowed = ratesFor(share);
  const regionFigures = perRegion.map(({ region, ms, result }, r) => {
    const accepted = serverStats[region]?.accepted ?? {};
    const throttled = serverStats[region]?.throttled ?? {};
    const need = neededCalls(region, r);
    // Quota floor: the busiest API at the rate the run allows itself (and at the full quota).
    const quotaFloor = (rates: Record<string, number>) => {
      let worst = { api: '', ms: 0 };
      for (const [api, n] of Object.entries(result.stats.calls)) {
        const t = ((n ?? 0) / (rates[api] as number)) * 1000;
        if (t > worst.ms) worst = { api, ms: t };
      }
      return worst;
    };
    const atAllowed = quotaFloor(allowed as Record<KmsReadApi, number>);
    const atQuota = quotaFloor(KMS_DOCUMENTED_QUOTAS);
    // Latency floor: ListKeys pages one after another, then the last key's DescribeKey and its
    // follow-up calls (2 round trips); ListAliases' pages are a chain of their own.
    const chainMs =
      Math.max((result.stats.calls.ListKeys ?? 0) + 2, result.stats.calls.ListAliases ?? 0) * latency;
    const unneeded = Object.entries(result.stats.calls).reduce(
      (n, [api, c]) => n + Math.max(0, (c ?? 0) - (need[api] ?? 0)),
      0,
    );
    const missing = Object.entries(need).reduce(
      (n, [api, c]) => n + Math.max(0, (c ?? 0) - (result.stats.calls[api as KmsReadApi] ?? 0)),
      0,
    );
    return {
      region,
      ms,
      keys: result.keys.length,
      gaps: result.gaps.length,
      calls: result.stats.calls,
      retries: result.stats.retries,
      accepted,
      throttled,
      needed: need,
      unneeded,
      missing,
      boundMs: Math.max(atAllowed.ms, chainMs),
      boundApi: atAllowed.ms >= chainMs ? atAllowed.api : 'latency chain',
      quotaBoundMs: Math.max(atQuota.ms, chainMs),
      chainMs,
    };
  });
  const boundMs = Math.max(...regionFigures.map((f) => f.boundMs));
  const quotaBoundMs = Math.max(...regionFigures.map((f) => f.quotaBoundMs));
  const totalCalls = regionFigures.reduce(
    (n, f) => n + Object.values(f.calls).reduce((a: number, c) => a + (c ?? 0), 0),
    0,
  );
  const totalKeys = regionFigures.reduce((n, f) => n + f.keys, 0);
  emit({
    keysPerRegion: keys,
    regions: regions.length,
    share,
    latency,
    lastUsage,
    wallMs,
    boundMs,
    quotaBoundMs,
    ratio: wallMs / boundMs,
    callsPerKey: totalCalls / Math.max(1, totalKeys),
    throttles: regionFigures.reduce(
      (n, f) => n + Object.values(f.throttled).reduce((a: number, c) => a + (c ?? 0), 0),
      0,
    ),
    retries: regionFigures.reduce((n, f) => n + f.retries, 0),
    unneeded: regionFigures.reduce((n, f) => n + f.unneeded, 0),
    missing: regionFigures.reduce((n, f) => n + f.missing, 0),
    gaps: regionFigures.reduce((n, f) => n + f.gaps, 0),
    /** CPU time of the collector's process (all its threads) over the wall time: 1 = one core busy. */
    cpuCores: (cpu.user + cpu.system) / 1000 / wallMs,
    cpuUsPerCall: (cpu.user + cpu.system) / Math.max(1, totalCalls),
    baselineRssMb: baseline,
    peakRssMb: peak,
    maxRssMb: maxRssMb(),
    regionFigures,
  });
  for (const c of clients) c.destroy();
} finally {
  await server.close();
}
process.exit(0);
