/**
 * CloudTrail aggregation over the log files cloudtrail-generate.ts wrote under `--dir`.
 *
 * `--mode project`: the project's own path, collectS3TrailLogs (list the month's day folders,
 * read files a bounded number at a time, gunzip, JSON.parse, UsageAggregator.add each record),
 * with an S3 client double that answers ListObjectsV2 and GetObject from the folder on disk.
 * `--mode floor`: a bare loop over the same files: read, gunzip, JSON.parse, count Records.
 */

import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { collectS3TrailLogs } from '../../src/usage/s3-logs.js';
import { parseMonth } from '../../src/util/month.js';
import { TRAIL_ACCOUNT } from '../lib/events.js';
import { args, emit, gc, maxRssMb, nowMs, startRssSampler } from '../lib/measure.js';

const opts = args();
const dir = opts.get('dir');
if (!dir) throw new Error('--dir is required');
const mode = opts.get('mode') ?? 'project';
const REGION = 'us-east-1';

/** An S3 client double backed by the folder: the bucket is `dir`, object keys are paths under it. */
const diskS3 = {
  async send(command: unknown) {
    if (command instanceof ListObjectsV2Command) {
      const prefix = command.input.Prefix ?? '';
      const names = await readdir(join(dir, prefix)).catch(() => [] as string[]);
      return { Contents: names.sort().map((n) => ({ Key: `${prefix}${n}` })), IsTruncated: false };
    }
    if (command instanceof GetObjectCommand) {
      const bytes = await readFile(join(dir, command.input.Key ?? ''));
      return { Body: { transformToByteArray: async () => bytes } };
    }
    throw new Error(`the disk S3 double does not answer ${String(command)}`);
  },
} as unknown as S3Client;

async function allFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true })) {
    const p = join(root, e.name);
    if (e.isDirectory()) out.push(...(await allFiles(p)));
    else if (e.name.endsWith('.json.gz')) out.push(p);
  }
  return out.sort();
}

gc();
const sampler = startRssSampler();
const baseline = sampler.mark();
const cpu0 = process.cpuUsage();
const t0 = nowMs();
let records = 0;
let files = 0;
let detail: Record<string, unknown> = {};
if (mode === 'project') {
  const result = await collectS3TrailLogs(diskS3, {
    account: TRAIL_ACCOUNT,
    region: REGION,
    window: parseMonth('2026-10'),
    bucket: 'bench',
    prefix: 'AWSLogs/',
    ...(opts.has('concurrency') ? { concurrency: Number(opts.get('concurrency')) } : {}),
    ...(opts.has('workers') ? { workers: Number(opts.get('workers')) } : {}),
  });
  records = result.stats.records;
  files = result.stats.pages;
  detail = {
    status: result.coverage.status,
    kmsEvents: result.stats.kmsEvents,
    requests: result.stats.requests,
    perKeyRows: result.requests.length,
    lifecycleEvents: result.lifecycle.length,
    outsideWindow: result.stats.outsideWindow,
    keyless: Object.values(result.stats.keyless).reduce((a, b) => a + b, 0),
  };
} else {
  for (const file of await allFiles(join(dir, 'AWSLogs'))) {
    const data = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as { Records: unknown[] };
    records += data.Records.length;
    files += 1;
  }
}
const ms = nowMs() - t0;
const cpu = process.cpuUsage(cpu0);
const peak = sampler.peak();
await sampler.stop();
emit({
  mode,
  files,
  records,
  ms,
  eventsPerSecond: records / (ms / 1000),
  cpuCores: (cpu.user + cpu.system) / 1000 / ms,
  baselineRssMb: baseline,
  peakRssMb: peak,
  maxRssMb: maxRssMb(),
  ...detail,
});
process.exit(0);
