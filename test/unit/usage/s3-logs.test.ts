import { gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { collectS3TrailLogs, normalizeTrailPrefix } from '../../../src/usage/s3-logs.js';
import { parseMonth } from '../../../src/util/month.js';
import { decrypts, OWNER, REGION } from './fixtures.js';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
/** The part of the SDK's streaming body the collector uses. */
const body = (data: Buffer) => ({ transformToByteArray: async () => new Uint8Array(data) }) as never;

beforeEach(() => s3.reset());

describe('collectS3TrailLogs', () => {
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

  it('normalises the trail prefix', () => {
    expect(normalizeTrailPrefix(undefined)).toBe('AWSLogs/');
    expect(normalizeTrailPrefix('my-prefix/AWSLogs')).toBe('my-prefix/AWSLogs/');
    expect(normalizeTrailPrefix('/')).toBe('');
  });
});
