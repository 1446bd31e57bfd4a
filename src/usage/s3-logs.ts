import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { classifyAwsError, RegionCredentialsFailure } from '../collect/aws-errors.js';
import type { UsageCoverage } from '../model/usage.js';
import { type Clock, systemClock } from '../util/clock.js';
import { deadlineReason } from '../util/deadline.js';
import { type MonthWindow, windowDays } from '../util/month.js';
import { UsageAggregator } from './aggregator.js';
import {
  describeCounts,
  type PerKeySourceResult,
  perKeyResult,
  progressMeter,
  type UsageProgress,
} from './source.js';
import { FileReadError, logFileRecords, logFileText } from './trail-files.js';
import { CountingPool, defaultCountingWorkers } from './trail-workers.js';

/**
 * Log files read at once. Each file is held only while it is counted. Counting a file (~15-20 ms
 * of one core for 1,000 events: decompress, parse, count) is the bottleneck, not fetching it, so
 * it runs on worker threads (see trail-workers.ts); 4 GETs in flight at S3's usual 20-50 ms keep
 * two of them busy, while 8 held twice the memory for no gain (bench/README.md).
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
  /**
   * Worker threads that decompress, parse and count the files while this thread fetches them:
   * default one per CPU up to 4 ({@link defaultCountingWorkers}); 0 counts on this thread. Scans
   * running at once share that many threads: one that finds none free counts on its own thread.
   */
  readonly workers?: number;
  readonly clock?: Clock;
  /** Stops after the files in flight; the result is then `partial`. */
  readonly signal?: AbortSignal;
  /**
   * The run's deadline (see `startDeadline`): once it passes no folder or file is started, the
   * downloads in flight are cut, and the coverage is `partial` with what was counted (`failed` if
   * nothing was), saying the deadline passed.
   */
  readonly deadline?: AbortSignal;
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

/** A log file's bytes, as the SDK returned them. */
async function fetchLogFile(
  client: S3Client,
  bucket: string,
  key: string,
  abortSignal?: AbortSignal,
): Promise<Buffer> {
  const object = await client.send(
    new GetObjectCommand({ Bucket: bucket, Key: key }),
    abortSignal ? { abortSignal } : undefined,
  );
  if (!object.Body) throw new FileReadError(`${key}: empty response`);
  const bytes = await object.Body.transformToByteArray();
  // A view, not a copy, of the bytes the SDK returned.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
 * (a trail that excludes KMS events), make it `failed`. A month not over yet (`clock.now()` before
 * its end) is `partial` with `readUntil` the time it was read, as LookupEvents says: a
 * month-to-date report prices it up to then, a report of the whole month does not take it as whole.
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
  const { account, region, window, bucket, signal, deadline } = options;
  const clock = options.clock ?? systemClock;
  const prefix = normalizeTrailPrefix(options.prefix);
  const where = `s3://${bucket}/${prefix}${account}/CloudTrail/${region}/`;
  const days = windowDays(window, DELIVERY_MARGIN_DAYS);
  // The day after the month is read for its late deliveries: its lifecycle events are kept too,
  // as (partial) evidence after the month.
  const afterEnd = new Date(window.end.getTime() + DELIVERY_MARGIN_DAYS * 86_400_000);
  const agg = new UsageAggregator('cloudtrail-s3', { ...window, afterEnd });
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
  const workers = Math.max(0, Math.floor(options.workers ?? defaultCountingWorkers()));
  const startMs = window.start.getTime();
  const endMs = window.end.getTime();
  const afterEndMs = afterEnd.getTime();
  /** Started with the first file, so a month with no files starts no thread; null: counted on this thread. */
  let pool: CountingPool | null | undefined;
  /** KMS events counted so far, for progress (the workers' aggregators are merged at the end). */
  let kmsEvents = 0;
  let credentialsFailure: RegionCredentialsFailure | null = null;
  /** Set when the run's deadline stopped the reading: files not read are not failures, they are the cut. */
  let cut = false;

  try {
    for (const day of days) {
      if (signal?.aborted) break;
      if (deadline?.aborted) {
        cut = true;
        break;
      }
      const dayPrefix = trailDayPrefix(prefix, account, region, day);
      const keys: string[] = [];
      try {
        let ContinuationToken: string | undefined;
        do {
          const page = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: dayPrefix, ContinuationToken }),
            deadline ? { abortSignal: deadline } : undefined,
          );
          for (const o of page.Contents ?? []) if (o.Key && /\.json(\.gz)?$/.test(o.Key)) keys.push(o.Key);
          ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (ContinuationToken);
      } catch (error) {
        const e = classifyAwsError(error, deadline);
        if (e.kind === 'deadline') {
          cut = true;
          break;
        }
        if (e.kind === 'credentials') throw new RegionCredentialsFailure(e, { cause: error });
        listFailure = `ListObjectsV2 on ${dayPrefix} failed: ${e.code}${e.message ? ` (${e.message})` : ''}`;
        break;
      }
      await Promise.all(
        keys.map((key) =>
          limit(async () => {
            // Stopped, or the credentials failed: the files not begun are left (every task
            // settles, so nothing runs on after this function has returned).
            if (signal?.aborted || deadline?.aborted || credentialsFailure) return;
            try {
              const raw = await fetchLogFile(client, bucket, key, deadline);
              // The first file decides: workers from the process's budget, or this thread.
              if (pool === undefined)
                pool =
                  workers > 0
                    ? CountingPool.start(workers, { source: 'cloudtrail-s3', startMs, endMs, afterEndMs })
                    : null;
              if (pool) {
                kmsEvents += await pool.count(key, raw);
              } else {
                for (const record of logFileRecords(await logFileText(raw, key), key)) agg.add(record);
                kmsEvents = agg.stats.kmsEvents;
              }
              files += 1;
            } catch (error) {
              if (error instanceof FileReadError) {
                fileFailed(error.message);
                return;
              }
              const e = classifyAwsError(error, deadline);
              // Cut by the deadline (the request, or its body while it arrived): not a failure of the file.
              if (e.kind === 'deadline' || deadline?.aborted) return;
              if (e.kind === 'credentials') {
                credentialsFailure ??= new RegionCredentialsFailure(e, {
                  cause: error,
                });
                return;
              }
              fileFailed(`${key}: ${e.code}${e.message ? ` (${e.message})` : ''}`);
            }
          }),
        ),
      );
      if (credentialsFailure) throw credentialsFailure;
      if (signal?.aborted) break;
      if (deadline?.aborted) {
        cut = true;
        break;
      }
      daysDone += 1;
      meter(kmsEvents, files, daysDone / days.length);
    }
    if (pool) {
      for (const state of await pool.finish()) agg.merge(state);
      for (const key of pool.lost) {
        files -= 1;
        fileFailed(
          `${key}: ${pool.failed ? `counted by a worker that then failed (${pool.failed})` : 'counts lost'}`,
        );
      }
    }
  } finally {
    await pool?.close();
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
  if (cut)
    return perKeyResult(
      agg,
      files === 0
        ? coverage('failed', `not read: ${deadlineReason(deadline)}${failedFiles}`)
        : coverage(
            'partial',
            `stopped after ${daysDone} of ${days.length} day folders: ${deadlineReason(deadline)}; ${counted}${failedFiles}`,
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
  // After the month, only the day folders of its late deliveries were read: a ScheduleKeyDeletion
  // found there is evidence; its absence proves nothing (partial).
  const afterMonth =
    clock.now() > endMs
      ? {
          lifecycle: agg.afterLifecycleEvents(),
          coverage: coverage(
            'partial',
            `only the log files delivered in the ${DELIVERY_MARGIN_DAYS} day after the month were read: ${agg.stats.afterLifecycleEvents} lifecycle events`,
          ),
        }
      : null;
  // A month not over yet: what was delivered up to now was read, the rest of the month was not
  // (as LookupEvents and CloudWatch say). A month-to-date report prices it up to then.
  const now = clock.now();
  if (failedCount === 0 && now < endMs)
    return perKeyResult(
      agg,
      {
        ...coverage(
          'partial',
          `the month is not over: read the log files delivered up to ${new Date(now).toISOString()}, ${counted} (${where})`,
        ),
        readUntil: new Date(now).toISOString(),
      },
      files,
      afterMonth,
    );
  return perKeyResult(
    agg,
    failedCount > 0
      ? coverage('partial', `${counted}${failedFiles}`)
      : coverage('complete', `${counted} (${where})`),
    files,
    afterMonth,
  );
}
