import {
  type CloudWatchClient,
  type Dimension,
  GetMetricDataCommand,
  ListMetricsCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { classifyAwsError, RegionCredentialsFailure } from '../collect/aws-errors.js';
import type { AccountUsageTotal, UsageCoverage } from '../model/usage.js';
import { type Clock, systemClock } from '../util/clock.js';
import { deadlineReason } from '../util/deadline.js';
import { daysBetween, type MonthWindow } from '../util/month.js';
import { progressMeter, type UsageProgress } from './source.js';

export const USAGE_NAMESPACE = 'AWS/Usage';
export const USAGE_METRIC = 'CallCount';
/** The dimensions every KMS API usage metric carries, besides `Resource`. */
export const KMS_USAGE_DIMENSIONS: readonly Dimension[] = [
  { Name: 'Service', Value: 'KMS' },
  { Name: 'Type', Value: 'API' },
  { Name: 'Class', Value: 'None' },
];
/** GetMetricData takes at most 500 queries per call. */
export const CLOUDWATCH_QUERIES_PER_CALL = 500;
/** One datapoint a day per query; the month's total is their sum. */
export const CLOUDWATCH_PERIOD_SECONDS = 86_400;
/** CloudWatch keeps hourly (and coarser) datapoints for 455 days (15 months). */
export const CLOUDWATCH_RETENTION_DAYS = 455;
/**
 * Resources always queried, even when ListMetrics does not return them: ListMetrics only lists
 * metrics with data in the last two weeks, so a class used earlier in an older month would be
 * missed.
 */
export const ALWAYS_QUERIED_RESOURCES: readonly string[] = [
  'CryptographicOperationsSymmetric',
  'CryptographicOperationsRsa',
  'CryptographicOperationsEcc',
];

export interface CloudWatchUsageOptions {
  readonly account: string;
  readonly region: string;
  readonly window: MonthWindow;
  readonly clock?: Clock;
  /** Stops between GetMetricData calls; the result is then `partial`. */
  readonly signal?: AbortSignal;
  /**
   * The run's deadline (see `startDeadline`): once it passes no request is started, those in
   * flight are cut, and the coverage is `partial` with what was read (`failed` if nothing was),
   * saying the deadline passed.
   */
  readonly deadline?: AbortSignal;
  readonly onProgress?: (progress: UsageProgress) => void;
}

export interface CloudWatchUsageResult {
  readonly coverage: UsageCoverage;
  /** One total per `Resource` with calls in the month, sorted by resource. */
  readonly totals: AccountUsageTotal[];
}

const dimensionsFor = (resource: string): Dimension[] => [
  ...KMS_USAGE_DIMENSIONS,
  { Name: 'Resource', Value: resource },
];

/**
 * The month's KMS call totals of one account and region from CloudWatch `AWS/Usage` `CallCount`
 * (`Service=KMS`, `Type=API`, `Class=None`), one per `Resource` value: every resource
 * ListMetrics returns (paginated) plus {@link ALWAYS_QUERIED_RESOURCES}, summed over the month
 * with GetMetricData in batches of {@link CLOUDWATCH_QUERIES_PER_CALL} queries (paginated).
 * Account-level only: CloudWatch has no key dimension.
 *
 * @example
 * ```ts
 * import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
 *
 * const { totals } = await collectCloudWatchUsage(new CloudWatchClient({ region: 'eu-west-1' }), {
 *   account: '111122223333',
 *   region: 'eu-west-1',
 *   window: parseMonth('2026-10'),
 * });
 * ```
 */
export async function collectCloudWatchUsage(
  client: CloudWatchClient,
  options: CloudWatchUsageOptions,
): Promise<CloudWatchUsageResult> {
  const { account, region, window, signal, deadline } = options;
  const call = deadline ? { abortSignal: deadline } : undefined;
  const clock = options.clock ?? systemClock;
  const now = new Date(clock.now());
  const meter = progressMeter(clock, { account, region, source: 'cloudwatch' }, options.onProgress);
  const coverage = (status: UsageCoverage['status'], detail: string): UsageCoverage => ({
    account,
    region,
    source: 'cloudwatch',
    status,
    detail,
  });
  const fail = (operation: string, error: unknown): CloudWatchUsageResult => {
    const e = classifyAwsError(error, deadline);
    if (e.kind === 'credentials') throw new RegionCredentialsFailure(e, { cause: error });
    if (e.kind === 'deadline') return { coverage: coverage('failed', e.message), totals: [] };
    return {
      coverage: coverage('failed', `${operation} failed: ${e.code}${e.message ? ` (${e.message})` : ''}`),
      totals: [],
    };
  };

  if (window.start.getTime() >= now.getTime())
    return { coverage: coverage('failed', `${window.month} has not started yet`), totals: [] };
  if (daysBetween(window.start, now) > CLOUDWATCH_RETENTION_DAYS)
    return {
      coverage: coverage(
        'failed',
        `${window.month} is older than CloudWatch keeps datapoints (${CLOUDWATCH_RETENTION_DAYS} days)`,
      ),
      totals: [],
    };

  const resources = new Set<string>(ALWAYS_QUERIED_RESOURCES);
  try {
    let NextToken: string | undefined;
    do {
      if (deadline?.aborted) throw deadline.reason;
      const page = await client.send(
        new ListMetricsCommand({
          Namespace: USAGE_NAMESPACE,
          MetricName: USAGE_METRIC,
          Dimensions: KMS_USAGE_DIMENSIONS.map((d) => ({ ...d })),
          NextToken,
        }),
        call,
      );
      for (const metric of page.Metrics ?? []) {
        const resource = metric.Dimensions?.find((d) => d.Name === 'Resource')?.Value;
        if (resource && (metric.Dimensions?.length ?? 0) === KMS_USAGE_DIMENSIONS.length + 1)
          resources.add(resource);
      }
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (error) {
    return fail('ListMetrics', error);
  }

  const ordered = [...resources].sort();
  const readEnd = new Date(Math.min(window.end.getTime(), now.getTime()));
  const sums = new Map<string, number>();
  const incomplete = new Set<string>();
  let calls = 0;
  let stopped = false;
  /** Set when the run's deadline cut the reading: what was summed so far is kept, marked partial. */
  let cut = false;
  for (let i = 0; i < ordered.length; i += CLOUDWATCH_QUERIES_PER_CALL) {
    if (signal?.aborted) {
      stopped = true;
      break;
    }
    if (deadline?.aborted) {
      cut = true;
      break;
    }
    const batch = ordered.slice(i, i + CLOUDWATCH_QUERIES_PER_CALL);
    const queries: MetricDataQuery[] = batch.map((resource, j) => ({
      Id: `q${i + j}`,
      MetricStat: {
        Metric: { Namespace: USAGE_NAMESPACE, MetricName: USAGE_METRIC, Dimensions: dimensionsFor(resource) },
        Period: CLOUDWATCH_PERIOD_SECONDS,
        Stat: 'Sum',
      },
      ReturnData: true,
    }));
    try {
      let NextToken: string | undefined;
      do {
        const page = await client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: window.start,
            EndTime: readEnd,
            NextToken,
          }),
          call,
        );
        calls += 1;
        for (const r of page.MetricDataResults ?? []) {
          const resource = ordered[Number(r.Id?.slice(1))];
          if (resource === undefined) continue;
          const sum = (r.Values ?? []).reduce((a, v) => a + v, 0);
          sums.set(resource, (sums.get(resource) ?? 0) + sum);
          if (r.StatusCode === 'InternalError' || r.StatusCode === 'Forbidden') incomplete.add(resource);
        }
        NextToken = page.NextToken;
      } while (NextToken);
    } catch (error) {
      if (classifyAwsError(error, deadline).kind === 'deadline') {
        cut = true;
        break;
      }
      return fail('GetMetricData', error);
    }
    meter(0, calls, Math.min(1, (i + batch.length) / ordered.length));
  }

  const totals: AccountUsageTotal[] = [...sums.entries()]
    .filter(([, count]) => count > 0)
    .map(([resource, count]) => ({
      account,
      region,
      resource,
      count: Math.round(count),
      source: 'cloudwatch' as const,
    }))
    .sort((a, b) => a.resource.localeCompare(b.resource));
  const summary = `${totals.length} resources with calls (${ordered.length} queried, ${calls} GetMetricData calls)`;
  if (stopped) return { coverage: coverage('partial', `stopped on request; ${summary}`), totals };
  if (cut)
    return {
      coverage:
        calls > 0
          ? coverage('partial', `stopped: ${deadlineReason(deadline)}; ${summary}`)
          : coverage('failed', `not read: ${deadlineReason(deadline)}`),
      totals,
    };
  if (incomplete.size > 0)
    return {
      coverage: coverage(
        'partial',
        `${summary}; CloudWatch returned no complete data for ${[...incomplete].sort().join(', ')}`,
      ),
      totals,
    };
  if (readEnd.getTime() < window.end.getTime())
    return {
      coverage: {
        ...coverage('partial', `the month is not over: totals up to ${readEnd.toISOString()}; ${summary}`),
        // Complete up to then: a month-to-date report prices them.
        readUntil: readEnd.toISOString(),
      },
      totals,
    };
  return { coverage: coverage('complete', summary), totals };
}
