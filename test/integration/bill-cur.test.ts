import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { readCurBill } from '../../src/bill/cur.js';
import type { BillLine } from '../../src/model/bill.js';
import { Dec } from '../../src/pricing/money.js';
import { type CurFixtureRow, type CurFixtureSummary, writeCurParquet } from '../support/cur-fixtures.js';

const endpoint = inject('motoEndpoint');
const BUCKET = 'billing-exports';
const EXPORT = 'cur/kms-report-cur/';
const PARTITION = `${EXPORT}data/BILLING_PERIOD=2026-10/`;
const OWNER = '111122223333';
const OTHER = '444455556666';
const KEY_A = `arn:aws:kms:us-east-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const KEY_B = `arn:aws:kms:eu-west-1:${OTHER}:key/0987dcba-09fe-87dc-65ba-ab0987654321`;

/** Every GetObject's Range header, in order (none when the whole object was asked for). */
const gets: { key: string; range: string | undefined }[] = [];
const s3 = new S3Client({
  region: 'us-east-1',
  endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  maxAttempts: 2,
});
s3.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === 'GetObjectCommand') {
      const input = args.input as { Key?: string; Range?: string };
      gets.push({ key: input.Key ?? '', range: input.Range });
    }
    return next(args);
  },
  { step: 'initialize', name: 'recordGets' },
);

const kms = (row: CurFixtureRow): CurFixtureRow => ({ bill_invoice_id: 'EUINGB26-123456', ...row });
const ec2 = (i: number): CurFixtureRow => ({
  line_item_product_code: 'AmazonEC2',
  line_item_usage_type: 'BoxUsage:m5.large',
  line_item_operation: 'RunInstances',
  line_item_resource_id: `i-0${i}abc`,
  line_item_usage_amount: 24,
  line_item_unblended_cost: 2.304,
  bill_invoice_id: 'EUINGB26-123456',
  product: { instanceType: 'm5.large', region: 'us-east-1' },
  resource_tags: { user_team: 'web' },
});

/** October's first file: EC2-only row groups around KMS rows of key A (row groups of 3 rows). */
const FILE_1: CurFixtureRow[] = [
  ec2(1),
  ec2(2),
  ec2(3),
  kms({
    line_item_usage_type: 'us-east-1-KMS-Keys',
    line_item_operation: 'CreateKey',
    line_item_resource_id: KEY_A,
    line_item_usage_amount: 0.0322580645,
    line_item_unblended_cost: 0.0322580645,
    line_item_usage_start_date: '2026-10-01T00:00:00Z',
  }),
  kms({
    line_item_usage_type: 'us-east-1-KMS-Keys',
    line_item_operation: 'CreateKey',
    line_item_resource_id: KEY_A,
    line_item_usage_amount: 0.0322580645,
    line_item_unblended_cost: 0.0322580645,
    line_item_usage_start_date: '2026-10-02T00:00:00Z',
  }),
  kms({
    line_item_usage_type: 'us-east-1-KMS-Requests',
    line_item_operation: 'Decrypt',
    line_item_resource_id: KEY_A,
    line_item_usage_amount: 12000,
    line_item_unblended_cost: 0.036,
  }),
  ec2(4),
  ec2(5),
  ec2(6),
  kms({
    line_item_usage_type: 'us-east-1-KMS-Requests',
    line_item_operation: 'Decrypt',
    line_item_resource_id: KEY_A,
    line_item_usage_amount: 8000,
    line_item_unblended_cost: 0.024,
  }),
];

/** The second file: key B in another account and region, a credit, a request line with no key. */
const FILE_2: CurFixtureRow[] = [
  kms({
    line_item_usage_account_id: OTHER,
    product_region_code: 'eu-west-1',
    line_item_usage_type: 'eu-west-1-KMS-Requests-Asymmetric',
    line_item_operation: 'Sign',
    line_item_resource_id: KEY_B,
    line_item_usage_amount: 3000,
    line_item_unblended_cost: 0.045,
  }),
  kms({
    line_item_usage_account_id: OTHER,
    line_item_line_item_type: 'Credit',
    line_item_usage_type: 'us-east-1-KMS-Requests',
    line_item_operation: 'Decrypt',
    line_item_usage_amount: 0,
    line_item_unblended_cost: -0.01,
  }),
  kms({
    line_item_usage_type: 'us-east-1-KMS-Requests',
    line_item_operation: 'ListKeys',
    line_item_usage_amount: 7,
    line_item_unblended_cost: 0.000021,
  }),
  ec2(7),
];

let dir: string;
const file = (name: string) => join(dir, name);
let large: CurFixtureSummary;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kms-report-cur-'));
  await writeCurParquet({ out: file('one.parquet'), rows: FILE_1, rowGroupSize: 3 });
  await writeCurParquet({ out: file('two.parquet'), rows: FILE_2, rowGroupSize: 2 });
  await writeCurParquet({
    out: file('stale.parquet'),
    rows: [kms({ line_item_usage_amount: 1e6, line_item_unblended_cost: 3 })],
  });
  await writeCurParquet({
    out: file('estimated.parquet'),
    rows: FILE_1.map((r) => ({ ...r, bill_invoice_id: '' })),
    rowGroupSize: 4,
  });
  await writeCurParquet({ out: file('decimal.parquet'), rows: FILE_1, money: 'decimal' });
  await writeCurParquet({
    out: file('no-usage-type.parquet'),
    rows: FILE_2,
    dropColumns: ['line_item_usage_type'],
  });
  await writeCurParquet({
    out: file('no-resources.parquet'),
    rows: FILE_1,
    dropColumns: ['line_item_resource_id'],
  });
  // Hundreds of thousands of rows, a quarter of them KMS: reading it whole would show in memory.
  large = await writeCurParquet({
    out: file('large.parquet'),
    synthetic: { rows: 200_000, kmsShare: 0.25, keys: 500, invoiceId: 'EUINGB26-777' },
    rowGroupSize: 25_000,
  });
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(async () => {
  const reset = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  expect(reset.ok).toBe(true);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  gets.length = 0;
});

async function put(key: string, body: Buffer | string) {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}
const putFile = (key: string, name: string) => put(key, readFileSync(file(name)));
const manifest = (keys: string[]) =>
  JSON.stringify({
    executionId: 'e2b5c3a0-1111-4aaa-8bbb-123456789abc',
    exportArn: `arn:aws:bcm-data-exports:us-east-1:${OWNER}:export/kms-report-cur-abc`,
    columns: [{ name: 'line_item_product_code', type: 'string' }],
    dataFiles: keys.map((k) => `s3://${BUCKET}/${k}`),
  });

const read = (prefix = 'cur', exportName?: string) =>
  readCurBill({
    month: '2026-10',
    location: { kind: 's3', client: s3, bucket: BUCKET },
    prefix,
    ...(exportName ? { exportName } : {}),
    clock: { now: () => Date.parse('2026-11-05T08:00:00Z') },
  });

const sum = (lines: readonly BillLine[], pick: (l: BillLine) => string) =>
  lines.reduce((acc, l) => acc.plus(pick(l)), new Dec(0)).toFixed();

describe('readCurBill against moto S3', () => {
  it('reads the files of the latest manifest, row group by row group, and sums the KMS rows per key exactly', async () => {
    await putFile(`${PARTITION}kms-report-cur-00001.snappy.parquet`, 'one.parquet');
    await putFile(`${PARTITION}kms-report-cur-00002.snappy.parquet`, 'two.parquet');
    // A file of an earlier delivery, left in the folder: the manifest does not list it.
    await putFile(`${PARTITION}old/kms-report-cur-00001.snappy.parquet`, 'stale.parquet');
    // September's partition is another month.
    await putFile(
      `${EXPORT}data/BILLING_PERIOD=2026-09/kms-report-cur-00001.snappy.parquet`,
      'stale.parquet',
    );
    await put(
      `${EXPORT}metadata/BILLING_PERIOD=2026-10/kms-report-cur-Manifest.json`,
      manifest([
        `${PARTITION}kms-report-cur-00001.snappy.parquet`,
        `${PARTITION}kms-report-cur-00002.snappy.parquet`,
      ]),
    );

    const bill = await read();

    expect(bill).toMatchObject({
      source: 'cur',
      month: '2026-10',
      status: 'final',
      granularity: 'key',
      currency: 'USD',
      gaps: [],
    });
    expect(bill.statusDetail).toContain('EUINGB26-123456');
    expect(bill.readAt).toBe('2026-11-05T08:00:00.000Z');
    const keyA = bill.lines.filter((l) => l.keyArn === KEY_A);
    expect(keyA).toEqual([
      {
        account: OWNER,
        region: 'us-east-1',
        usageType: 'us-east-1-KMS-Keys',
        category: 'key-months',
        operation: 'CreateKey',
        keyArn: KEY_A,
        lineItemType: 'Usage',
        quantity: '0.064516129',
        amount: '0.064516129',
      },
      {
        account: OWNER,
        region: 'us-east-1',
        usageType: 'us-east-1-KMS-Requests',
        category: 'KMS-Requests',
        operation: 'Decrypt',
        keyArn: KEY_A,
        lineItemType: 'Usage',
        quantity: '20000',
        amount: '0.06',
      },
    ]);
    expect(bill.lines.find((l) => l.keyArn === KEY_B)).toMatchObject({
      account: OTHER,
      region: 'eu-west-1',
      category: 'KMS-Requests-Asymmetric',
      quantity: '3000',
      amount: '0.045',
    });
    expect(bill.lines.find((l) => l.lineItemType === 'Credit')).toMatchObject({
      keyArn: null,
      amount: '-0.01',
    });
    expect(bill.lines.find((l) => l.operation === 'ListKeys')).toMatchObject({ keyArn: null, quantity: '7' });
    // No EC2 line, nothing from the stale file or September.
    expect(bill.lines).toHaveLength(5);
    expect(sum(bill.lines, (l) => l.amount)).toBe('0.159537129');
    expect(bill.readCost).toContain('2 Parquet files');
    expect(bill.readCost).toMatch(/row groups \([1-9]\d* skipped by their statistics\)/);
    expect(bill.readCost).toContain('1 Parquet files of earlier deliveries not read');
    // Parquet files are read by byte ranges only; the manifest is the one whole (bounded) read.
    const parquetGets = gets.filter((g) => g.key.endsWith('.parquet'));
    expect(parquetGets.length).toBeGreaterThan(2);
    expect(parquetGets.every((g) => /^bytes=\d+-\d+$/.test(g.range ?? ''))).toBe(true);
    expect(
      gets.some((g) => g.key.includes('stale') || g.key.includes('2026-09') || g.key.includes('/old/')),
    ).toBe(false);
  });

  it('says the bill is estimated while bill_invoice_id is empty, and finds the export under its prefix', async () => {
    await putFile(`${PARTITION}kms-report-cur-00001.snappy.parquet`, 'estimated.parquet');

    const bill = await read('cur/');

    expect(bill.status).toBe('estimated');
    expect(bill.statusDetail).toContain('bill_invoice_id is empty on 4 KMS line items');
    expect(bill.readCost).toContain('no manifest');
    expect(sum(bill.lines, (l) => l.amount)).toBe('0.124516129');
  });

  it('makes a file that is not Parquet a gap naming its key, and reads the others', async () => {
    const good = `${PARTITION}kms-report-cur-00001.snappy.parquet`;
    const bad = `${PARTITION}kms-report-cur-00002.snappy.parquet`;
    const truncated = `${PARTITION}kms-report-cur-00003.snappy.parquet`;
    await putFile(good, 'one.parquet');
    await put(bad, Buffer.from('PAR1 this is not a parquet file at all, just text PAR1'));
    // The footer intact, every column chunk overwritten: the damage is found when a row group is read.
    const damaged = Buffer.from(readFileSync(file('two.parquet')));
    const footer = damaged.readInt32LE(damaged.length - 8);
    damaged.fill(0xff, 4, damaged.length - footer - 8);
    await put(truncated, damaged);

    const bill = await read('cur', 'kms-report-cur');

    expect(bill.gaps).toHaveLength(2);
    expect(bill.gaps[0]).toContain(`s3://${BUCKET}/${bad} not read`);
    expect(bill.gaps[1]).toContain(`s3://${BUCKET}/${truncated} not read`);
    // The good file is all there; nothing of the damaged one.
    expect(sum(bill.lines, (l) => l.amount)).toBe('0.124516129');
    expect(bill.lines.some((l) => l.keyArn === KEY_B)).toBe(false);
  });

  it('reads decimal-typed money exactly, refuses a file without a CUR column, and says when the export has no resource ids', async () => {
    await putFile(`${PARTITION}a.parquet`, 'decimal.parquet');
    await putFile(`${PARTITION}b.parquet`, 'no-usage-type.parquet');

    const bill = await read('cur/kms-report-cur');

    expect(sum(bill.lines, (l) => l.amount)).toBe('0.124516129');
    expect(bill.lines.find((l) => l.usageType === 'us-east-1-KMS-Keys')?.quantity).toBe('0.064516129');
    expect(bill.gaps).toEqual([
      expect.stringMatching(/b\.parquet not read: not a CUR 2\.0 file: no column line_item_usage_type/),
    ]);

    await putFile(`${PARTITION}b.parquet`, 'no-resources.parquet');
    await putFile(`${PARTITION}a.parquet`, 'no-resources.parquet');
    const coarse = await read('cur/kms-report-cur');
    expect(coarse.granularity).toBe('usage-type');
    expect(coarse.lines.every((l) => l.keyArn === null)).toBe(true);
    expect(coarse.gaps.join()).toContain('INCLUDE_RESOURCES');
  });

  it('says what is missing when the month has no files, or the bucket cannot be read', async () => {
    const none = await read();
    expect(none.status).toBe('unknown');
    expect(none.lines).toEqual([]);
    expect(none.gaps[0]).toContain('no CUR 2.0 Parquet file for 2026-10');

    const elsewhere = await readCurBill({
      month: '2026-10',
      location: { kind: 's3', client: s3, bucket: 'no-such-bucket' },
      prefix: 'cur',
    });
    expect(elsewhere.gaps[0]).toMatch(/could not be listed: NoSuchBucket/);
  });

  it('streams an export of hundreds of thousands of rows to the writer’s own totals', async () => {
    await putFile(`${PARTITION}kms-report-cur-00001.snappy.parquet`, 'large.parquet');

    const bill = await read();

    expect(bill.status).toBe('final');
    expect(bill.gaps).toEqual([]);
    const byType = new Map<string, BillLine[]>();
    for (const l of bill.lines) byType.set(l.usageType, [...(byType.get(l.usageType) ?? []), l]);
    for (const [usageType, totals] of Object.entries(large.kms_totals)) {
      const lines = byType.get(usageType) ?? [];
      expect({
        usageType,
        quantity: sum(lines, (l) => l.quantity),
        amount: sum(lines, (l) => l.amount),
      }).toEqual({
        usageType,
        quantity: new Dec(totals.quantity).toFixed(),
        amount: new Dec(totals.amount).toFixed(),
      });
    }
    expect(bill.readCost).toContain(`${large.rows} rows, ${large.kms_rows} of them KMS`);
    // No read is anywhere near the file's size: a row group's columns at a time.
    const size = readFileSync(file('large.parquet')).length;
    const biggest = Math.max(
      ...gets.map((g) => {
        const [from, to] = (g.range ?? 'bytes=0-0').slice(6).split('-').map(Number);
        return (to as number) - (from as number) + 1;
      }),
    );
    expect(biggest).toBeLessThan(size / 4);
  });
});
