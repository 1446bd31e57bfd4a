import { describe, expect, it } from 'vitest';
import { UsageAggregator } from '../../../src/usage/aggregator.js';
import { interpretKmsRecord, parseDeletionDate } from '../../../src/usage/events.js';
import { parseMonth } from '../../../src/util/month.js';
import { decrypts, KEYS, KMS_RECORDS, OTHER, OWNER, REGION, recordNamed, S3_RECORD } from './fixtures.js';

const OCTOBER = parseMonth('2026-10');

function aggregate(records: unknown[]) {
  const agg = new UsageAggregator('cloudtrail-s3', OCTOBER);
  for (const r of records) agg.add(r);
  return agg;
}

const count = (o: {
  account?: string;
  keyArn: string;
  operation: string;
  keyPairSpec?: string | null;
  count: number;
  failedCount?: number;
}) => ({
  account: OWNER,
  region: REGION,
  keyPairSpec: null,
  failedCount: 0,
  source: 'cloudtrail-s3',
  ...o,
});

describe('UsageAggregator', () => {
  describe('per-key request counts from KMS CloudTrail records', () => {
    it('counts each key, operation and pair spec, billed to the right account', () => {
      const agg = aggregate(KMS_RECORDS);
      expect(agg.requests()).toEqual(
        [
          count({ keyArn: KEYS.SYM, operation: 'Encrypt', count: 1 }),
          // One successful Decrypt, one refused (AccessDeniedException) counted apart.
          count({ keyArn: KEYS.SYM, operation: 'Decrypt', count: 1, failedCount: 1 }),
          // Alice's call and CloudTrail's service principal (a service calling as itself, no caller's
          // account) are billed to the key's owner; S3 calling with an uploader's credentials
          // (invokedBy s3, accountId of another account) is billed to the uploader's account below.
          count({ keyArn: KEYS.SYM, operation: 'GenerateDataKey', count: 2 }),
          count({ keyArn: KEYS.SYM, operation: 'GenerateDataKeyPair', keyPairSpec: 'RSA_3072', count: 1 }),
          count({
            keyArn: KEYS.SYM,
            operation: 'GenerateDataKeyPairWithoutPlaintext',
            keyPairSpec: 'ECC_NIST_P256',
            count: 1,
          }),
          count({ keyArn: KEYS.RSA, operation: 'Sign', count: 1 }),
          count({ keyArn: KEYS.ECC, operation: 'Sign', count: 1 }),
          count({ keyArn: KEYS.NEW, operation: 'CreateKey', count: 1 }),
          count({ keyArn: KEYS.OLD, operation: 'ScheduleKeyDeletion', count: 1 }),
          // The cross-account Decrypt is billed to the caller's account.
          count({ account: OTHER, keyArn: KEYS.SYM, operation: 'Decrypt', count: 1 }),
          count({ account: OTHER, keyArn: KEYS.SYM, operation: 'GenerateDataKey', count: 1 }),
        ].sort(
          (a, b) =>
            a.account.localeCompare(b.account) ||
            a.keyArn.localeCompare(b.keyArn) ||
            a.operation.localeCompare(b.operation),
        ),
      );
      expect(agg.stats).toMatchObject({
        kmsEvents: 16,
        requests: 13,
        failedRequests: 1,
        keyless: { GenerateRandom: 1 },
      });
    });

    it('counts requests that name no key per billed account, region and operation, failed ones apart', () => {
      // The fixtures' GenerateRandom names no key; a ListKeys that failed and one that succeeded are added.
      const listKeys = (errorCode?: string) => ({
        eventSource: 'kms.amazonaws.com',
        eventName: 'ListKeys',
        eventTime: '2026-10-12T08:00:00Z',
        awsRegion: REGION,
        eventType: 'AwsApiCall',
        recipientAccountId: OWNER,
        userIdentity: { type: 'AssumedRole', accountId: OWNER },
        ...(errorCode ? { errorCode } : {}),
      });
      const agg = aggregate([...KMS_RECORDS, listKeys(), listKeys('AccessDeniedException')]);
      expect(agg.keylessRequests()).toEqual([
        {
          account: OWNER,
          region: REGION,
          operation: 'GenerateRandom',
          count: 1,
          failedCount: 0,
          source: 'cloudtrail-s3',
        },
        {
          account: OWNER,
          region: REGION,
          operation: 'ListKeys',
          count: 1,
          failedCount: 1,
          source: 'cloudtrail-s3',
        },
      ]);
      // A worker's state carries them, and merging adds them up.
      const merged = new UsageAggregator('cloudtrail-s3', OCTOBER);
      merged.merge(agg.state());
      merged.merge(agg.state());
      expect(merged.keylessRequests().find((k) => k.operation === 'ListKeys')).toMatchObject({
        count: 2,
        failedCount: 2,
      });
    });

    it("bills an S3 call made with an uploader's credentials to the uploader, a service's own call to the key owner", () => {
      const [uploader, service] = KMS_RECORDS.filter(
        (r) =>
          (r.userIdentity as { invokedBy?: string }).invokedBy !== undefined &&
          r.eventName === 'GenerateDataKey',
      );
      const billed = (r: unknown) => {
        const read = interpretKmsRecord(r);
        return read.kind === 'kms' ? read.facts.billedAccount : null;
      };
      // invokedBy s3.amazonaws.com, userIdentity.accountId 444455556666: the uploader's account pays.
      expect(billed(uploader)).toBe(OTHER);
      // type AWSService (CloudTrail calling as itself): the key owner pays.
      expect(billed(service)).toBe(OWNER);
    });

    it('keeps lifecycle events after the month up to afterEnd apart, and counts none of their requests', () => {
      const schedule = { ...recordNamed('ScheduleKeyDeletion'), eventTime: '2026-11-01T06:00:00Z' };
      const agg = new UsageAggregator('cloudtrail-s3', {
        ...OCTOBER,
        afterEnd: new Date('2026-11-02T00:00:00Z'),
      });
      agg.add(schedule);
      expect(agg.lifecycleEvents()).toEqual([]);
      expect(agg.requests()).toEqual([]);
      expect(agg.afterLifecycleEvents().map((e) => [e.event, e.time])).toEqual([
        ['ScheduleKeyDeletion', '2026-11-01T06:00:00.000Z'],
      ]);
    });

    it('takes the key from resources[], not from the keyId the caller passed (an alias here)', () => {
      const encrypt = recordNamed('Encrypt');
      expect((encrypt.requestParameters as { keyId: string }).keyId).toBe('alias/orders');
      expect(aggregate([encrypt]).requests()).toEqual([
        count({ keyArn: KEYS.SYM, operation: 'Encrypt', count: 1 }),
      ]);
    });

    it('does not count KMS acting on its own (automatic RotateKey, DeleteKey) as requests', () => {
      const agg = aggregate([recordNamed('RotateKey'), recordNamed('DeleteKey')]);
      expect(agg.requests()).toEqual([]);
      expect(agg.lifecycleEvents().map((e) => [e.event, e.keyArn])).toEqual([
        ['RotateKey', KEYS.SYM],
        ['DeleteKey', KEYS.GONE],
      ]);
    });

    it('tells which kind of key each request used, from the algorithm it asked for', () => {
      expect(aggregate(KMS_RECORDS).keyClasses()).toEqual({
        [KEYS.SYM]: 'symmetric',
        [KEYS.RSA]: 'rsa',
        [KEYS.ECC]: 'ecc',
      });
    });

    it('leaves out events outside the month, of other services, and records it cannot read', () => {
      const before = { ...recordNamed('Encrypt'), eventTime: '2026-09-30T23:59:59Z' };
      const atEnd = { ...recordNamed('Encrypt'), eventTime: '2026-11-01T00:00:00Z' };
      const lastSecond = { ...recordNamed('Encrypt'), eventTime: '2026-10-31T23:59:59Z' };
      const agg = aggregate([
        before,
        atEnd,
        lastSecond,
        S3_RECORD,
        'not a record',
        { eventSource: 'kms.amazonaws.com' },
      ]);
      expect(agg.requests()).toEqual([count({ keyArn: KEYS.SYM, operation: 'Encrypt', count: 1 })]);
      expect(agg.stats).toMatchObject({ records: 6, outsideWindow: 2, otherSources: 1, malformed: 2 });
    });

    it('keeps one count per key and operation however many events: memory does not grow with events', () => {
      const agg = new UsageAggregator('cloudtrail-lookup', OCTOBER);
      for (const r of decrypts(100_000, new Date('2026-10-31T23:00:00Z'), 20_000)) agg.add(r);
      expect(agg.requests()).toEqual([
        { ...count({ keyArn: KEYS.SYM, operation: 'Decrypt', count: 100_000 }), source: 'cloudtrail-lookup' },
      ]);
    });
  });

  describe('lifecycle events', () => {
    it('records each key lifecycle event with its time, and the deletion window of ScheduleKeyDeletion', () => {
      expect(aggregate(KMS_RECORDS).lifecycleEvents()).toEqual(
        [
          { keyArn: KEYS.NEW, event: 'CreateKey', time: '2026-10-11T09:15:00.000Z' },
          {
            keyArn: KEYS.OLD,
            event: 'ScheduleKeyDeletion',
            time: '2026-10-20T14:05:11.000Z',
            pendingWindowInDays: 7,
            deletionDate: '2026-10-27T14:05:11.000Z',
          },
          { keyArn: KEYS.SYM, event: 'RotateKey', time: '2026-10-12T00:00:00.000Z' },
          { keyArn: KEYS.GONE, event: 'DeleteKey', time: '2026-10-15T00:07:00.000Z' },
        ]
          .map((e) => ({ account: OWNER, region: REGION, ...e }))
          .sort((a, b) => a.keyArn.localeCompare(b.keyArn)),
      );
    });

    it('ignores a lifecycle call that failed', () => {
      const refused = { ...recordNamed('ScheduleKeyDeletion'), errorCode: 'KMSInvalidStateException' };
      expect(aggregate([refused]).lifecycleEvents()).toEqual([]);
    });

    it('uses the 30-day default window when ScheduleKeyDeletion was called without one', () => {
      const record = recordNamed('ScheduleKeyDeletion');
      record.requestParameters = { keyId: KEYS.OLD };
      record.responseElements = { keyId: KEYS.OLD, keyState: 'PendingDeletion' };
      const [event] = aggregate([record]).lifecycleEvents();
      expect(event).toMatchObject({ pendingWindowInDays: 30, deletionDate: '2026-11-19T14:05:11.000Z' });
    });

    it('records the replica of a ReplicateKey call too', () => {
      const replica = KEYS.SYM.replace('us-east-1', 'eu-west-1');
      const record = {
        ...recordNamed('CreateKey'),
        eventName: 'ReplicateKey',
        resources: [{ accountId: OWNER, type: 'AWS::KMS::Key', ARN: KEYS.SYM }],
        responseElements: { replicaKeyMetadata: { arn: replica } },
      };
      expect(
        aggregate([record])
          .lifecycleEvents()
          .map((e) => [e.region, e.keyArn]),
      ).toEqual([
        ['eu-west-1', replica],
        ['us-east-1', KEYS.SYM],
      ]);
    });
  });
});

describe('interpretKmsRecord', () => {
  it('reads who is billed, the pair spec and failure of one record', () => {
    const result = interpretKmsRecord(recordNamed('GenerateDataKeyPair'));
    expect(result).toMatchObject({
      kind: 'kms',
      facts: {
        eventName: 'GenerateDataKeyPair',
        billedAccount: OWNER,
        keyPairSpec: 'RSA_3072',
        failed: false,
      },
    });
  });
});

describe('parseDeletionDate', () => {
  it.each([
    ['Apr 12, 2021 18:58:30 PM', '2021-04-12T18:58:30.000Z'],
    ['Dec 3, 2020, 12:00:00 AM', '2020-12-03T00:00:00.000Z'],
    ['Dec 3, 2020, 1:30:00 PM', '2020-12-03T13:30:00.000Z'],
    ['2026-10-27T14:05:11Z', '2026-10-27T14:05:11.000Z'],
  ])('reads %s as UTC', (text, iso) => {
    expect(parseDeletionDate(text)?.toISOString()).toBe(iso);
  });

  it('returns null for what it cannot read', () => {
    expect(parseDeletionDate('next Tuesday')).toBeNull();
    expect(parseDeletionDate(null)).toBeNull();
  });
});

describe('UsageAggregator.merge', () => {
  it('gives the same counts, lifecycle, classes and statistics as counting every record in one aggregator', () => {
    // Every fixture record three times (lifecycle events repeat across parts), plus other services,
    // records outside the month and a malformed one, dealt round-robin to three aggregators.
    const records: unknown[] = [
      ...KMS_RECORDS,
      ...KMS_RECORDS,
      ...KMS_RECORDS,
      S3_RECORD,
      { ...recordNamed('Decrypt'), eventTime: '2026-09-30T23:59:59Z' },
      { eventSource: 'kms.amazonaws.com' },
      ...decrypts(50, new Date('2026-10-20T00:00:00Z'), 3_600_000),
    ];
    const whole = aggregate(records);
    const parts = [0, 1, 2].map((p) => aggregate(records.filter((_, i) => i % 3 === p)));
    const merged = new UsageAggregator('cloudtrail-s3', OCTOBER);
    for (const part of parts) merged.merge(part.state());

    expect(merged.requests()).toEqual(whole.requests());
    expect(merged.lifecycleEvents()).toEqual(whole.lifecycleEvents());
    expect(merged.keyClasses()).toEqual(whole.keyClasses());
    expect(merged.stats).toEqual(whole.stats);
    expect(whole.stats.lifecycleEvents).toBeGreaterThan(0);
    expect(whole.stats.malformed).toBe(1);
  });
});
