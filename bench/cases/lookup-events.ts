/**
 * LookupEvents pacing: the project's collectLookupEvents (paced by its RateLimiter at 2 req/s,
 * SDK retries paced too) against bench/servers/cloudtrail-server.ts, which allows 2 requests
 * a second and throttles above. Reads the current month (Event history covers 90 days).
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { SDK_RETRY } from '../../src/collect/client-defaults.js';
import { collectLookupEvents, LOOKUP_EVENTS_PER_SECOND } from '../../src/usage/lookup-events.js';
import { parseMonth } from '../../src/util/month.js';
import { startServerProcess } from '../lib/fork.js';
import { args, emit, maxRssMb, nowMs, numberArg, startRssSampler } from '../lib/measure.js';

const opts = args();
const pages = numberArg(opts, 'pages', 200);
const latency = numberArg(opts, 'latency', 20);
const burst = numberArg(opts, 'burst', 1);
const now = new Date();
const window = parseMonth(now.toISOString().slice(0, 7));

const server = await startServerProcess(new URL('../servers/cloudtrail-server.ts', import.meta.url), [
  '--pages',
  String(pages),
  '--rate',
  String(LOOKUP_EVENTS_PER_SECOND),
  '--burst',
  String(burst),
  '--latency',
  String(latency),
  '--start',
  String(window.start.getTime()),
  '--end',
  String(now.getTime()),
]);
const client = new CloudTrailClient({
  region: 'us-east-1',
  endpoint: server.endpoint,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  retryMode: SDK_RETRY.retryMode,
  maxAttempts: SDK_RETRY.maxAttempts,
});
try {
  const sampler = startRssSampler();
  const baseline = sampler.mark();
  const t0 = nowMs();
  const result = await collectLookupEvents(client, { account: '111122223333', region: 'us-east-1', window });
  const ms = nowMs() - t0;
  const peak = sampler.peak();
  await sampler.stop();
  const stats = await server.request<{ accepted: number[]; throttled: number }>('stats');
  const times = stats.accepted;
  // Over the accepted requests: (n - 1) intervals from the first to the last.
  const spanMs = (times[times.length - 1] ?? 0) - (times[0] ?? 0);
  let minGap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++)
    minGap = Math.min(minGap, (times[i] as number) - (times[i - 1] as number));
  emit({
    pages: result.stats.pages,
    expectedPages: pages,
    status: result.coverage.status,
    events: result.stats.kmsEvents,
    ms,
    requests: times.length + stats.throttled,
    achievedRate: times.length > 1 ? ((times.length - 1) / spanMs) * 1000 : 0,
    allowedRate: LOOKUP_EVENTS_PER_SECOND,
    minGapMs: minGap,
    throttles: stats.throttled,
    baselineRssMb: baseline,
    peakRssMb: peak,
    maxRssMb: maxRssMb(),
  });
} finally {
  client.destroy();
  await server.close();
}
process.exit(0);
