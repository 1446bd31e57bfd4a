import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { collectCloudWatchUsage } from '../../../src/usage/cloudwatch.js';
import { parseMonth } from '../../../src/util/month.js';
import { manualClock } from './fixtures.js';

const cloudWatch = mockClient(CloudWatchClient);
const client = new CloudWatchClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});
const ACCOUNT = '111122223333';
const options = {
  account: ACCOUNT,
  region: 'us-east-1',
  window: parseMonth('2026-10'),
  clock: manualClock(new Date('2026-11-05T00:00:00Z')),
};

const metric = (resource: string) => ({
  Namespace: 'AWS/Usage',
  MetricName: 'CallCount',
  Dimensions: [
    { Name: 'Service', Value: 'KMS' },
    { Name: 'Type', Value: 'API' },
    { Name: 'Class', Value: 'None' },
    { Name: 'Resource', Value: resource },
  ],
});
const resourceOf = (q: MetricDataQuery) =>
  q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === 'Resource')?.Value;

beforeEach(() => cloudWatch.reset());

describe('collectCloudWatchUsage', () => {
  it('lists every Resource over pages, sums the month in batches of at most 500 queries, across result pages', async () => {
    const resources = Array.from({ length: 700 }, (_, i) => `Api${String(i).padStart(3, '0')}`);
    cloudWatch
      .on(ListMetricsCommand)
      .resolvesOnce({ Metrics: resources.slice(0, 500).map(metric), NextToken: 'm2' })
      .resolves({ Metrics: resources.slice(500).map(metric) });
    // Each query answers one datapoint per page: 10 on the first page, 5 on the second.
    cloudWatch.on(GetMetricDataCommand).callsFake(({ MetricDataQueries, NextToken }) => ({
      MetricDataResults: (MetricDataQueries as MetricDataQuery[]).map((q) => ({
        Id: q.Id,
        Values: [NextToken ? 5 : 10],
        StatusCode: 'Complete',
      })),
      NextToken: NextToken ? undefined : 'p2',
    }));

    const result = await collectCloudWatchUsage(client, options);

    const listCalls = cloudWatch.commandCalls(ListMetricsCommand).map((c) => c.args[0].input);
    expect(listCalls[0]).toMatchObject({
      Namespace: 'AWS/Usage',
      MetricName: 'CallCount',
      Dimensions: [
        { Name: 'Service', Value: 'KMS' },
        { Name: 'Type', Value: 'API' },
        { Name: 'Class', Value: 'None' },
      ],
    });
    expect(listCalls[1]?.NextToken).toBe('m2');
    const dataCalls = cloudWatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    // 703 resources (the three classes are always asked): 2 batches, each on 2 pages.
    expect(dataCalls.map((c) => c.MetricDataQueries?.length)).toEqual([500, 500, 203, 203]);
    expect(dataCalls[0]).toMatchObject({
      StartTime: new Date('2026-10-01T00:00:00Z'),
      EndTime: new Date('2026-11-01T00:00:00Z'),
    });
    expect(dataCalls[0]?.MetricDataQueries?.[0]?.MetricStat).toMatchObject({ Stat: 'Sum', Period: 86_400 });
    expect(new Set(dataCalls.flatMap((c) => c.MetricDataQueries?.map(resourceOf))).size).toBe(703);
    expect(result.totals).toHaveLength(703);
    expect(result.totals.find((t) => t.resource === 'Api042')).toEqual({
      account: ACCOUNT,
      region: 'us-east-1',
      resource: 'Api042',
      count: 15,
      source: 'cloudwatch',
    });
    expect(result.coverage.status).toBe('complete');
  });

  it('marks the source failed with the error code when CloudWatch refuses', async () => {
    cloudWatch.on(ListMetricsCommand).rejects(
      Object.assign(new Error('not authorized to perform: cloudwatch:ListMetrics'), {
        name: 'AccessDenied',
      }),
    );
    const result = await collectCloudWatchUsage(client, options);
    expect(result.coverage).toMatchObject({ source: 'cloudwatch', status: 'failed' });
    expect(result.coverage.detail).toContain('ListMetrics failed: AccessDenied');
  });

  it('does not ask for a month older than CloudWatch keeps', async () => {
    const result = await collectCloudWatchUsage(client, { ...options, window: parseMonth('2025-01') });
    expect(result.coverage.status).toBe('failed');
    expect(result.coverage.detail).toContain('455 days');
    expect(cloudWatch.commandCalls(ListMetricsCommand)).toHaveLength(0);
  });
});
