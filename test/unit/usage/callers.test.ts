import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { type CallerRequestCount, OTHER_CALLERS, type RequestCount } from '../../../src/model/usage.js';
import { MAX_CALLER_ENTRIES, UsageAggregator } from '../../../src/usage/aggregator.js';
import { callerOf, s3ContextOf } from '../../../src/usage/callers.js';
import { collectLookupEvents } from '../../../src/usage/lookup-events.js';
import { compositeKey } from '../../../src/util/compare.js';
import { parseMonth } from '../../../src/util/month.js';
import {
  asLookupEvent,
  CALLER_RECORDS,
  KEYS,
  manualClock,
  OTHER,
  OWNER,
  REGION,
  recordNamed,
} from './fixtures.js';

const OCTOBER = parseMonth('2026-10');

describe('callerOf: who made a request, one principal one caller', () => {
  const session = (name: string, path = '') => ({
    type: 'AssumedRole',
    principalId: `AROA3XFRBF535PLBIFPI4:${name}-session`,
    arn: `arn:aws:sts::111122223333:assumed-role/${name}/${name}-session`,
    accountId: '111122223333',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROA3XFRBF535PLBIFPI4',
        arn: `arn:aws:iam::111122223333:role/${path}${name}`,
        accountId: '111122223333',
        userName: name,
      },
    },
  });

  it('makes every session of a role that role, its path included', () => {
    const a = callerOf({ ...session('thumbnailer-role', 'service-role/'), principalId: 'AROA:a' });
    const b = callerOf({
      ...session('thumbnailer-role', 'service-role/'),
      arn: 'arn:aws:sts::111122223333:assumed-role/thumbnailer-role/other-session',
    });
    expect(a).toEqual({
      caller: 'arn:aws:iam::111122223333:role/service-role/thumbnailer-role',
      callerType: 'role',
      callerAccount: '111122223333',
      invokedBy: null,
    });
    expect(b).toEqual(a);
  });

  it('derives the role from the session ARN when the record has no session issuer', () => {
    expect(
      callerOf({
        type: 'AssumedRole',
        arn: 'arn:aws-cn:sts::111122223333:assumed-role/etl/job-7',
        accountId: '111122223333',
      }),
    ).toEqual({
      caller: 'arn:aws-cn:iam::111122223333:role/etl',
      callerType: 'role',
      callerAccount: '111122223333',
      invokedBy: null,
    });
  });

  it('keeps the service that called with the principal credentials apart from the principal', () => {
    expect(callerOf({ ...session('uploader'), invokedBy: 's3.amazonaws.com' })).toMatchObject({
      caller: 'arn:aws:iam::111122223333:role/uploader',
      invokedBy: 's3.amazonaws.com',
    });
  });

  it('names users, the root user and a service acting as itself', () => {
    expect(
      callerOf({
        type: 'IAMUser',
        arn: 'arn:aws:iam::111122223333:user/ops/Alice',
        accountId: '111122223333',
        userName: 'Alice',
      }),
    ).toMatchObject({ caller: 'arn:aws:iam::111122223333:user/ops/Alice', callerType: 'user' });
    expect(
      callerOf({
        type: 'Root',
        principalId: '111122223333',
        arn: 'arn:aws:iam::111122223333:root',
        accountId: '111122223333',
      }),
    ).toEqual({
      caller: 'arn:aws:iam::111122223333:root',
      callerType: 'root',
      callerAccount: '111122223333',
      invokedBy: null,
    });
    expect(callerOf({ type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' })).toEqual({
      caller: 'cloudtrail.amazonaws.com',
      callerType: 'service',
      callerAccount: null,
      invokedBy: null,
    });
  });

  it('names federated callers by who federates them, or their identity provider', () => {
    expect(
      callerOf({
        type: 'FederatedUser',
        principalId: '111122223333:Bob',
        arn: 'arn:aws:sts::111122223333:federated-user/Bob',
        accountId: '111122223333',
        sessionContext: {
          sessionIssuer: {
            type: 'IAMUser',
            arn: 'arn:aws:iam::111122223333:user/broker',
            userName: 'broker',
          },
        },
      }),
    ).toMatchObject({ caller: 'arn:aws:iam::111122223333:user/broker', callerType: 'federated' });
    expect(
      callerOf({
        type: 'WebIdentityUser',
        principalId: 'cognito-identity.amazonaws.com:us-east-1:1234:abcd',
        userName: 'us-east-1:abcd',
        identityProvider: 'cognito-identity.amazonaws.com',
      }),
    ).toMatchObject({ caller: 'cognito-identity.amazonaws.com', callerType: 'federated' });
    expect(
      callerOf({
        type: 'SAMLUser',
        principalId: 'SAMPLE_NAME_QUALIFIER:alice',
        userName: 'alice',
        identityProvider: 'arn:aws:iam::111122223333:saml-provider/Okta',
      }),
    ).toMatchObject({ caller: 'arn:aws:iam::111122223333:saml-provider/Okta', callerType: 'federated' });
  });

  it('names a caller of another account known by principal id only without its session', () => {
    expect(
      callerOf({
        type: 'AWSAccount',
        principalId: 'AROAJ45Q7YFFAREXAMPLE:sync-1',
        accountId: '444455556666',
      }),
    ).toEqual({
      caller: 'AROAJ45Q7YFFAREXAMPLE',
      callerType: 'role',
      callerAccount: '444455556666',
      invokedBy: null,
    });
    expect(
      callerOf({ type: 'AWSAccount', principalId: 'AIDAJ45Q7YFFAREXAMPLE', accountId: '444455556666' }),
    ).toMatchObject({
      caller: 'AIDAJ45Q7YFFAREXAMPLE',
      callerType: 'user',
    });
  });

  it('says anonymous or unknown rather than guessing from what does not read', () => {
    expect(callerOf({ type: 'AWSAccount', principalId: '', accountId: 'anonymous' })).toEqual({
      caller: '(anonymous)',
      callerType: 'anonymous',
      callerAccount: null,
      invokedBy: null,
    });
    expect(callerOf(undefined)).toMatchObject({ caller: '(unknown)', callerType: 'unknown' });
    expect(callerOf({ type: 'Unknown', principalId: 'x', accountId: '111122223333' })).toMatchObject({
      caller: '(unknown)',
      callerType: 'unknown',
      callerAccount: '111122223333',
    });
    // A session issuer that is not a role ARN, control characters, an ARN longer than IAM allows.
    for (const arn of [
      'arn:aws:iam::111122223333:role/bad\u0000name',
      `arn:aws:iam::111122223333:role/${'a'.repeat(3000)}`,
    ])
      expect(
        callerOf({
          type: 'AssumedRole',
          accountId: '111122223333',
          sessionContext: { sessionIssuer: { arn } },
          arn: 'not an arn',
        }),
      ).toMatchObject({ caller: '(unknown)', callerType: 'unknown' });
  });

  it('reads a long hostile identity in linear time', () => {
    const arn = `arn:aws:sts::111122223333:assumed-role/${'a'.repeat(200_000)}/s`;
    const caller = callerOf({ type: 'AssumedRole', arn, accountId: '111122223333' });
    expect(caller.callerType).toBe('unknown');
    expect(caller.caller).toBe('(unknown)');
  });
});

describe('s3ContextOf: the bucket of a call S3 made', () => {
  const of = (arn: unknown) => s3ContextOf({ encryptionContext: { 'aws:s3:arn': arn } });

  it("is the bucket's ARN itself with a Bucket Key, an object's ARN without one", () => {
    expect(of('arn:aws:s3:::analytics-curated')).toEqual({
      bucketArn: 'arn:aws:s3:::analytics-curated',
      s3ContextScope: 'bucket',
    });
    expect(of('arn:aws:s3:::orders-raw/2026/10/12/orders-0001.json')).toEqual({
      bucketArn: 'arn:aws:s3:::orders-raw',
      s3ContextScope: 'object',
    });
    expect(of('arn:aws-us-gov:s3:::logs.example/a')).toEqual({
      bucketArn: 'arn:aws-us-gov:s3:::logs.example',
      s3ContextScope: 'object',
    });
  });

  it('is nothing when the context holds no S3 ARN, or one that does not read', () => {
    for (const value of [
      undefined,
      42,
      '',
      'arn:aws:s3:::',
      'arn:aws:s3:::Upper-Case',
      'arn:aws:s3:us-east-1:111122223333:accesspoint/ap',
      'arn:aws:s3:::bucket\u0000/x',
      `arn:aws:s3:::bucket/${'k'.repeat(5000)}`,
    ])
      expect(of(value)).toEqual({ bucketArn: null, s3ContextScope: null });
    expect(s3ContextOf(null)).toEqual({ bucketArn: null, s3ContextScope: null });
  });
});

/** Each count's callers added up, by (account, region, key, operation, pair spec). */
function callerSums(callers: readonly CallerRequestCount[]): Map<string, [number, number]> {
  const sums = new Map<string, [number, number]>();
  for (const c of callers) {
    const id = compositeKey(c.account, c.region, c.keyArn, c.operation, c.keyPairSpec ?? '');
    const sum = sums.get(id) ?? [0, 0];
    sums.set(id, [sum[0] + c.count, sum[1] + c.failedCount]);
  }
  return sums;
}

function expectCallersAddUp(requests: readonly RequestCount[], callers: readonly CallerRequestCount[]) {
  const sums = callerSums(callers);
  expect(sums.size).toBe(requests.length);
  for (const r of requests)
    expect(sums.get(compositeKey(r.account, r.region, r.keyArn, r.operation, r.keyPairSpec ?? ''))).toEqual([
      r.count,
      r.failedCount,
    ]);
}

const EXPECTED_CALLERS = (source: 'cloudtrail-lookup' | 'cloudtrail-s3') => {
  const row = (o: Partial<CallerRequestCount>) => ({
    account: OWNER,
    region: REGION,
    keyArn: KEYS.SYM,
    keyPairSpec: null,
    callerAccount: OWNER,
    invokedBy: null,
    bucketArn: null,
    s3ContextScope: null,
    failedCount: 0,
    source,
    callerType: 'role',
    ...o,
  });
  return [
    // S3 reading objects of a bucket without a Bucket Key: object scope, one request per object.
    row({
      operation: 'Decrypt',
      caller: `arn:aws:iam::${OWNER}:role/orders-reader`,
      invokedBy: 's3.amazonaws.com',
      bucketArn: 'arn:aws:s3:::orders-raw',
      s3ContextScope: 'object',
      count: 3,
    }),
    // The Lambda function's execution role: its sessions are one caller.
    row({
      operation: 'Decrypt',
      caller: `arn:aws:iam::${OWNER}:role/service-role/thumbnailer-role-8x2k1q9z`,
      count: 2,
    }),
    // S3 writing to a bucket with a Bucket Key: bucket scope.
    row({
      operation: 'GenerateDataKey',
      caller: `arn:aws:iam::${OWNER}:role/analytics-writer`,
      invokedBy: 's3.amazonaws.com',
      bucketArn: 'arn:aws:s3:::analytics-curated',
      s3ContextScope: 'bucket',
      count: 2,
    }),
    row({
      operation: 'GenerateDataKey',
      caller: 'cloudtrail.amazonaws.com',
      callerType: 'service',
      callerAccount: null,
      count: 1,
    }),
    // Callers in another account, billed to it.
    row({
      account: OTHER,
      operation: 'Decrypt',
      caller: 'AIDAJ45Q7YFFAREXAMPLE',
      callerType: 'user',
      callerAccount: OTHER,
      count: 0,
      failedCount: 1,
    }),
    row({
      account: OTHER,
      operation: 'Decrypt',
      caller: `arn:aws:iam::${OTHER}:role/partner-reader`,
      callerAccount: OTHER,
      count: 1,
    }),
  ];
};

describe('UsageAggregator: requests by caller', () => {
  it('counts each key and operation by caller, service and bucket, adding up to the per-key counts', () => {
    const agg = new UsageAggregator('cloudtrail-s3', OCTOBER);
    for (const r of CALLER_RECORDS) agg.add(r);
    expect(agg.callers()).toEqual(EXPECTED_CALLERS('cloudtrail-s3'));
    expectCallersAddUp(agg.requests(), agg.callers());
  });

  /** A Decrypt on the symmetric key by the i-th of many roles. */
  const byRole = (i: number, minute = 0) => {
    const r = recordNamed('Decrypt');
    r.eventTime = `2026-10-05T10:${String(minute % 60).padStart(2, '0')}:00Z`;
    r.userIdentity = {
      type: 'AssumedRole',
      accountId: OWNER,
      arn: `arn:aws:sts::${OWNER}:assumed-role/role-${i}/s`,
    };
    return r;
  };

  it('keeps memory bounded: past the limit the smallest are folded into other callers, the largest kept exactly', () => {
    const agg = new UsageAggregator('cloudtrail-s3', OCTOBER, { maxCallers: 10 });
    // Three heavy callers among 1,000 callers of one request each, interleaved.
    const exact = new Map<number, number>();
    for (let i = 0; i < 1_000; i++) {
      const heavy = 1_000 + (i % 3);
      const times = i % 10 < 9 - (i % 3) ? 2 : 1;
      for (let k = 0; k < times; k++) agg.add(byRole(heavy));
      exact.set(heavy, (exact.get(heavy) ?? 0) + times);
      agg.add(byRole(i));
    }
    const callers = agg.callers();
    const requests = agg.requests();
    expect(requests).toHaveLength(1);
    expect(callers.length).toBeLessThanOrEqual(10 + 1);
    expectCallersAddUp(requests, callers);
    for (const [role, n] of exact)
      expect(callers.find((c) => c.caller === `arn:aws:iam::${OWNER}:role/role-${role}`)?.count).toBe(n);
    const tail = callers.find((c) => c.caller === OTHER_CALLERS);
    expect(tail).toMatchObject({ callerType: 'other-callers', callerAccount: null, invokedBy: null });
    expect(callers.at(-1)).toBe(tail);
    expect(requests[0]?.count).toBe(1_000 + [...exact.values()].reduce((a, b) => a + b, 0));
  });

  it('counts exactly, caller by caller, under the limit', () => {
    expect(MAX_CALLER_ENTRIES).toBeGreaterThanOrEqual(1_000);
    const agg = new UsageAggregator('cloudtrail-s3', OCTOBER);
    for (let i = 0; i < 500; i++) for (let k = 0; k <= i % 3; k++) agg.add(byRole(i, k));
    const callers = agg.callers();
    expect(callers).toHaveLength(500);
    expect(callers.some((c) => c.caller === OTHER_CALLERS)).toBe(false);
    expect(callers.find((c) => c.caller.endsWith('/role-5'))?.count).toBe(3);
  });

  it('keeps the bound when merging the states of counting workers', () => {
    const parts = [0, 1, 2].map((w) => {
      const agg = new UsageAggregator('cloudtrail-s3', OCTOBER, { maxCallers: 10 });
      for (let i = 0; i < 300; i++) agg.add(byRole(w * 1_000 + i));
      for (let i = 0; i < 50; i++) agg.add(byRole(7));
      return agg.state();
    });
    const merged = new UsageAggregator('cloudtrail-s3', OCTOBER, { maxCallers: 10 });
    for (const state of parts) merged.merge(state);
    const callers = merged.callers();
    expect(callers.length).toBeLessThanOrEqual(11);
    expectCallersAddUp(merged.requests(), callers);
    // The caller every worker saw most is kept, with all its requests.
    expect(callers.find((c) => c.caller.endsWith('/role-7'))?.count).toBe(150);
    expect(merged.requests()[0]?.count).toBe(900 + 150);
  });
});

describe('collectLookupEvents: callers through Event history', () => {
  it('counts the month by caller from LookupEvents pages', async () => {
    const cloudTrail = mockClient(CloudTrailClient);
    const events = CALLER_RECORDS.toSorted((a, b) =>
      String(b.eventTime).localeCompare(String(a.eventTime)),
    ).map(asLookupEvent);
    cloudTrail.on(LookupEventsCommand).callsFake(({ NextToken }: { NextToken?: string }) => {
      const start = NextToken ? Number(NextToken) : 0;
      return {
        Events: events.slice(start, start + 4),
        NextToken: start + 4 < events.length ? String(start + 4) : undefined,
      };
    });
    const client = new CloudTrailClient({
      region: REGION,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const result = await collectLookupEvents(client, {
      account: OWNER,
      region: REGION,
      window: OCTOBER,
      clock: manualClock(new Date('2026-11-05T10:00:00Z')),
    });
    expect(cloudTrail.commandCalls(LookupEventsCommand)).toHaveLength(3);
    expect(result.callers).toEqual(EXPECTED_CALLERS('cloudtrail-lookup'));
    expectCallersAddUp(result.requests, result.callers);
    cloudTrail.restore();
  });
});
