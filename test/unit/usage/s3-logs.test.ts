import { gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { collectS3TrailLogs, normalizeTrailPrefix } from '../../../src/usage/s3-logs.js';
import { CountingPool, defaultCountingWorkers } from '../../../src/usage/trail-workers.js';
import { parseMonth } from '../../../src/util/month.js';
import { decrypts, KMS_RECORDS, OWNER, REGION, S3_RECORD } from './fixtures.js';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
/** The part of the SDK's streaming body the collector uses. */
const body = (data: Buffer) => ({ transformToByteArray: async () => new Uint8Array(data) }) as never;

beforeEach(() => s3.reset());

/**
 * Most tests here start worker threads (each loads the counting module: ~100-300 ms idle, several
 * seconds on a loaded CI runner with 2 cores). Vitest's default 5 s timed 1-3 of them out under
 * a load average of 5-7 (at load 12 one took 29 s); the assertions are on counts and order, never
 * on time, so give them room.
 */
const WORKER_TEST_TIMEOUT_MS = 120_000;

describe('collectS3TrailLogs', { timeout: WORKER_TEST_TIMEOUT_MS }, () => {
  it('lists every day folder of the month plus one day either side, following continuation tokens', async () => {
    const listed: string[] = [];
    s3.on(ListObjectsV2Command).callsFake(({ Prefix, ContinuationToken }) => {
      listed.push(`${Prefix}${ContinuationToken ? ` +${ContinuationToken}` : ''}`);
      if (Prefix.endsWith('2026/10/15/') && !ContinuationToken)
        return { Contents: [{ Key: `${Prefix}a.json.gz` }], IsTruncated: true, NextContinuationToken: 'c2' };
      if (Prefix.endsWith('2026/10/15/'))
        return { Contents: [{ Key: `${Prefix}b.json.gz` }], IsTruncated: false };
      return { IsTruncated: false };
    });
    s3.on(GetObjectCommand).callsFake(() => ({
      Body: body(
        gzipSync(JSON.stringify({ Records: decrypts(3, new Date('2026-10-15T12:00:00Z'), 60_000) })),
      ),
    }));

    const result = await collectS3TrailLogs(client, {
      account: OWNER,
      region: REGION,
      window: parseMonth('2026-10'),
      bucket: 'trail-bucket',
      prefix: '/AWSLogs/o-abc123def4',
    });

    const base = `AWSLogs/o-abc123def4/${OWNER}/CloudTrail/${REGION}/`;
    expect(listed[0]).toBe(`${base}2026/09/30/`);
    expect(listed.at(-1)).toBe(`${base}2026/11/01/`);
    expect(listed).toContain(`${base}2026/10/15/ +c2`);
    expect(listed).toHaveLength(33 + 1);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      `${base}2026/10/15/a.json.gz`,
      `${base}2026/10/15/b.json.gz`,
    ]);
    expect(result.requests).toEqual([
      expect.objectContaining({ operation: 'Decrypt', count: 6, source: 'cloudtrail-s3' }),
    ]);
    expect(result.coverage.status).toBe('complete');
  });

  it('counts the same with worker threads as on the calling thread, bad files included', async () => {
    // 40 files over 10 days: every fixture record (requests, failures, lifecycle, other
    // services), each file moved to its own day and hour; one file not gzip, one not JSON.
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 40; i++) {
      const day = String(1 + (i % 10)).padStart(2, '0');
      const hour = String(i % 24).padStart(2, '0');
      const records = [...KMS_RECORDS, S3_RECORD].map((r, j) => ({
        ...r,
        eventTime: `2026-10-${day}T${hour}:${String(j % 60).padStart(2, '0')}:00Z`,
        eventID: `${i}-${j}`,
      }));
      const key = `AWSLogs/${OWNER}/CloudTrail/${REGION}/2026/10/${day}/f${i}.json.gz`;
      files.set(
        key,
        i === 7
          ? Buffer.from('not gzip')
          : i === 8
            ? gzipSync('{"Records": [')
            : gzipSync(JSON.stringify({ Records: records })),
      );
    }
    s3.on(ListObjectsV2Command).callsFake(({ Prefix }) => ({
      Contents: [...files.keys()].filter((k) => k.startsWith(Prefix)).map((Key) => ({ Key })),
      IsTruncated: false,
    }));
    s3.on(GetObjectCommand).callsFake(({ Key }) => ({ Body: body(files.get(Key) as Buffer) }));
    const run = (workers: number) =>
      collectS3TrailLogs(client, {
        account: OWNER,
        region: REGION,
        window: parseMonth('2026-10'),
        bucket: 'b',
        workers,
      });

    const inThread = await run(0);
    expect(inThread.coverage.status).toBe('partial');
    expect(inThread.coverage.detail).toContain('2 files could not be read');
    expect(inThread.requests.length).toBeGreaterThan(5);
    expect(inThread.lifecycle.length).toBeGreaterThan(0);
    for (const workers of [1, 3]) expect(await run(workers)).toEqual(inThread);
  });

  it('reports the files a failed counting worker had counted as not read, and counts nothing half', async () => {
    const pool = new CountingPool(2, {
      source: 'cloudtrail-s3',
      startMs: Date.parse('2026-10-01T00:00:00Z'),
      endMs: Date.parse('2026-11-01T00:00:00Z'),
    });
    const file = gzipSync(JSON.stringify({ Records: decrypts(3, new Date('2026-10-15T12:00:00Z'), 60_000) }));
    try {
      expect(await pool.count('a.json.gz', file)).toBe(3);
      expect(await pool.count('b.json.gz', file)).toBe(3);
      // One worker dies (as it would on running out of memory).
      await (
        pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }
      ).slots[0]?.worker.terminate();
      await expect(pool.count('c.json.gz', file)).rejects.toThrow('c.json.gz: a counting worker failed');
      expect(pool.failed).toMatch(/exited with code/);
      expect(pool.lost.sort()).toEqual(['a.json.gz', 'b.json.gz']);
      expect(await pool.finish()).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('on expired credentials, lets the files in flight finish, starts no other, and leaves no thread running', async () => {
    const day = `AWSLogs/${OWNER}/CloudTrail/${REGION}/2026/10/10/`;
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `${day}${n}.json.gz`);
    s3.on(ListObjectsV2Command).callsFake(({ Prefix }) => ({
      Contents: Prefix === day ? keys.map((Key) => ({ Key })) : [],
      IsTruncated: false,
    }));
    const fetched: string[] = [];
    const file = gzipSync(JSON.stringify({ Records: decrypts(3, new Date('2026-10-10T12:00:00Z'), 60_000) }));
    s3.on(GetObjectCommand).callsFake(async ({ Key }) => {
      fetched.push(Key);
      if (Key.endsWith('a.json.gz'))
        throw Object.assign(new Error('The security token included in the request is expired'), {
          name: 'ExpiredToken',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
        });
      await new Promise((r) => setTimeout(r, 100));
      return { Body: body(file) };
    });
    const ports = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;
    const before = ports();

    await expect(
      collectS3TrailLogs(client, {
        account: OWNER,
        region: REGION,
        window: parseMonth('2026-10'),
        bucket: 'b',
        concurrency: 2,
        workers: 1,
      }),
    ).rejects.toThrow('ExpiredToken');
    // "a" failed while "b" was in flight; nothing after them was begun, nothing runs on.
    expect(fetched.map((k) => k.slice(-9))).toEqual(['a.json.gz', 'b.json.gz']);
    await new Promise((r) => setTimeout(r, 200));
    expect(fetched).toHaveLength(2);
    expect(ports()).toBe(before);
  });

  it("merges no worker's counts when another worker fails while the counts are being collected", async () => {
    const pool = new CountingPool(2, {
      source: 'cloudtrail-s3',
      startMs: Date.parse('2026-10-01T00:00:00Z'),
      endMs: Date.parse('2026-11-01T00:00:00Z'),
    });
    const small = gzipSync(
      JSON.stringify({ Records: decrypts(3, new Date('2026-10-15T12:00:00Z'), 60_000) }),
    );
    const big = gzipSync(
      JSON.stringify({ Records: decrypts(100_000, new Date('2026-10-30T12:00:00Z'), 1_000) }),
    );
    const slots = (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots;
    try {
      // One file on each worker, then a long one on the first.
      expect(await Promise.all([pool.count('a.json.gz', small), pool.count('b.json.gz', small)])).toEqual([
        3, 3,
      ]);
      const long = pool.count('big.json.gz', big).then(
        () => 'counted',
        (error: Error) => error.message,
      );
      const states = pool.finish();
      // The second worker answers at once; the first is still counting when it dies.
      await new Promise((r) => setTimeout(r, 100));
      await slots[0]?.worker.terminate();
      expect(await states).toEqual([]);
      expect(await long).toContain('big.json.gz: a counting worker failed');
      expect(pool.lost.sort()).toEqual(['a.json.gz', 'b.json.gz']);
    } finally {
      await pool.close();
    }
  });

  it('shares one budget of counting threads between scans running at once', async () => {
    const files = new Map<string, Buffer>();
    for (const region of ['us-east-1', 'eu-west-1', 'eu-central-1'])
      for (let i = 0; i < 12; i++)
        files.set(
          `AWSLogs/${OWNER}/CloudTrail/${region}/2026/10/0${1 + (i % 9)}/f${i}.json.gz`,
          gzipSync(JSON.stringify({ Records: decrypts(200, new Date('2026-10-15T12:00:00Z'), 1_000) })),
        );
    s3.on(ListObjectsV2Command).callsFake(({ Prefix }) => ({
      Contents: [...files.keys()].filter((k) => k.startsWith(Prefix)).map((Key) => ({ Key })),
      IsTruncated: false,
    }));
    s3.on(GetObjectCommand).callsFake(({ Key }) => ({ Body: body(files.get(Key) as Buffer) }));
    let most = 0;
    const watch = setInterval(() => {
      most = Math.max(most, CountingPool.liveWorkers);
    }, 1);
    const scan = (region: string, workers?: number) =>
      collectS3TrailLogs(client, {
        account: OWNER,
        region,
        window: parseMonth('2026-10'),
        bucket: 'b',
        workers,
      });
    try {
      const together = await Promise.all(['us-east-1', 'eu-west-1', 'eu-central-1'].map((r) => scan(r)));
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(defaultCountingWorkers());
      expect(CountingPool.liveWorkers).toBe(0);
      // Whether a scan got threads or counted on its own, the counts are the same.
      for (const [i, region] of ['us-east-1', 'eu-west-1', 'eu-central-1'].entries())
        expect(together[i]).toEqual(await scan(region, 0));
    } finally {
      clearInterval(watch);
    }
  });

  it('says a month not over yet was read only up to now (partial, readUntil), never complete', async () => {
    s3.on(ListObjectsV2Command).callsFake(({ Prefix }) =>
      Prefix.endsWith('2026/10/10/')
        ? { Contents: [{ Key: `${Prefix}a.json.gz` }], IsTruncated: false }
        : { IsTruncated: false },
    );
    s3.on(GetObjectCommand).callsFake(() => ({
      Body: body(
        gzipSync(JSON.stringify({ Records: decrypts(2, new Date('2026-10-10T12:00:00Z'), 60_000) })),
      ),
    }));
    const at = (now: string) =>
      collectS3TrailLogs(client, {
        account: OWNER,
        region: REGION,
        window: parseMonth('2026-10'),
        bucket: 'trail-bucket',
        workers: 0,
        clock: { now: () => Date.parse(now), sleep: async () => {} },
      });
    const during = await at('2026-10-12T12:00:00Z');
    expect(during.coverage).toMatchObject({
      status: 'partial',
      readUntil: '2026-10-12T12:00:00.000Z',
      detail: expect.stringMatching(
        /^the month is not over: read the log files delivered up to 2026-10-12T12:00:00.000Z/,
      ),
    });
    expect(during.requests).toEqual([expect.objectContaining({ operation: 'Decrypt', count: 2 })]);
    // The same files read once the month is over: the whole month.
    const after = await at('2026-11-02T00:00:00Z');
    expect(after.coverage.status).toBe('complete');
    expect(after.coverage.readUntil).toBeUndefined();
  });

  it('normalises the trail prefix', () => {
    expect(normalizeTrailPrefix(undefined)).toBe('AWSLogs/');
    expect(normalizeTrailPrefix('my-prefix/AWSLogs')).toBe('my-prefix/AWSLogs/');
    expect(normalizeTrailPrefix('/')).toBe('');
  });
});
