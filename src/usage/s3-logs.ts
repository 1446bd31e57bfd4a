import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import type { RegionCredentialsFailure } from '../collect/aws-errors.js';
import { classifyAwsError } from '../collect/aws-errors.js';
import type { UsageCoverage } from '../model/usage.js';
import { DELIVERY_MARGIN_DAYS } from '../model/usage-assumptions.js';
import { systemClock } from '../util/clock.js';
import { deadlineReason } from '../util/deadline.js';
import { DAY_MS, windowDays } from '../util/month.js';
import { UsageAggregator } from './aggregator.js';
import {
  coverageOf,
  credentialsFailure,
  describeCounts,
  failureText,
  type PerKeySourceResult,
  perKeyResult,
  progressMeter,
  type UsageSourceOptions,
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
export { DELIVERY_MARGIN_DAYS };
/** What precedes `<account>/CloudTrail/` in a trail's object keys when the trail has no prefix. */
export const DEFAULT_TRAIL_PREFIX = 'AWSLogs/';

export interface S3TrailLogsOptions extends UsageSourceOptions {
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
  /** Stops after the files in flight; the result is then `partial`. */
  readonly signal?: AbortSignal;
  /**
   * The run's deadline (see `startDeadline`): once it passes no folder or file is started, the
   * downloads in flight are cut, and the coverage is `partial` with what was counted (`failed` if
   * nothing was), saying the deadline passed.
   */
  readonly deadline?: AbortSignal;
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
  const scan = new TrailScan(client, options);
  try {
    await scan.readDays();
    await scan.mergeWorkers();
  } finally {
    await scan.close();
  }
  return scan.endedEarly() ?? scan.finished();
}

/** The log files (`.json`, `.json.gz`) of one day folder, every page of the listing. */
async function listLogFiles(
  client: S3Client,
  bucket: string,
  dayPrefix: string,
  deadline: AbortSignal | undefined,
): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: dayPrefix, ContinuationToken }),
      deadline ? { abortSignal: deadline } : undefined,
    );
    for (const o of page.Contents ?? []) if (o.Key && /\.json(\.gz)?$/.test(o.Key)) keys.push(o.Key);
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys;
}

/** The files that could not be read: how many, and the first few by name (for the coverage). */
class FailedFiles {
  count = 0;
  private readonly first: string[] = [];

  add(message: string): void {
    this.count += 1;
    if (this.first.length < 3) this.first.push(message);
  }

  /** `; N files could not be read: ...` for a coverage detail, or nothing. */
  text(): string {
    return this.count > 0 ? `; ${this.count} files could not be read: ${this.first.sort().join('; ')}` : '';
  }
}

/**
 * One scan of a trail's day folders for one account and region: what it has read so far, and
 * what stopped it. Files are fetched here and counted on worker threads (or here, without them).
 */
class TrailScan {
  private readonly prefix: string;
  private readonly where: string;
  private readonly days: string[];
  private readonly window: { readonly startMs: number; readonly endMs: number; readonly afterEndMs: number };
  private readonly agg: UsageAggregator;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly workers: number;
  private readonly meter: ReturnType<typeof progressMeter>;
  private readonly coverage: ReturnType<typeof coverageOf>;
  private files = 0;
  private daysDone = 0;
  private readonly failed = new FailedFiles();
  private listFailure: string | null = null;
  /** Started with the first file, so a month with no files starts no thread; null: counted on this thread. */
  private pool: CountingPool | null | undefined;
  /** KMS events counted so far, for progress (the workers' aggregators are merged at the end). */
  private kmsEvents = 0;
  private credentialsFailure: RegionCredentialsFailure | null = null;
  /** Set when the run's deadline stopped the reading: files not read are not failures, they are the cut. */
  private cut = false;

  constructor(
    private readonly client: S3Client,
    private readonly options: S3TrailLogsOptions,
  ) {
    const { account, region, window, bucket } = options;
    this.prefix = normalizeTrailPrefix(options.prefix);
    this.where = `s3://${bucket}/${this.prefix}${account}/CloudTrail/${region}/`;
    this.days = windowDays(window, DELIVERY_MARGIN_DAYS);
    // The day after the month is read for its late deliveries: its lifecycle events are kept too,
    // as (partial) evidence after the month.
    const afterEnd = new Date(window.end.getTime() + DELIVERY_MARGIN_DAYS * DAY_MS);
    this.window = {
      startMs: window.start.getTime(),
      endMs: window.end.getTime(),
      afterEndMs: afterEnd.getTime(),
    };
    this.agg = new UsageAggregator('cloudtrail-s3', { ...window, afterEnd });
    const clock = options.clock ?? systemClock;
    this.meter = progressMeter(clock, { account, region, source: 'cloudtrail-s3' }, options.onProgress);
    this.limit = pLimit(Math.max(1, options.concurrency ?? DEFAULT_S3_CONCURRENCY));
    this.coverage = coverageOf(account, region, 'cloudtrail-s3');
    this.workers = Math.max(0, Math.floor(options.workers ?? defaultCountingWorkers()));
  }

  /** Whether Ctrl-C or the deadline has stopped the scan (the deadline marks it cut). */
  private stopping(): boolean {
    if (this.options.signal?.aborted) return true;
    if (!this.options.deadline?.aborted) return false;
    this.cut = true;
    return true;
  }

  /** Reads the day folders in order, each one's files a bounded number at a time. */
  async readDays(): Promise<void> {
    for (const day of this.days) {
      if (this.stopping()) break;
      const keys = await this.listDay(day);
      if (keys === null) break;
      await Promise.all(keys.map((key) => this.limit(() => this.readFile(key))));
      if (this.credentialsFailure) throw this.credentialsFailure;
      if (this.stopping()) break;
      this.daysDone += 1;
      this.meter(this.kmsEvents, this.files, this.daysDone / this.days.length);
    }
  }

  /** One day folder's log files; null when the listing failed or the deadline cut it (noted). */
  private async listDay(day: string): Promise<string[] | null> {
    const { account, region, bucket, deadline } = this.options;
    const dayPrefix = trailDayPrefix(this.prefix, account, region, day);
    try {
      return await listLogFiles(this.client, bucket, dayPrefix, deadline);
    } catch (error) {
      const e = classifyAwsError(error, deadline);
      if (e.kind === 'deadline') {
        this.cut = true;
        return null;
      }
      if (e.kind === 'credentials') throw credentialsFailure(e, error);
      this.listFailure = `ListObjectsV2 on ${dayPrefix} failed: ${failureText(e)}`;
      return null;
    }
  }

  /** Fetches and counts one file; a file that cannot be read is noted, never thrown. */
  private async readFile(key: string): Promise<void> {
    const { signal, deadline, bucket } = this.options;
    // Stopped, or the credentials failed: the files not begun are left (every task
    // settles, so nothing runs on after the scan has returned).
    if (signal?.aborted || deadline?.aborted || this.credentialsFailure) return;
    try {
      await this.count(key, await fetchLogFile(this.client, bucket, key, deadline));
      this.files += 1;
    } catch (error) {
      if (error instanceof FileReadError) {
        this.failed.add(error.message);
        return;
      }
      const e = classifyAwsError(error, deadline);
      // Cut by the deadline (the request, or its body while it arrived): not a failure of the file.
      if (e.kind === 'deadline' || deadline?.aborted) return;
      if (e.kind === 'credentials') {
        this.credentialsFailure ??= credentialsFailure(e, error);
        return;
      }
      this.failed.add(`${key}: ${failureText(e)}`);
    }
  }

  /** Counts a file's records on a worker thread, or on this one. */
  private async count(key: string, raw: Buffer): Promise<void> {
    // The first file decides: workers from the process's budget, or this thread.
    if (this.pool === undefined)
      this.pool =
        this.workers > 0
          ? CountingPool.start(this.workers, { source: 'cloudtrail-s3', ...this.window })
          : null;
    if (this.pool) {
      this.kmsEvents += await this.pool.count(key, raw);
    } else {
      for (const record of logFileRecords(await logFileText(raw, key), key)) this.agg.add(record);
      this.kmsEvents = this.agg.stats.kmsEvents;
    }
  }

  /** Merges the workers' counts; the files a failed worker had counted are not read, not half counted. */
  async mergeWorkers(): Promise<void> {
    const pool = this.pool;
    if (!pool) return;
    for (const state of await pool.finish()) this.agg.merge(state);
    for (const key of pool.lost) {
      this.files -= 1;
      this.failed.add(
        `${key}: ${pool.failed ? `counted by a worker that then failed (${pool.failed})` : 'counts lost'}`,
      );
    }
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  private counted(): string {
    return `${this.files} log files read: ${describeCounts(this.agg)}`;
  }

  /** The result of a scan that Ctrl-C, the deadline or a failed listing ended early; null otherwise. */
  endedEarly(): PerKeySourceResult | null {
    const { files, daysDone, days } = this;
    const folders = `${daysDone} of ${days.length} day folders`;
    const failedFiles = this.failed.text();
    const why = () => deadlineReason(this.options.deadline);
    let coverage: UsageCoverage | null = null;
    if (this.options.signal?.aborted)
      coverage = this.coverage(
        'partial',
        `stopped on request after ${folders}; ${this.counted()}${failedFiles}`,
      );
    else if (this.cut)
      coverage =
        files === 0
          ? this.coverage('failed', `not read: ${why()}${failedFiles}`)
          : this.coverage('partial', `stopped after ${folders}: ${why()}; ${this.counted()}${failedFiles}`);
    else if (this.listFailure !== null)
      coverage =
        daysDone === 0
          ? this.coverage('failed', `${this.listFailure}; nothing was read`)
          : this.coverage('partial', `${this.listFailure}; kept ${folders}, ${this.counted()}${failedFiles}`);
    return coverage && perKeyResult(this.agg, coverage, files);
  }

  /** The result of a scan that read every day folder. */
  finished(): PerKeySourceResult {
    const { agg, files, where, failed } = this;
    const refused = this.nothingCounted();
    if (refused) return perKeyResult(agg, this.coverage('failed', refused), files);
    const clock = this.options.clock ?? systemClock;
    // After the month, only the day folders of its late deliveries were read: a ScheduleKeyDeletion
    // found there is evidence; its absence proves nothing (partial).
    const afterMonth =
      clock.now() > this.window.endMs
        ? {
            lifecycle: agg.afterLifecycleEvents(),
            coverage: this.coverage(
              'partial',
              `only the log files delivered in the ${DELIVERY_MARGIN_DAYS} day after the month were read: ${agg.stats.afterLifecycleEvents} lifecycle events`,
            ),
          }
        : null;
    // A month not over yet: what was delivered up to now was read, the rest of the month was not
    // (as LookupEvents and CloudWatch say). A month-to-date report prices it up to then.
    const now = clock.now();
    const coverage: UsageCoverage =
      failed.count === 0 && now < this.window.endMs
        ? {
            ...this.coverage(
              'partial',
              `the month is not over: read the log files delivered up to ${new Date(now).toISOString()}, ${this.counted()} (${where})`,
            ),
            readUntil: new Date(now).toISOString(),
          }
        : failed.count > 0
          ? this.coverage('partial', `${this.counted()}${failed.text()}`)
          : this.coverage('complete', `${this.counted()} (${where})`);
    return perKeyResult(agg, coverage, files, afterMonth);
  }

  /** Why a scan that read every folder counted nothing (no files, or no KMS event in them), or null. */
  private nothingCounted(): string | null {
    const { agg, files, where, days, failed } = this;
    if (files === 0)
      return failed.count > 0
        ? `no log file under ${where} could be read${failed.text()}`
        : `no CloudTrail log files under ${where} for ${days[0]} to ${days[days.length - 1]}: check the bucket and prefix, and that the trail logs this region`;
    if (agg.stats.kmsEvents === 0 && agg.stats.otherSources > 0)
      return `${files} log files under ${where} hold ${agg.stats.otherSources} events but none from kms.amazonaws.com: the trail probably excludes KMS events (ExcludeManagementEventSources); use LookupEvents or CloudWatch`;
    return null;
  }
}
