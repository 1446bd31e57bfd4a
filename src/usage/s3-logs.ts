import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { classifyAwsError } from '../collect/aws-errors.js';
import { RegionCredentialsFailure } from '../collect/kms.js';
import type { UsageCoverage } from '../model/usage.js';
import { type Clock, systemClock } from '../util/clock.js';
import { type MonthWindow, windowDays } from '../util/month.js';
import { UsageAggregator } from './aggregator.js';
import {
  describeCounts,
  type PerKeySourceResult,
  perKeyResult,
  progressMeter,
  type UsageProgress,
} from './source.js';

const gunzipAsync = promisify(gunzip);
/**
 * Output chunk of the decompression: a trail file inflates to about 1.5 MB, which zlib's
 * default 16 KiB chunks cut into ~90 round trips to the thread pool and a concatenation;
 * 1 MiB chunks make it one or two.
 */
const GUNZIP_CHUNK_SIZE = 1024 * 1024;

/**
 * Log files read at once. Each file is held (decompressed) only while it is counted. Counting
 * a file (~20 ms of one core for 1,000 events) is the bottleneck, not fetching it: 4 GETs in
 * flight at S3's usual 20-50 ms already outpace it, while 8 held twice the memory and made
 * the garbage collector ~15% slower (bench/README.md, CloudTrail aggregation).
 */
export const DEFAULT_S3_CONCURRENCY = 4;
/**
 * Days read on each side of the month: a trail files an event under the day its file was
 * delivered, so the first minutes of the month can sit in the previous day's folder and the
 * last ones in the next day's. Events outside the window are dropped by their `eventTime`.
 */
export const DELIVERY_MARGIN_DAYS = 1;
/** What precedes `<account>/CloudTrail/` in a trail's object keys when the trail has no prefix. */
export const DEFAULT_TRAIL_PREFIX = 'AWSLogs/';

export interface S3TrailLogsOptions {
  readonly account: string;
  readonly region: string;
  readonly window: MonthWindow;
  /** The trail's bucket. */
  readonly bucket: string;
  /**
   * The key path before `<account>/CloudTrail/`: `AWSLogs/` (default), `AWSLogs/o-abc123def4/`
   * for an organization trail, `my-prefix/AWSLogs/` for a trail with an S3 key prefix.
   */
  readonly prefix?: string;
  /** Log files read at once. Default {@link DEFAULT_S3_CONCURRENCY}. */
  readonly concurrency?: number;
  readonly clock?: Clock;
  /** Stops after the files in flight; the result is then `partial`. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: UsageProgress) => void;
}

/** Normalises a trail prefix to `path/` (no leading slash, one trailing slash). */
export function normalizeTrailPrefix(prefix: string | undefined): string {
  const p = (prefix ?? DEFAULT_TRAIL_PREFIX).replace(/^\/+/, '').replace(/\/+$/, '');
  return p === '' ? '' : `${p}/`;
}

/** The folder a trail delivers one day's log files of one account and region to. */
export function trailDayPrefix(prefix: string, account: string, region: string, day: string): string {
  return `${normalizeTrailPrefix(prefix)}${account}/CloudTrail/${region}/${day}/`;
}

class FileReadError extends Error {
  override readonly name = 'FileReadError';
}

/** The `Records` of one log file (gzip JSON, or plain JSON). */
async function readLogFile(client: S3Client, bucket: string, key: string): Promise<unknown[]> {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!object.Body) throw new FileReadError(`${key}: empty response`);
  const bytes = await object.Body.transformToByteArray();
  // A view, not a copy, of the bytes the SDK returned.
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text: string;
  try {
    text = (
      raw[0] === 0x1f && raw[1] === 0x8b ? await gunzipAsync(raw, { chunkSize: GUNZIP_CHUNK_SIZE }) : raw
    ).toString('utf8');
  } catch (error) {
    throw new FileReadError(`${key}: not a valid gzip file (${(error as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new FileReadError(`${key}: not valid JSON (${(error as Error).message})`);
  }
  const records = (data as { Records?: unknown }).Records;
  if (!Array.isArray(records)) throw new FileReadError(`${key}: no "Records" array`);
  return records;
}

/**
 * Counts a month of KMS events from the log files a CloudTrail trail delivered to S3
 * (`<prefix><account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz`), for one account and region:
 * the same per-key counts and lifecycle events as LookupEvents, for accounts whose volume makes
 * Event history too slow, or months older than its 90 days.
 *
 * The month's day folders and {@link DELIVERY_MARGIN_DAYS} on each side are listed (paginated),
 * files are read a bounded number at a time, decompressed and counted, then dropped; events
 * outside the month (by `eventTime`) and of other services are not counted. A file that cannot
 * be read makes the coverage `partial` and is named; no files at all, or files with no KMS event
 * (a trail that excludes KMS events), make it `failed`.
 *
 * @example
 * ```ts
 * import { S3Client } from '@aws-sdk/client-s3';
 *
 * const result = await collectS3TrailLogs(new S3Client({ region: 'us-east-1' }), {
 *   account: '111122223333',
 *   region: 'eu-west-1',
 *   window: parseMonth('2026-10'),
 *   bucket: 'org-cloudtrail-logs',
 *   prefix: 'AWSLogs/o-abc123def4/',
 * });
 * ```
 */
export async function collectS3TrailLogs(
  client: S3Client,
  options: S3TrailLogsOptions,
): Promise<PerKeySourceResult> {
  const { account, region, window, bucket, signal } = options;
  const clock = options.clock ?? systemClock;
  const prefix = normalizeTrailPrefix(options.prefix);
  const where = `s3://${bucket}/${prefix}${account}/CloudTrail/${region}/`;
  const days = windowDays(window, DELIVERY_MARGIN_DAYS);
  const agg = new UsageAggregator('cloudtrail-s3', window);
  const meter = progressMeter(clock, { account, region, source: 'cloudtrail-s3' }, options.onProgress);
  const limit = pLimit(Math.max(1, options.concurrency ?? DEFAULT_S3_CONCURRENCY));
  const coverage = (status: UsageCoverage['status'], detail: string): UsageCoverage => ({
    account,
    region,
    source: 'cloudtrail-s3',
    status,
    detail,
  });

  let files = 0;
  let daysDone = 0;
  /** The first few files that could not be read (named in the coverage), and how many there were. */
  const failures: string[] = [];
  let failedCount = 0;
  const fileFailed = (message: string) => {
    failedCount += 1;
    if (failures.length < 3) failures.push(message);
  };
  let listFailure: string | null = null;

  for (const day of days) {
    if (signal?.aborted) break;
    const dayPrefix = trailDayPrefix(prefix, account, region, day);
    const keys: string[] = [];
    try {
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: dayPrefix, ContinuationToken }),
        );
        for (const o of page.Contents ?? []) if (o.Key && /\.json(\.gz)?$/.test(o.Key)) keys.push(o.Key);
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    } catch (error) {
      const e = classifyAwsError(error);
      if (e.kind === 'credentials')
        throw new RegionCredentialsFailure(`${e.code}: ${e.message}`, { cause: error });
      listFailure = `ListObjectsV2 on ${dayPrefix} failed: ${e.code}${e.message ? ` (${e.message})` : ''}`;
      break;
    }
    await Promise.all(
      keys.map((key) =>
        limit(async () => {
          if (signal?.aborted) return;
          try {
            for (const record of await readLogFile(client, bucket, key)) agg.add(record);
            files += 1;
          } catch (error) {
            if (error instanceof FileReadError) {
              fileFailed(error.message);
              return;
            }
            const e = classifyAwsError(error);
            if (e.kind === 'credentials')
              throw new RegionCredentialsFailure(`${e.code}: ${e.message}`, { cause: error });
            fileFailed(`${key}: ${e.code}${e.message ? ` (${e.message})` : ''}`);
          }
        }),
      ),
    );
    if (signal?.aborted) break;
    daysDone += 1;
    meter(agg.stats.kmsEvents, files, daysDone / days.length);
  }

  const counted = `${files} log files read: ${describeCounts(agg)}`;
  const failedFiles =
    failedCount > 0 ? `; ${failedCount} files could not be read: ${failures.sort().join('; ')}` : '';
  if (signal?.aborted)
    return perKeyResult(
      agg,
      coverage(
        'partial',
        `stopped on request after ${daysDone} of ${days.length} day folders; ${counted}${failedFiles}`,
      ),
      files,
    );
  if (listFailure !== null)
    return perKeyResult(
      agg,
      daysDone === 0
        ? coverage('failed', `${listFailure}; nothing was read`)
        : coverage(
            'partial',
            `${listFailure}; kept ${daysDone} of ${days.length} day folders, ${counted}${failedFiles}`,
          ),
      files,
    );
  if (files === 0)
    return perKeyResult(
      agg,
      coverage(
        'failed',
        failedCount > 0
          ? `no log file under ${where} could be read${failedFiles}`
          : `no CloudTrail log files under ${where} for ${days[0]} to ${days[days.length - 1]}: check the bucket and prefix, and that the trail logs this region`,
      ),
      files,
    );
  if (agg.stats.kmsEvents === 0 && agg.stats.otherSources > 0)
    return perKeyResult(
      agg,
      coverage(
        'failed',
        `${files} log files under ${where} hold ${agg.stats.otherSources} events but none from kms.amazonaws.com: the trail probably excludes KMS events (ExcludeManagementEventSources); use LookupEvents or CloudWatch`,
      ),
      files,
    );
  return perKeyResult(
    agg,
    failedCount > 0
      ? coverage('partial', `${counted}${failedFiles}`)
      : coverage('complete', `${counted} (${where})`),
    files,
  );
}
