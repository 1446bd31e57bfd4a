import { gzipSync } from 'node:zlib';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import type { UsageClients } from '../../src/collect/clients.js';
import { collectMonthUsage } from '../../src/org/usage.js';
import { collectCloudWatchUsage } from '../../src/usage/cloudwatch.js';
import { parseMonth } from '../../src/util/month.js';
import { MOTO_ACCOUNT } from '../support/scenario.js';
import { KMS_RECORDS, manualClock, OWNER } from '../unit/usage/fixtures.js';

const endpoint = inject('motoEndpoint');
const REGION = 'us-east-1';
const base = {
  endpoint,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  maxAttempts: 2,
};
const clients: UsageClients = {
  cloudTrail: (region) => new CloudTrailClient({ ...base, region }),
  cloudWatch: (region) => new CloudWatchClient({ ...base, region }),
  s3: (region) => new S3Client({ ...base, region, forcePathStyle: true }),
  sts: (region) => new STSClient({ ...base, region }),
};
const clock = () => manualClock(new Date('2026-11-05T10:00:00Z'));

/** One `AWS/Usage` `CallCount` datapoint as KMS publishes them. */
const call = (resource: string, timestamp: string, value: number): MetricDatum => ({
  MetricName: 'CallCount',
  Dimensions: [
    { Name: 'Service', Value: 'KMS' },
    { Name: 'Type', Value: 'API' },
    { Name: 'Resource', Value: resource },
    { Name: 'Class', Value: 'None' },
  ],
  Timestamp: new Date(timestamp),
  Value: value,
  Unit: 'None',
});

async function seedUsage(region: string, data: MetricDatum[]) {
  await clients
    .cloudWatch(region)
    .send(new PutMetricDataCommand({ Namespace: 'AWS/Usage', MetricData: data }));
}

beforeEach(async () => {
  const reset = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  expect(reset.ok).toBe(true);
});

describe('CloudWatch AWS/Usage against moto', () => {
  it("sums each Resource's calls over the month, and nothing outside it", async () => {
    await seedUsage(REGION, [
      call('CryptographicOperationsSymmetric', '2026-10-01T00:00:00Z', 400),
      call('CryptographicOperationsSymmetric', '2026-10-15T12:34:00Z', 250),
      call('CryptographicOperationsSymmetric', '2026-10-31T23:59:00Z', 6),
      call('CryptographicOperationsSymmetric', '2026-09-30T23:59:00Z', 1_000),
      call('CryptographicOperationsSymmetric', '2026-11-01T00:00:00Z', 1_000),
      call('CryptographicOperationsRsa', '2026-10-06T14:30:00Z', 2),
      call('GenerateDataKeyPair-RSA_3072', '2026-10-05T09:00:00Z', 1),
      call('DescribeKey', '2026-10-20T08:00:00Z', 31),
    ]);
    // Another region's metrics are its own.
    await seedUsage('eu-west-1', [call('CryptographicOperationsSymmetric', '2026-10-10T00:00:00Z', 77)]);

    const result = await collectCloudWatchUsage(clients.cloudWatch(REGION), {
      account: MOTO_ACCOUNT,
      region: REGION,
      window: parseMonth('2026-10'),
      clock: clock(),
    });

    expect(result.coverage).toMatchObject({ source: 'cloudwatch', status: 'complete' });
    expect(result.totals.map((t) => [t.resource, t.count])).toEqual([
      ['CryptographicOperationsRsa', 2],
      ['CryptographicOperationsSymmetric', 656],
      ['DescribeKey', 31],
      ['GenerateDataKeyPair-RSA_3072', 1],
    ]);
  });

  it('collects a month from trail log files and CloudWatch together, and reconciles them', async () => {
    const s3 = clients.s3(REGION);
    await s3.send(new CreateBucketCommand({ Bucket: 'trail-logs' }));
    await s3.send(
      new PutObjectCommand({
        Bucket: 'trail-logs',
        Key: `AWSLogs/${OWNER}/CloudTrail/${REGION}/2026/10/20/${OWNER}_CloudTrail_${REGION}_20261020T1410Z_x.json.gz`,
        Body: gzipSync(JSON.stringify({ Records: KMS_RECORDS })),
      }),
    );
    await seedUsage(REGION, [
      call('CryptographicOperationsSymmetric', '2026-10-09T00:00:00Z', 10),
      call('CryptographicOperationsRsa', '2026-10-06T00:00:00Z', 1),
    ]);

    const result = await collectMonthUsage({
      month: '2026-10',
      account: OWNER,
      regions: [REGION],
      sources: ['s3', 'cloudwatch'],
      bucket: 'trail-logs',
      clients,
      clock: clock(),
    });

    expect(result.usage.coverage.map((c) => [c.source, c.status])).toEqual([
      ['cloudtrail-lookup', 'not-collected'],
      ['cloudtrail-s3', 'complete'],
      ['cloudwatch', 'complete'],
    ]);
    // The fixture's symmetric crypto calls billed to the owner: Encrypt 1, Decrypt 1 + 1 failed, GenerateDataKey 3.
    expect(result.evidence.reconciliation).toEqual([
      expect.objectContaining({ resource: 'CryptographicOperationsEcc', cloudWatch: 0, perKey: 1 }),
      expect.objectContaining({
        resource: 'CryptographicOperationsRsa',
        cloudWatch: 1,
        perKey: 1,
        attributedPercent: 100,
      }),
      expect.objectContaining({
        resource: 'CryptographicOperationsSymmetric',
        cloudWatch: 10,
        perKey: 6,
        attributed: 6,
        unattributed: 4,
        attributedPercent: 60,
      }),
    ]);
  });
});
