import {
  type CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsResponse,
} from '@aws-sdk/client-cloudtrail';
import { classifyAwsError, RegionCredentialsFailure } from '../collect/aws-errors.js';
import { InputError } from '../errors.js';
import type { LifecycleEvent, UsageCoverage } from '../model/usage.js';
import { type Clock, systemClock } from '../util/clock.js';
import { deadlineReason, whenAborted } from '../util/deadline.js';
import { daysBetween, type MonthWindow } from '../util/month.js';
import { RateLimiter } from '../util/rate-limiter.js';
import { UsageAggregator } from './aggregator.js';
import { KMS_EVENT_SOURCE } from './events.js';
import {
  describeCounts,
  iso,
  type PerKeySourceResult,
  perKeyResult,
  progressMeter,
  type UsageProgress,
} from './source.js';

/** CloudTrail's LookupEvents quota: 2 requests per second per account and region (not adjustable). */
export const LOOKUP_EVENTS_PER_SECOND = 2;
/**
 * The pace kms-report keeps: 5% under the quota (1.9 requests/s, 526 ms apart). CloudTrail
 * counts requests as they arrive; one released exactly 500 ms after the one before can arrive
 * sooner after it (it spent less time in the SDK and on the wire), and a strict endpoint
 * throttles it. Measured against a 2/s endpoint with no burst: pacing at the quota itself had
 * 27% of requests throttled and achieved 1.4/s; see bench/README.md.
 */
export const LOOKUP_EVENTS_PACE = LOOKUP_EVENTS_PER_SECOND * 0.95;
/** The largest page LookupEvents returns. */
export const LOOKUP_EVENTS_PAGE_SIZE = 50;
/** How far back Event history goes. */
export const EVENT_HISTORY_DAYS = 90;

export interface LookupEventsOptions {
  readonly account: string;
  readonly region: string;
  readonly window: MonthWindow;
  readonly clock?: Clock;
  /** Stops the lookup after the page in flight; the result is then `partial` with what was read. */
  readonly signal?: AbortSignal;
  /**
   * The run's deadline (see `startDeadline`): once it passes no request is started, the one in
   * flight is cut, and the coverage is `partial` with what was read (`failed` if nothing was),
   * saying the deadline passed.
   */
  readonly deadline?: AbortSignal;
  readonly onProgress?: (progress: UsageProgress) => void;
  /**
   * The pacing of this account and region. Share one limiter between lookups of the same account
   * and region; by default each call makes its own at {@link LOOKUP_EVENTS_PACE}.
   */
  readonly limiter?: RateLimiter;
  /**
   * When the month is over, also read its ScheduleKeyDeletion events from the month's end to now
   * (`LookupEvents` by `EventName`, a few pages at most): the evidence that a key found pending
   * deletion was scheduled after the month. Default false.
   */
  readonly afterMonth?: boolean;
}

/**
 * Refuses a month Event history cannot cover: one that starts more than
 * {@link EVENT_HISTORY_DAYS} days before `now`, or has not started yet.
 *
 * @example
 * ```ts
 * assertInEventHistory(parseMonth('2026-10'), new Date()); // throws an InputError if too old
 * ```
 */
export function assertInEventHistory(window: MonthWindow, now: Date, flag = '--month'): void {
  if (window.start.getTime() >= now.getTime())
    throw new InputError(flag, `${window.month} has not started yet: there are no events to read`);
  const age = daysBetween(window.start, now);
  if (age > EVENT_HISTORY_DAYS)
    throw new InputError(
      flag,
      `${window.month} starts ${Math.floor(age)} days ago, but CloudTrail Event history (LookupEvents) keeps only the last ${EVENT_HISTORY_DAYS} days. ` +
        "Read that month from the trail's log files in S3 (--source s3 --bucket <trail bucket>) or take account-level totals from CloudWatch (--source cloudwatch).",
    );
}

/**
 * Makes every attempt of one command wait for the limiter, the SDK's retries included: the
 * first attempt waits before `send`, each retry (`amz-sdk-request: attempt=N`, N > 1) here.
 */
function paceRetries(command: LookupEventsCommand, limiter: RateLimiter): LookupEventsCommand {
  command.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      const attempt = Number(/attempt=(\d+)/.exec(headers['amz-sdk-request'] ?? '')?.[1] ?? '1');
      if (attempt > 1) await limiter.take();
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'kmsReportPaceRetries' },
  );
  return command;
}

/**
 * Reads a month of KMS events from CloudTrail Event history (`LookupEvents`,
 * `EventSource = kms.amazonaws.com`) for one account and region, and counts them per key,
 * operation and pair spec, with the month's key lifecycle events. Events are counted as each
 * page arrives and never kept.
 *
 * Requests are paced just under {@link LOOKUP_EVENTS_PER_SECOND} (see {@link LOOKUP_EVENTS_PACE}; retries included). An abort stops
 * after the page in flight; a page that fails after the SDK's retries ends the source with the
 * error code. Either way the counts read so far are kept and the coverage is `partial` (or
 * `failed` when nothing was read). A month Event history cannot cover is refused before any call.
 *
 * @example
 * ```ts
 * import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
 *
 * const client = new CloudTrailClient({ region: 'eu-west-1' });
 * const result = await collectLookupEvents(client, {
 *   account: '111122223333',
 *   region: 'eu-west-1',
 *   window: parseMonth('2026-10'),
 * });
 * console.log(result.coverage.status, result.requests.length);
 * ```
 */
export async function collectLookupEvents(
  client: CloudTrailClient,
  options: LookupEventsOptions,
): Promise<PerKeySourceResult> {
  const { account, region, window, signal, deadline } = options;
  const clock = options.clock ?? systemClock;
  const now = clock.now();
  assertInEventHistory(window, new Date(now));
  const limiter = options.limiter ?? new RateLimiter(LOOKUP_EVENTS_PACE, 1, clock);
  const readEnd = new Date(Math.min(window.end.getTime(), now));
  const span = readEnd.getTime() - window.start.getTime();
  const agg = new UsageAggregator('cloudtrail-lookup', window);
  const meter = progressMeter(clock, { account, region, source: 'cloudtrail-lookup' }, options.onProgress);
  const coverage = (status: UsageCoverage['status'], detail: string): UsageCoverage => ({
    account,
    region,
    source: 'cloudtrail-lookup',
    status,
    detail,
  });

  let pages = 0;
  /** Events arrive newest first: the oldest time seen is how far back the read has reached. */
  let reached = readEnd.getTime();
  const readBack = () =>
    reached <= window.start.getTime()
      ? 'the whole window'
      : `from ${iso(reached)} to ${iso(readEnd.getTime())} (${Math.round(((readEnd.getTime() - reached) / span) * 100)}% of the month)`;
  let NextToken: string | undefined;
  /** The coverage when the run's deadline stops the lookup: what was read is kept. */
  const cutByDeadline = () => {
    const why = deadlineReason(deadline);
    return perKeyResult(
      agg,
      pages === 0
        ? coverage('failed', `not read: ${why}`)
        : coverage(
            'partial',
            `stopped after ${pages} pages: ${why}; kept what was read, ${readBack()}: ${describeCounts(agg)}`,
          ),
      pages,
    );
  };
  const passed = deadline ? whenAborted(deadline) : null;

  do {
    if (signal?.aborted) break;
    if (deadline?.aborted) return cutByDeadline();
    await (passed ? Promise.race([limiter.take(), passed]) : limiter.take());
    if (signal?.aborted) break;
    if (deadline?.aborted) return cutByDeadline();
    let page: LookupEventsResponse;
    try {
      page = await client.send(
        paceRetries(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: KMS_EVENT_SOURCE }],
            StartTime: window.start,
            EndTime: readEnd,
            MaxResults: LOOKUP_EVENTS_PAGE_SIZE,
            NextToken,
          }),
          limiter,
        ),
        deadline ? { abortSignal: deadline } : undefined,
      );
    } catch (error) {
      const e = classifyAwsError(error, deadline);
      if (e.kind === 'deadline') return cutByDeadline();
      if (e.kind === 'credentials') throw new RegionCredentialsFailure(e, { cause: error });
      const what = `LookupEvents failed on page ${pages + 1} after the SDK's retries: ${e.code}${e.message ? ` (${e.message})` : ''}`;
      return perKeyResult(
        agg,
        pages === 0
          ? coverage('failed', `${what}; nothing was read`)
          : coverage('partial', `${what}; kept what was read, ${readBack()}: ${describeCounts(agg)}`),
        pages,
      );
    }
    pages += 1;
    for (const event of page.Events ?? []) {
      let record: unknown = null;
      try {
        record = event.CloudTrailEvent ? JSON.parse(event.CloudTrailEvent) : null;
      } catch {
        // counted as malformed below
      }
      agg.add(record);
      const t = event.EventTime?.getTime();
      if (t !== undefined && t < reached) reached = Math.max(t, window.start.getTime());
    }
    // Only the previous token is kept (memory stays flat): a service that repeats it would loop forever.
    const previous = NextToken;
    NextToken = page.NextToken;
    meter(agg.stats.kmsEvents, pages, NextToken ? (readEnd.getTime() - reached) / span : 1);
    if (NextToken !== undefined) {
      if (NextToken === previous) {
        return perKeyResult(
          agg,
          coverage(
            'partial',
            `LookupEvents returned the same NextToken twice on page ${pages}; stopped, ${readBack()}: ${describeCounts(agg)}`,
          ),
          pages,
        );
      }
    }
  } while (NextToken !== undefined);

  if (NextToken !== undefined || (signal?.aborted && pages === 0))
    return perKeyResult(
      agg,
      coverage(
        'partial',
        `stopped on request after ${pages} pages; ${pages > 0 ? `read ${readBack()}` : 'nothing was read'}: ${describeCounts(agg)}`,
      ),
      pages,
    );
  const unfinished = readEnd.getTime() < window.end.getTime();
  const after =
    options.afterMonth && !unfinished ? await lookupScheduledAfter(client, options, now, limiter) : null;
  return perKeyResult(
    agg,
    unfinished
      ? {
          ...coverage(
            'partial',
            `the month is not over: read up to ${iso(readEnd.getTime())} in ${pages} pages: ${describeCounts(agg)}`,
          ),
          // Everything up to then was read: a month-to-date report prices it.
          readUntil: iso(readEnd.getTime()),
        }
      : coverage('complete', `read the whole month in ${pages} pages: ${describeCounts(agg)}`),
    pages,
    after,
  );
}

/**
 * The ScheduleKeyDeletion events of one account and region from the month's end to `now`
 * (`LookupEvents` with `EventName = ScheduleKeyDeletion`), paced like the month's read. Like the
 * month's read it stops on Ctrl-C after the page in flight (`partial`), and at the run's deadline
 * at once, the wait for the pace and the request in flight cut (`partial`, `failed` when no page
 * was read); the events found so far are kept.
 */
async function lookupScheduledAfter(
  client: CloudTrailClient,
  options: LookupEventsOptions,
  now: number,
  limiter: RateLimiter,
): Promise<{ lifecycle: LifecycleEvent[]; coverage: UsageCoverage }> {
  const { account, region, window, signal, deadline } = options;
  const agg = new UsageAggregator('cloudtrail-lookup', { start: window.end, end: new Date(now) });
  const coverage = (status: UsageCoverage['status'], detail: string): UsageCoverage => ({
    account,
    region,
    source: 'cloudtrail-lookup',
    status,
    detail,
  });
  const span = `${iso(window.end.getTime())} to ${iso(now)}`;
  let pages = 0;
  // As in the month's read: Ctrl-C leaves it partial, the deadline before any page failed.
  const stopped = (status: UsageCoverage['status'], why: string) => ({
    lifecycle: agg.lifecycleEvents(),
    coverage: coverage(
      status,
      `ScheduleKeyDeletion (${span}) ${pages === 0 ? 'not read' : `read for ${pages} pages only`}: ${why}`,
    ),
  });
  const onRequest = () => stopped('partial', `stopped on request after ${pages} pages`);
  const cutByDeadline = () => stopped(pages === 0 ? 'failed' : 'partial', deadlineReason(deadline));
  const passed = deadline ? whenAborted(deadline) : null;
  let NextToken: string | undefined;
  do {
    if (signal?.aborted) return onRequest();
    if (deadline?.aborted) return cutByDeadline();
    await (passed ? Promise.race([limiter.take(), passed]) : limiter.take());
    if (signal?.aborted) return onRequest();
    if (deadline?.aborted) return cutByDeadline();
    let page: LookupEventsResponse;
    try {
      page = await client.send(
        paceRetries(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ScheduleKeyDeletion' }],
            StartTime: window.end,
            EndTime: new Date(now),
            MaxResults: LOOKUP_EVENTS_PAGE_SIZE,
            NextToken,
          }),
          limiter,
        ),
        deadline ? { abortSignal: deadline } : undefined,
      );
    } catch (error) {
      const e = classifyAwsError(error, deadline);
      if (e.kind === 'deadline') return cutByDeadline();
      if (e.kind === 'credentials') throw new RegionCredentialsFailure(e, { cause: error });
      return {
        lifecycle: agg.lifecycleEvents(),
        coverage: coverage(
          pages === 0 ? 'failed' : 'partial',
          `LookupEvents (ScheduleKeyDeletion, ${span}) failed: ${e.code}`,
        ),
      };
    }
    pages += 1;
    for (const event of page.Events ?? []) {
      try {
        agg.add(event.CloudTrailEvent ? JSON.parse(event.CloudTrailEvent) : null);
      } catch {
        agg.add(null);
      }
    }
    const previous = NextToken;
    NextToken = page.NextToken;
    if (NextToken !== undefined && NextToken === previous)
      return {
        lifecycle: agg.lifecycleEvents(),
        coverage: coverage(
          'partial',
          `LookupEvents returned the same NextToken twice (ScheduleKeyDeletion, ${span})`,
        ),
      };
  } while (NextToken !== undefined);
  return {
    lifecycle: agg.lifecycleEvents(),
    coverage: {
      ...coverage(
        'complete',
        `ScheduleKeyDeletion read from ${span} in ${pages} pages: ${agg.stats.lifecycleEvents} found`,
      ),
      readUntil: iso(now),
    },
  };
}
