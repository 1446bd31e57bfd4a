import {
  type CloudWatchClient,
  type Dimension,
  GetMetricDataCommand,
  ListMetricsCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { classifyAwsError } from '../collect/aws-errors.js';
import type { AccountUsageTotal, UsageCoverage } from '../model/usage.js';
import { systemClock } from '../util/clock.js';
import { compareText } from '../util/compare.js';
import { deadlineReason } from '../util/deadline.js';
import { daysBetween, type MonthWindow } from '../util/month.js';
import {
  coverageOf,
  credentialsFailure,
  failureText,
  progressMeter,
  type UsageSourceOptions,
} from './source.js';

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

export interface CloudWatchUsageOptions extends UsageSourceOptions {
  /** Stops between GetMetricData calls; the result is then `partial`. */
  readonly signal?: AbortSignal;
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
  const { account, region, window, deadline } = options;
  const clock = options.clock ?? systemClock;
  const now = new Date(clock.now());
  const meter = progressMeter(clock, { account, region, source: 'cloudwatch' }, options.onProgress);
  const coverage = coverageOf(account, region, 'cloudwatch');
  const fail = (operation: string, error: unknown): CloudWatchUsageResult => {
    const e = classifyAwsError(error, deadline);
    if (e.kind === 'credentials') throw credentialsFailure(e, error);
    if (e.kind === 'deadline') return { coverage: coverage('failed', e.message), totals: [] };
    return { coverage: coverage('failed', `${operation} failed: ${failureText(e)}`), totals: [] };
  };

  const refused = outsideRetention(window, now);
  if (refused) return { coverage: coverage('failed', refused), totals: [] };
  let resources: string[];
  try {
    resources = await listResources(client, deadline);
  } catch (error) {
    return fail('ListMetrics', error);
  }
  const readEnd = new Date(Math.min(window.end.getTime(), now.getTime()));
  const read = await sumResources(client, resources, { ...options, readEnd, meter });
  if (read.error !== undefined) return fail('GetMetricData', read.error);
  const totals = totalsOf(read.sums, account, region);
  return { coverage: cloudWatchCoverage(read, { ...options, readEnd, totals }, coverage), totals };
}

/** Why CloudWatch cannot give the month (not started, or older than it keeps datapoints), or null. */
function outsideRetention(window: MonthWindow, now: Date): string | null {
  if (window.start.getTime() >= now.getTime()) return `${window.month} has not started yet`;
  if (daysBetween(window.start, now) > CLOUDWATCH_RETENTION_DAYS)
    return `${window.month} is older than CloudWatch keeps datapoints (${CLOUDWATCH_RETENTION_DAYS} days)`;
  return null;
}

/**
 * The `Resource` values to query, sorted: every one ListMetrics returns (paginated) with exactly
 * the KMS dimensions and `Resource`, plus {@link ALWAYS_QUERIED_RESOURCES}. Stops at the deadline
 * (thrown, as a failed call is).
 */
async function listResources(client: CloudWatchClient, deadline: AbortSignal | undefined): Promise<string[]> {
  const resources = new Set<string>(ALWAYS_QUERIED_RESOURCES);
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
      deadline ? { abortSignal: deadline } : undefined,
    );
    for (const metric of page.Metrics ?? []) {
      const resource = metric.Dimensions?.find((d) => d.Name === 'Resource')?.Value;
      if (resource && (metric.Dimensions?.length ?? 0) === KMS_USAGE_DIMENSIONS.length + 1)
        resources.add(resource);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return [...resources].sort();
}

/** What summing the resources over the month gave, and what stopped it early. */
interface ResourceSums {
  readonly resources: readonly string[];
  readonly sums: Map<string, number>;
  /** Resources CloudWatch returned no complete data for. */
  readonly incomplete: Set<string>;
  /** GetMetricData calls made. */
  calls: number;
  /** Ctrl-C stopped the reading between calls. */
  stopped: boolean;
  /** The run's deadline cut the reading: what was summed so far is kept, marked partial. */
  cut: boolean;
  /** A call that failed (not by the deadline): the source fails with it. */
  error?: unknown;
}

/**
 * Sums each resource's datapoints over the month with GetMetricData, in batches of
 * {@link CLOUDWATCH_QUERIES_PER_CALL} queries, reporting progress after each batch. Ctrl-C is
 * checked between batches, the deadline also cuts the call in flight.
 */
async function sumResources(
  client: CloudWatchClient,
  resources: readonly string[],
  read: CloudWatchUsageOptions & { readonly readEnd: Date; readonly meter: ReturnType<typeof progressMeter> },
): Promise<ResourceSums> {
  const { signal, deadline } = read;
  const out: ResourceSums = {
    resources,
    sums: new Map(),
    incomplete: new Set(),
    calls: 0,
    stopped: false,
    cut: false,
  };
  for (let i = 0; i < resources.length; i += CLOUDWATCH_QUERIES_PER_CALL) {
    if (signal?.aborted) return { ...out, stopped: true };
    if (deadline?.aborted) return { ...out, cut: true };
    const batch = resources.slice(i, i + CLOUDWATCH_QUERIES_PER_CALL);
    try {
      await sumBatch(client, queriesFor(batch, i), read, out);
    } catch (error) {
      if (classifyAwsError(error, deadline).kind === 'deadline') return { ...out, cut: true };
      return { ...out, error };
    }
    read.meter(0, out.calls, Math.min(1, (i + batch.length) / resources.length));
  }
  return out;
}

/** One query per resource of a batch, each with the Id `q<index in the sorted resources>`. */
function queriesFor(batch: readonly string[], offset: number): MetricDataQuery[] {
  return batch.map((resource, j) => ({
    Id: `q${offset + j}`,
    MetricStat: {
      Metric: { Namespace: USAGE_NAMESPACE, MetricName: USAGE_METRIC, Dimensions: dimensionsFor(resource) },
      Period: CLOUDWATCH_PERIOD_SECONDS,
      Stat: 'Sum',
    },
    ReturnData: true,
  }));
}

/** Adds one batch's datapoints (every result page of it) to the resources' sums. */
async function sumBatch(
  client: CloudWatchClient,
  queries: MetricDataQuery[],
  read: { readonly window: MonthWindow; readonly readEnd: Date; readonly deadline?: AbortSignal },
  out: ResourceSums,
): Promise<void> {
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: read.window.start,
        EndTime: read.readEnd,
        NextToken,
      }),
      read.deadline ? { abortSignal: read.deadline } : undefined,
    );
    out.calls += 1;
    for (const r of page.MetricDataResults ?? []) {
      const resource = out.resources[Number(r.Id?.slice(1))];
      if (resource === undefined) continue;
      const sum = (r.Values ?? []).reduce((a, v) => a + v, 0);
      out.sums.set(resource, (out.sums.get(resource) ?? 0) + sum);
      if (r.StatusCode === 'InternalError' || r.StatusCode === 'Forbidden') out.incomplete.add(resource);
    }
    NextToken = page.NextToken;
  } while (NextToken);
}

/** One total per resource with calls, rounded, sorted by resource. */
function totalsOf(sums: ReadonlyMap<string, number>, account: string, region: string): AccountUsageTotal[] {
  return [...sums.entries()]
    .filter(([, count]) => count > 0)
    .map(([resource, count]) => ({
      account,
      region,
      resource,
      count: Math.round(count),
      source: 'cloudwatch' as const,
    }))
    .sort((a, b) => compareText(a.resource, b.resource));
}

/**
 * What the month's totals cover: stopped on request, cut by the deadline, incomplete data, the
 * month not over yet (with `readUntil`), or complete.
 */
function cloudWatchCoverage(
  read: ResourceSums,
  month: {
    readonly window: MonthWindow;
    readonly readEnd: Date;
    readonly deadline?: AbortSignal;
    readonly totals: readonly AccountUsageTotal[];
  },
  coverage: ReturnType<typeof coverageOf>,
): UsageCoverage {
  const summary = `${month.totals.length} resources with calls (${read.resources.length} queried, ${read.calls} GetMetricData calls)`;
  if (read.stopped) return coverage('partial', `stopped on request; ${summary}`);
  if (read.cut)
    return read.calls > 0
      ? coverage('partial', `stopped: ${deadlineReason(month.deadline)}; ${summary}`)
      : coverage('failed', `not read: ${deadlineReason(month.deadline)}`);
  if (read.incomplete.size > 0)
    return coverage(
      'partial',
      `${summary}; CloudWatch returned no complete data for ${[...read.incomplete].sort().join(', ')}`,
    );
  const readUntil = month.readEnd.toISOString();
  if (month.readEnd.getTime() < month.window.end.getTime())
    return {
      ...coverage('partial', `the month is not over: totals up to ${readUntil}; ${summary}`),
      // Complete up to then: a month-to-date report prices them.
      readUntil,
    };
  return coverage('complete', summary);
}
