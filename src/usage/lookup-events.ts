import {
  type CloudTrailClient,
  type Event,
  type LookupAttribute,
  LookupEventsCommand,
  type LookupEventsResponse,
} from '@aws-sdk/client-cloudtrail';
import { type ClassifiedError, classifyAwsError } from '../collect/aws-errors.js';
import { InputError } from '../errors.js';
import type { LifecycleEvent, UsageCoverage } from '../model/usage.js';
import { type Clock, systemClock } from '../util/clock.js';
import { deadlineReason, whenAborted } from '../util/deadline.js';
import { daysBetween, type MonthWindow } from '../util/month.js';
import { RateLimiter } from '../util/rate-limiter.js';
import { UsageAggregator } from './aggregator.js';
import { KMS_EVENT_SOURCE } from './events.js';
import {
  coverageOf,
  credentialsFailure,
  describeCounts,
  failureText,
  iso,
  type PerKeySourceResult,
  perKeyResult,
  progressMeter,
  type UsageSourceOptions,
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

export interface LookupEventsOptions extends UsageSourceOptions {
  /** Stops the lookup after the page in flight; the result is then `partial` with what was read. */
  readonly signal?: AbortSignal;
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
  const clock = options.clock ?? systemClock;
  const now = clock.now();
  assertInEventHistory(options.window, new Date(now));
  const limiter = options.limiter ?? new RateLimiter(LOOKUP_EVENTS_PACE, 1, clock);
  const month = new MonthRead(options, clock, now);
  const { end, pages } = await lookupPages(
    client,
    {
      attribute: { AttributeKey: 'EventSource', AttributeValue: KMS_EVENT_SOURCE },
      start: options.window.start,
      end: month.readEnd,
    },
    { ...options, limiter },
    (events, pages, more) => month.count(events, pages, more),
  );
  if (end.kind !== 'done') return month.endedEarly(end, pages, options.deadline);
  const after =
    options.afterMonth && !month.unfinished
      ? await lookupScheduledAfter(client, options, now, limiter)
      : null;
  return month.whole(pages, after);
}

/** What one LookupEvents query asks for: the events of one attribute between two times. */
interface LookupQuery {
  readonly attribute: LookupAttribute;
  readonly start: Date;
  readonly end: Date;
}

/** How a lookup and its pacing are stopped. */
interface LookupRun {
  readonly limiter: RateLimiter;
  readonly signal?: AbortSignal;
  readonly deadline?: AbortSignal;
}

/**
 * How a paged lookup ended: every page read (`done`), Ctrl-C before a request (`stopped`), the
 * run's deadline (`deadline`), a page that failed after the SDK's retries (`failed`), or a
 * service that gave the same NextToken twice (`repeated-token`).
 */
type LookupEnd =
  | { readonly kind: 'done' | 'stopped' | 'deadline' | 'repeated-token' }
  | { readonly kind: 'failed'; readonly error: ClassifiedError };

/**
 * Reads every page of one query, each request (and each of the SDK's retries) paced by the
 * limiter, and hands each page's events to `onPage` as it arrives (nothing is kept here).
 * Ctrl-C is checked before each request, so the page in flight is finished; the deadline is
 * checked there too, and also cuts the wait for the pace and the request in flight. Failed
 * credentials end the region (thrown); any other failure ends the lookup with what was read.
 */
async function lookupPages(
  client: CloudTrailClient,
  query: LookupQuery,
  run: LookupRun,
  onPage: (events: readonly Event[], pages: number, more: boolean) => void,
): Promise<{ end: LookupEnd; pages: number }> {
  const { limiter, deadline } = run;
  const passed = deadline ? whenAborted(deadline) : null;
  let pages = 0;
  let NextToken: string | undefined;
  do {
    const stop = await waitForTurn(run, passed);
    if (stop) return { end: { kind: stop }, pages };
    let page: LookupEventsResponse;
    try {
      page = await client.send(
        paceRetries(
          new LookupEventsCommand({
            LookupAttributes: [query.attribute],
            StartTime: query.start,
            EndTime: query.end,
            MaxResults: LOOKUP_EVENTS_PAGE_SIZE,
            NextToken,
          }),
          limiter,
        ),
        deadline ? { abortSignal: deadline } : undefined,
      );
    } catch (error) {
      const e = classifyAwsError(error, deadline);
      if (e.kind === 'deadline') return { end: { kind: 'deadline' }, pages };
      if (e.kind === 'credentials') throw credentialsFailure(e, error);
      return { end: { kind: 'failed', error: e }, pages };
    }
    pages += 1;
    // Only the previous token is kept (memory stays flat): a service that repeats it would loop forever.
    const previous = NextToken;
    NextToken = page.NextToken;
    onPage(page.Events ?? [], pages, Boolean(NextToken));
    if (NextToken !== undefined && NextToken === previous) return { end: { kind: 'repeated-token' }, pages };
  } while (NextToken !== undefined);
  return { end: { kind: 'done' }, pages };
}

/**
 * Waits for the pace before a request, unless Ctrl-C or the deadline has stopped the lookup:
 * what stopped it (checked before and after the wait; the deadline cuts the wait), or null.
 */
async function waitForTurn(
  run: LookupRun,
  passed: Promise<void> | null,
): Promise<'stopped' | 'deadline' | null> {
  const { limiter, signal, deadline } = run;
  const stop = () => (signal?.aborted ? 'stopped' : deadline?.aborted ? 'deadline' : null);
  if (stop()) return stop();
  await (passed ? Promise.race([limiter.take(), passed]) : limiter.take());
  return stop();
}

/** The record an Event history entry carries, parsed; null (counted as malformed) when it is not JSON. */
function recordOf(event: Event): unknown {
  try {
    return event.CloudTrailEvent ? JSON.parse(event.CloudTrailEvent) : null;
  } catch {
    return null;
  }
}

/**
 * The month's read of one account and region: its counts, how far back it has reached (events
 * arrive newest first) and the coverage each way it can end says.
 */
class MonthRead {
  readonly agg: UsageAggregator;
  /** The month's end, or now for a month not over yet. */
  readonly readEnd: Date;
  readonly unfinished: boolean;
  private readonly startMs: number;
  private readonly span: number;
  /** The oldest event time seen: how far back the read has reached. */
  private reached: number;
  private readonly meter: ReturnType<typeof progressMeter>;
  private readonly coverage: ReturnType<typeof coverageOf>;

  constructor(options: LookupEventsOptions, clock: Clock, now: number) {
    const { account, region, window } = options;
    this.agg = new UsageAggregator('cloudtrail-lookup', window);
    this.readEnd = new Date(Math.min(window.end.getTime(), now));
    this.unfinished = this.readEnd.getTime() < window.end.getTime();
    this.startMs = window.start.getTime();
    this.span = this.readEnd.getTime() - this.startMs;
    this.reached = this.readEnd.getTime();
    this.meter = progressMeter(clock, { account, region, source: 'cloudtrail-lookup' }, options.onProgress);
    this.coverage = coverageOf(account, region, 'cloudtrail-lookup');
  }

  /** Counts one page's events and reports progress. */
  count(events: readonly Event[], pages: number, more: boolean): void {
    for (const event of events) {
      this.agg.add(recordOf(event));
      const t = event.EventTime?.getTime();
      if (t !== undefined && t < this.reached) this.reached = Math.max(t, this.startMs);
    }
    const fraction = more ? (this.readEnd.getTime() - this.reached) / this.span : 1;
    this.meter(this.agg.stats.kmsEvents, pages, fraction);
  }

  /** How much of the month has been read, for a coverage detail. */
  private readBack(): string {
    const end = this.readEnd.getTime();
    return this.reached <= this.startMs
      ? 'the whole window'
      : `from ${iso(this.reached)} to ${iso(end)} (${Math.round(((end - this.reached) / this.span) * 100)}% of the month)`;
  }

  /** The result when the read ended before its last page: what was read is kept. */
  endedEarly(
    end: Exclude<LookupEnd, { kind: 'done' }>,
    pages: number,
    deadline?: AbortSignal,
  ): PerKeySourceResult {
    const counts = describeCounts(this.agg);
    let coverage: UsageCoverage;
    if (end.kind === 'deadline') {
      const why = deadlineReason(deadline);
      coverage =
        pages === 0
          ? this.coverage('failed', `not read: ${why}`)
          : this.coverage(
              'partial',
              `stopped after ${pages} pages: ${why}; kept what was read, ${this.readBack()}: ${counts}`,
            );
    } else if (end.kind === 'failed') {
      const what = `LookupEvents failed on page ${pages + 1} after the SDK's retries: ${failureText(end.error)}`;
      coverage =
        pages === 0
          ? this.coverage('failed', `${what}; nothing was read`)
          : this.coverage('partial', `${what}; kept what was read, ${this.readBack()}: ${counts}`);
    } else if (end.kind === 'repeated-token') {
      coverage = this.coverage(
        'partial',
        `LookupEvents returned the same NextToken twice on page ${pages}; stopped, ${this.readBack()}: ${counts}`,
      );
    } else {
      coverage = this.coverage(
        'partial',
        `stopped on request after ${pages} pages; ${pages > 0 ? `read ${this.readBack()}` : 'nothing was read'}: ${counts}`,
      );
    }
    return perKeyResult(this.agg, coverage, pages);
  }

  /** The result when every page was read: the whole month, or the month so far if it is not over. */
  whole(pages: number, after: PerKeySourceResult['afterMonth']): PerKeySourceResult {
    const counts = describeCounts(this.agg);
    const readUntil = iso(this.readEnd.getTime());
    const coverage: UsageCoverage = this.unfinished
      ? {
          ...this.coverage(
            'partial',
            `the month is not over: read up to ${readUntil} in ${pages} pages: ${counts}`,
          ),
          // Everything up to then was read: a month-to-date report prices it.
          readUntil,
        }
      : this.coverage('complete', `read the whole month in ${pages} pages: ${counts}`);
    return perKeyResult(this.agg, coverage, pages, after);
  }
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
  const { window } = options;
  const agg = new UsageAggregator('cloudtrail-lookup', { start: window.end, end: new Date(now) });
  const { end, pages } = await lookupPages(
    client,
    {
      attribute: { AttributeKey: 'EventName', AttributeValue: 'ScheduleKeyDeletion' },
      start: window.end,
      end: new Date(now),
    },
    { ...options, limiter },
    (events) => {
      for (const event of events) agg.add(recordOf(event));
    },
  );
  return {
    lifecycle: agg.lifecycleEvents(),
    coverage: scheduledAfterCoverage(options, end, pages, { agg, now }),
  };
}

/** What the ScheduleKeyDeletion read after the month covered, by how it ended. */
function scheduledAfterCoverage(
  options: LookupEventsOptions,
  end: LookupEnd,
  pages: number,
  read: { readonly agg: UsageAggregator; readonly now: number },
): UsageCoverage {
  const coverage = coverageOf(options.account, options.region, 'cloudtrail-lookup');
  const span = `${iso(options.window.end.getTime())} to ${iso(read.now)}`;
  const notRead = pages === 0 ? 'not read' : `read for ${pages} pages only`;
  // As in the month's read: Ctrl-C leaves it partial, the deadline before any page failed.
  switch (end.kind) {
    case 'stopped':
      return coverage(
        'partial',
        `ScheduleKeyDeletion (${span}) ${notRead}: stopped on request after ${pages} pages`,
      );
    case 'deadline':
      return coverage(
        pages === 0 ? 'failed' : 'partial',
        `ScheduleKeyDeletion (${span}) ${notRead}: ${deadlineReason(options.deadline)}`,
      );
    case 'failed':
      return coverage(
        pages === 0 ? 'failed' : 'partial',
        `LookupEvents (ScheduleKeyDeletion, ${span}) failed: ${end.error.code}`,
      );
    case 'repeated-token':
      return coverage(
        'partial',
        `LookupEvents returned the same NextToken twice (ScheduleKeyDeletion, ${span})`,
      );
    case 'done':
      return {
        ...coverage(
          'complete',
          `ScheduleKeyDeletion read from ${span} in ${pages} pages: ${read.agg.stats.lifecycleEvents} found`,
        ),
        readUntil: iso(read.now),
      };
  }
}
