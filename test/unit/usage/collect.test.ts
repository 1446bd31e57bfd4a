import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { UsageClients } from '../../../src/collect/clients.js';
import { CredentialsError, InputError } from '../../../src/errors.js';
import { collectMonthUsage } from '../../../src/org/usage.js';
import { parseSourceList } from '../../../src/usage/collect.js';
import { parseUsageEvidence, usageEvidenceSchema } from '../../../src/usage/evidence.js';
import { asLookupEvent, KMS_RECORDS, manualClock, OWNER } from './fixtures.js';

const cloudTrail = mockClient(CloudTrailClient);
const cloudWatch = mockClient(CloudWatchClient);
const sts = mockClient(STSClient);
const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
const clients: UsageClients = {
  cloudTrail: (region) => new CloudTrailClient({ region, credentials }),
  cloudWatch: (region) => new CloudWatchClient({ region, credentials }),
  s3: (region) => new S3Client({ region, credentials }),
  sts: (region) => new STSClient({ region, credentials }),
};
const NOW = new Date('2026-11-05T10:00:00Z');

beforeEach(() => {
  cloudTrail.reset();
  cloudWatch.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: OWNER, Arn: `arn:aws:iam::${OWNER}:user/auditor` });
  // us-east-1 has the fixture's events; eu-west-1 has none.
  cloudTrail.on(LookupEventsCommand).resolves({ Events: [] });
  cloudWatch.on(ListMetricsCommand).resolves({ Metrics: [] });
  cloudWatch.on(GetMetricDataCommand).callsFake(({ MetricDataQueries }) => ({
    MetricDataResults: (MetricDataQueries as MetricDataQuery[]).map((q) => ({
      Id: q.Id,
      Values: q.MetricStat?.Metric?.Dimensions?.some((d) => d.Value === 'CryptographicOperationsSymmetric')
        ? [9, 3]
        : [],
      StatusCode: 'Complete',
    })),
  }));
});

describe('collectMonthUsage', () => {
  it("counts a region's requests only from that region's read: another region's events in its logs are left out and said, never counted twice", async () => {
    // Both regions' Event history answer with the fixture's us-east-1 events (a misplaced copy).
    cloudTrail.on(LookupEventsCommand).callsFake(async () => ({ Events: KMS_RECORDS.map(asLookupEvent) }));
    const result = await collectMonthUsage({
      month: '2026-10',
      regions: ['us-east-1', 'eu-west-1'],
      sources: ['lookup'],
      clients,
      clock: manualClock(NOW),
    });
    expect(result.usage.requests.length).toBeGreaterThan(0);
    expect(result.usage.requests.every((r) => r.region === 'us-east-1')).toBe(true);
    const eu = result.usage.coverage.find(
      (c) => c.region === 'eu-west-1' && c.source === 'cloudtrail-lookup',
    );
    expect(eu?.detail).toMatch(
      /requests logged for other regions left out \(counted when their own region is read\)$/,
    );
    // The evidence file it makes reads back: no row is repeated.
    const text = JSON.stringify(result.evidence);
    expect(parseUsageEvidence(text, 'usage.json').usage.requests).toHaveLength(result.usage.requests.length);
  });

  it('reads the chosen sources in every region and names each (region, source) in the coverage', async () => {
    cloudTrail.on(LookupEventsCommand).callsFake(async () => ({ Events: KMS_RECORDS.map(asLookupEvent) }));
    const result = await collectMonthUsage({
      month: '2026-10',
      regions: ['us-east-1', 'eu-west-1'],
      sources: ['lookup', 'cloudwatch'],
      clients,
      clock: manualClock(NOW),
    });

    expect(result.accounts).toEqual([OWNER]);
    expect(result.usage.window).toEqual({
      start: '2026-10-01T00:00:00.000Z',
      end: '2026-11-01T00:00:00.000Z',
    });
    expect(result.usage.coverage.map((c) => [c.region, c.source, c.status])).toEqual([
      ['us-east-1', 'cloudtrail-lookup', 'complete'],
      ['us-east-1', 'cloudtrail-s3', 'not-collected'],
      ['us-east-1', 'cloudwatch', 'complete'],
      ['eu-west-1', 'cloudtrail-lookup', 'complete'],
      ['eu-west-1', 'cloudtrail-s3', 'not-collected'],
      ['eu-west-1', 'cloudwatch', 'complete'],
    ]);
    expect(result.usage.coverage[1]?.detail).toContain('per-key counts come from cloudtrail-lookup');
    expect(result.usage.accountTotals).toContainEqual({
      account: OWNER,
      region: 'us-east-1',
      resource: 'CryptographicOperationsSymmetric',
      count: 12,
      source: 'cloudwatch',
    });
    expect(result.evidence.reconciliation).toContainEqual(
      expect.objectContaining({
        region: 'us-east-1',
        resource: 'CryptographicOperationsSymmetric',
        cloudWatch: 12,
      }),
    );
    expect(result.interrupted).toBe(false);
    expect(usageEvidenceSchema.safeParse(result.evidence).success).toBe(true);
  });

  it('refuses lookup and s3 together: they would count each request twice', async () => {
    await expect(
      collectMonthUsage({
        month: '2026-10',
        regions: ['us-east-1'],
        sources: ['lookup', 's3'],
        bucket: 'b',
        clients,
        clock: manualClock(NOW),
      }),
    ).rejects.toThrow(/^--source: lookup and s3 read the same CloudTrail events/);
  });

  it('asks for the bucket when s3 is chosen without one', async () => {
    await expect(
      collectMonthUsage({
        month: '2026-10',
        regions: ['us-east-1'],
        sources: ['s3'],
        clients,
        clock: manualClock(NOW),
      }),
    ).rejects.toThrow(/^--bucket: /);
  });

  it('refuses an Event history month that is too old before calling AWS', async () => {
    await expect(
      collectMonthUsage({
        month: '2026-06',
        regions: ['us-east-1'],
        sources: ['lookup'],
        clients,
        clock: manualClock(NOW),
      }),
    ).rejects.toThrow(InputError);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });

  it('turns expired credentials into a CredentialsError, not a gap', async () => {
    cloudTrail.on(LookupEventsCommand).rejects(
      Object.assign(new Error('The security token included in the request is expired'), {
        name: 'ExpiredTokenException',
      }),
    );
    await expect(
      collectMonthUsage({
        month: '2026-10',
        account: OWNER,
        regions: ['us-east-1'],
        sources: ['lookup'],
        clients,
        clock: manualClock(NOW),
      }),
    ).rejects.toBeInstanceOf(CredentialsError);
  });
});

/** Clients as a class: its methods live on the prototype, which a spread (`{ ...clients }`) drops. */
class ClassClients implements UsageClients {
  constructor(private readonly signWith: { accessKeyId: string; secretAccessKey: string } = credentials) {}
  cloudTrail(region: string) {
    return new CloudTrailClient({ region, credentials: this.signWith });
  }
  cloudWatch(region: string) {
    return new CloudWatchClient({ region, credentials: this.signWith });
  }
  s3(region: string) {
    return new S3Client({ region, credentials: this.signWith });
  }
  sts(region: string) {
    return new STSClient({ region, credentials: this.signWith });
  }
}

describe('collectMonthUsage with clients that are class instances', () => {
  it("reads the caller's own account with one instance as given", async () => {
    const result = await collectMonthUsage({
      month: '2026-10',
      regions: ['us-east-1'],
      account: OWNER,
      sources: ['lookup', 'cloudwatch'],
      clients: new ClassClients(),
      clock: manualClock(NOW),
    });
    expect(result.usage.coverage.map((c) => [c.source, c.status])).toEqual([
      ['cloudtrail-lookup', 'complete'],
      ['cloudtrail-s3', 'not-collected'],
      ['cloudwatch', 'complete'],
    ]);
  });

  it("reads each account's session with the instances a factory returns", async () => {
    const other = '222222222222';
    const session = { accessKeyId: `ASIA${other}`, secretAccessKey: 's' };
    const result = await collectMonthUsage({
      month: '2026-10',
      sessions: [
        { account: OWNER, regions: ['us-east-1'], credentials: null },
        { account: other, regions: ['us-east-1'], credentials: session },
      ],
      sources: ['lookup', 'cloudwatch'],
      clients: (c) => new ClassClients(c === null ? credentials : session),
      clock: manualClock(NOW),
    });
    expect(result.accounts).toEqual([OWNER, other]);
    expect(result.usage.coverage.filter((c) => c.status === 'failed')).toEqual([]);
    expect(result.perAccount.map((r) => r.account)).toEqual([OWNER, other]);
  });
});

describe('collectMonthUsage of other accounts with one fixed set of clients', () => {
  it('is refused before any call, naming the option', async () => {
    const run = collectMonthUsage({
      month: '2026-10',
      sessions: [{ account: '222222222222', regions: ['us-east-1'], credentials }],
      sources: ['lookup'],
      clients: new ClassClients(),
      clock: manualClock(NOW),
    });
    await expect(run).rejects.toThrow(/^clients: a fixed set of clients reads the caller's own account only/);
    expect(cloudTrail.calls()).toHaveLength(0);
  });
});

describe('parseSourceList', () => {
  it('accepts the four sources and names an unknown one', () => {
    expect(parseSourceList('lookup, cloudwatch')).toEqual(['lookup', 'cloudwatch']);
    expect(parseSourceList('athena,cloudwatch')).toEqual(['athena', 'cloudwatch']);
    expect(() => parseSourceList('lookup,lake')).toThrow('--source: unknown source "lake"');
  });
});
