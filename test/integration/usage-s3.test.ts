import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { collectS3TrailLogs } from '../../src/usage/s3-logs.js';
import { parseMonth } from '../../src/util/month.js';
import {
  CALLER_RECORDS,
  KEYS,
  KMS_RECORDS,
  OTHER,
  OWNER,
  REGION,
  recordNamed,
  S3_RECORD,
} from '../unit/usage/fixtures.js';

const endpoint = inject('motoEndpoint');
const BUCKET = 'org-trail-logs';
const ORG_PREFIX = 'AWSLogs/o-abc123def4/';
const OCTOBER = parseMonth('2026-10');

const s3 = new S3Client({
  region: REGION,
  endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  maxAttempts: 2,
});

/** Where a trail delivers a log file: the day of delivery, a name with account, region and time. */
function logKey(day: string, stamp: string, prefix = ORG_PREFIX, region = REGION) {
  return `${prefix}${OWNER}/CloudTrail/${region}/${day}/${OWNER}_CloudTrail_${region}_${stamp}_${stamp.length}aB3x.json.gz`;
}

async function putLog(key: string, records: unknown[] | Buffer) {
  const body = Buffer.isBuffer(records) ? records : gzipSync(JSON.stringify({ Records: records }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

const at = (name: string, eventTime: string) => ({ ...recordNamed(name), eventTime });

beforeEach(async () => {
  const reset = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  expect(reset.ok).toBe(true);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

describe('collectS3TrailLogs against moto S3', () => {
  it('counts the month from an organization trail, including events delivered the next day, and nothing outside', async () => {
    // The fixture's October events, with another service's event as trails write them.
    await putLog(logKey('2026/10/03', '20261003T0805Z'), [...KMS_RECORDS.slice(0, 8), S3_RECORD]);
    await putLog(logKey('2026/10/20', '20261020T1410Z'), KMS_RECORDS.slice(8));
    // Delivered on the 1st: one event of September's last minutes, one of October's first.
    await putLog(logKey('2026/10/01', '20261001T0005Z'), [
      at('Encrypt', '2026-09-30T23:58:00Z'),
      at('Encrypt', '2026-10-01T00:01:00Z'),
    ]);
    // Delivered on 1 November: October's last minute.
    await putLog(logKey('2026/11/01', '20261101T0010Z'), [at('Encrypt', '2026-10-31T23:59:00Z')]);
    // Another region's folder and the digest folder are not this region's logs.
    await putLog(logKey('2026/10/03', '20261003T0805Z', ORG_PREFIX, 'eu-west-1'), [
      at('Encrypt', '2026-10-03T08:00:00Z'),
    ]);
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${ORG_PREFIX}${OWNER}/CloudTrail-Digest/${REGION}/2026/10/03/digest.json.gz`,
        Body: gzipSync('{}'),
      }),
    );

    const result = await collectS3TrailLogs(s3, {
      account: OWNER,
      region: REGION,
      window: OCTOBER,
      bucket: BUCKET,
      prefix: ORG_PREFIX,
      concurrency: 2,
    });

    expect(result.coverage).toMatchObject({ source: 'cloudtrail-s3', status: 'complete' });
    expect(result.stats.pages).toBe(4);
    const find = (account: string, keyArn: string, operation: string) =>
      result.requests.find((r) => r.account === account && r.keyArn === keyArn && r.operation === operation);
    expect(find(OWNER, KEYS.SYM, 'Encrypt')).toMatchObject({ count: 3 });
    expect(find(OWNER, KEYS.SYM, 'Decrypt')).toMatchObject({ count: 1, failedCount: 1 });
    expect(find(OTHER, KEYS.SYM, 'Decrypt')).toMatchObject({ count: 1 });
    // S3's call with the uploader's credentials (invokedBy) is the uploader's; CloudTrail's own call the owner's.
    expect(find(OWNER, KEYS.SYM, 'GenerateDataKey')).toMatchObject({ count: 2 });
    expect(find(OTHER, KEYS.SYM, 'GenerateDataKey')).toMatchObject({ count: 1 });
    expect(find(OWNER, KEYS.SYM, 'GenerateDataKeyPair')).toMatchObject({ keyPairSpec: 'RSA_3072', count: 1 });
    expect(find(OWNER, KEYS.RSA, 'Sign')).toMatchObject({ count: 1 });
    expect(result.lifecycle.find((e) => e.event === 'ScheduleKeyDeletion')).toMatchObject({
      keyArn: KEYS.OLD,
      pendingWindowInDays: 7,
      deletionDate: '2026-10-27T14:05:11.000Z',
    });
    expect(result.stats).toMatchObject({ outsideWindow: 1, otherSources: 1 });
  });

  it('counts the requests by caller, the same on worker threads as on one thread', {
    timeout: 60_000,
  }, async () => {
    await putLog(logKey('2026/10/12', '20261012T0810Z'), CALLER_RECORDS.slice(0, 3));
    await putLog(logKey('2026/10/14', '20261014T0205Z'), [...CALLER_RECORDS.slice(3, 7), S3_RECORD]);
    await putLog(logKey('2026/10/17', '20261017T0005Z'), CALLER_RECORDS.slice(7));
    const read = (workers: number) =>
      collectS3TrailLogs(s3, {
        account: OWNER,
        region: REGION,
        window: OCTOBER,
        bucket: BUCKET,
        prefix: ORG_PREFIX,
        workers,
      });
    const [threads, one] = [await read(2), await read(0)];
    expect(threads.coverage.status).toBe('complete');
    expect(threads.callers).toEqual(one.callers);
    const by = (caller: string, operation: string) =>
      threads.callers.find((c) => c.caller === caller && c.operation === operation);
    // S3 without a Bucket Key: one Decrypt per object, the bucket named, scope object.
    expect(by(`arn:aws:iam::${OWNER}:role/orders-reader`, 'Decrypt')).toMatchObject({
      account: OWNER,
      invokedBy: 's3.amazonaws.com',
      bucketArn: 'arn:aws:s3:::orders-raw',
      s3ContextScope: 'object',
      count: 3,
    });
    // S3 with a Bucket Key: scope bucket.
    expect(by(`arn:aws:iam::${OWNER}:role/analytics-writer`, 'GenerateDataKey')).toMatchObject({
      bucketArn: 'arn:aws:s3:::analytics-curated',
      s3ContextScope: 'bucket',
      count: 2,
    });
    // The Lambda function's role, its path kept; its two sessions are one caller.
    expect(by(`arn:aws:iam::${OWNER}:role/service-role/thumbnailer-role-8x2k1q9z`, 'Decrypt')).toMatchObject({
      callerType: 'role',
      count: 2,
    });
    // A caller in another account: billed to it.
    expect(by(`arn:aws:iam::${OTHER}:role/partner-reader`, 'Decrypt')).toMatchObject({
      account: OTHER,
      callerAccount: OTHER,
      count: 1,
    });
    expect(by('cloudtrail.amazonaws.com', 'GenerateDataKey')).toMatchObject({
      callerType: 'service',
      count: 1,
    });
    // Each count's callers add up to it.
    for (const r of threads.requests) {
      const mine = threads.callers.filter(
        (c) => c.account === r.account && c.operation === r.operation && c.keyArn === r.keyArn,
      );
      expect([mine.reduce((a, c) => a + c.count, 0), mine.reduce((a, c) => a + c.failedCount, 0)]).toEqual([
        r.count,
        r.failedCount,
      ]);
    }
  });

  it('keeps what it could read and names the file it could not', async () => {
    await putLog(logKey('2026/10/03', '20261003T0805Z'), KMS_RECORDS);
    await putLog(logKey('2026/10/04', '20261004T0805Z'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]));
    const result = await collectS3TrailLogs(s3, {
      account: OWNER,
      region: REGION,
      window: OCTOBER,
      bucket: BUCKET,
      prefix: ORG_PREFIX,
    });
    expect(result.coverage.status).toBe('partial');
    expect(result.coverage.detail).toContain('1 files could not be read');
    expect(result.coverage.detail).toContain('2026/10/04');
    expect(result.requests.length).toBeGreaterThan(0);
  });

  it('fails, saying where it looked, when no log file is under the prefix', async () => {
    await putLog(logKey('2026/10/03', '20261003T0805Z'), KMS_RECORDS);
    const result = await collectS3TrailLogs(s3, {
      account: OWNER,
      region: REGION,
      window: OCTOBER,
      bucket: BUCKET,
    });
    expect(result.coverage.status).toBe('failed');
    expect(result.coverage.detail).toContain(
      `no CloudTrail log files under s3://${BUCKET}/AWSLogs/${OWNER}/CloudTrail/${REGION}/`,
    );
  });

  it('fails when the trail logs other services but no KMS event (KMS events excluded)', async () => {
    await putLog(logKey('2026/10/03', '20261003T0805Z'), [S3_RECORD, S3_RECORD]);
    const result = await collectS3TrailLogs(s3, {
      account: OWNER,
      region: REGION,
      window: OCTOBER,
      bucket: BUCKET,
      prefix: ORG_PREFIX,
    });
    expect(result.coverage.status).toBe('failed');
    expect(result.coverage.detail).toContain('ExcludeManagementEventSources');
  });

  it('fails with the error code when the bucket does not exist', async () => {
    const result = await collectS3TrailLogs(s3, {
      account: OWNER,
      region: REGION,
      window: OCTOBER,
      bucket: 'no-such-trail-bucket',
    });
    expect(result.coverage).toMatchObject({ status: 'failed' });
    expect(result.coverage.detail).toContain('NoSuchBucket');
  });
});
