import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { readCurBill } from '../../../src/bill/cur.js';

/** An S3 endpoint that accepts the connection and never answers (until the call is abandoned). */
const silent = {
  send: (_command: unknown, options?: { abortSignal?: AbortSignal }) =>
    new Promise((_resolve, reject) => {
      options?.abortSignal?.addEventListener('abort', () =>
        reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
      );
    }),
} as unknown as S3Client;

describe('readCurBill on an S3 endpoint that does not answer', () => {
  it('gives up on each call after its timeout and says so as a gap, without throwing', async () => {
    const bill = await readCurBill({
      month: '2026-10',
      location: { kind: 's3', client: silent, bucket: 'billing-exports' },
      prefix: 'cur',
      exportName: 'org-cur',
      callTimeoutMs: 50,
    });
    expect(bill.status).toBe('unknown');
    expect(bill.lines).toEqual([]);
    expect(bill.gaps).toEqual([
      "the month's files could not be listed: ListObjectsV2 s3://billing-exports/cur/org-cur/data/BILLING_PERIOD=2026-10/: no answer within 0.05 s",
    ]);
  });

  it('refuses a month that is not YYYY-MM before any call', async () => {
    await expect(
      readCurBill({ month: '2026-13', location: { kind: 's3', client: silent, bucket: 'b' } }),
    ).rejects.toThrow(/--month/);
  });
});
