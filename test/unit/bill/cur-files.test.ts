import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decimalOf } from '../../../src/bill/cur-columns.js';
import { curMonthFiles, findExportFolder, folderKey } from '../../../src/bill/cur-files.js';
import { folderStore } from '../../../src/bill/object-store.js';

let root: string;
const put = (key: string, body = 'x', mtime?: string) => {
  const path = join(root, ...key.split('/'));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body);
  if (mtime) utimesSync(path, new Date(mtime), new Date(mtime));
};
const manifest = (files: string[]) =>
  JSON.stringify({ executionId: 'exec-1', dataFiles: files.map((f) => `s3://b/${f}`) });
const PART = 'cur/exp/data/BILLING_PERIOD=2026-10/';
const META = 'cur/exp/metadata/BILLING_PERIOD=2026-10/';

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kms-report-cur-files-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the month files of a CUR 2.0 export', () => {
  it('reads the latest manifest’s files only, and names what it left out', async () => {
    put(`${PART}exec-0/exp-00001.snappy.parquet`, 'x', '2026-11-01T00:00:00Z');
    put(`${PART}exec-1/exp-00001.snappy.parquet`, 'x', '2026-11-02T00:00:00Z');
    put(`${PART}exec-1/exp-00002.snappy.parquet`, 'x', '2026-11-02T00:00:00Z');
    put(
      `${META}exec-0/exp-Manifest.json`,
      manifest([`${PART}exec-0/exp-00001.snappy.parquet`]),
      '2026-11-01T00:00:00Z',
    );
    put(
      `${META}exec-1/exp-Manifest.json`,
      manifest([
        `${PART}exec-1/exp-00001.snappy.parquet`,
        `${PART}exec-1/exp-00002.snappy.parquet`,
        `${PART}exec-1/exp-00003.snappy.parquet`,
        'cur/other/secret.parquet',
      ]),
      '2026-11-02T00:00:00Z',
    );
    const store = folderStore(root);

    const month = await curMonthFiles(
      store,
      await findExportFolder(store, 'cur', undefined, '2026-10'),
      '2026-10',
    );

    expect(month.exportFolder).toBe('cur/exp/');
    expect(month.files.map((f) => f.key)).toEqual([
      `${PART}exec-1/exp-00001.snappy.parquet`,
      `${PART}exec-1/exp-00002.snappy.parquet`,
    ]);
    expect(month.chosenBy).toContain(`${META}exec-1/exp-Manifest.json (execution exec-1)`);
    expect(month.gaps).toEqual([
      `${PART}exec-1/exp-00003.snappy.parquet: listed in ${META}exec-1/exp-Manifest.json but not found under ${PART}`,
      `${META}exec-1/exp-Manifest.json lists s3://b/cur/other/secret.parquet, outside ${PART}: not read`,
    ]);
    expect(month.notes).toEqual(['1 Parquet files of earlier deliveries not read (not in the manifest)']);
  });

  it('without a manifest reads the newest delivery folder, and says CSV files are not read', async () => {
    put(`${PART}a/exp-00001.snappy.parquet`, 'x', '2026-11-01T00:00:00Z');
    put(`${PART}b/exp-00001.snappy.parquet`, 'x', '2026-11-03T00:00:00Z');
    put(`${PART}b/exp-00001.csv.gz`, 'x', '2026-11-03T00:00:00Z');

    const month = await curMonthFiles(folderStore(root), 'cur/exp/', '2026-10');

    expect(month.files.map((f) => f.key)).toEqual([`${PART}b/exp-00001.snappy.parquet`]);
    expect(month.notes.join('\n')).toContain('1 gzip/CSV files not read');
    expect(month.notes.join('\n')).toContain(
      '2 delivery folders and no manifest: read the most recent one (b/)',
    );
  });

  it('refuses to guess between two exports of the month, and takes a named one', async () => {
    put(`cur/one/data/BILLING_PERIOD=2026-10/x.parquet`);
    put(`cur/two/data/BILLING_PERIOD=2026-10/x.parquet`);
    const store = folderStore(root);
    await expect(findExportFolder(store, 'cur', undefined, '2026-10')).rejects.toThrow(
      /2 exports under .* hold 2026-10: cur\/one\/, cur\/two\//,
    );
    expect(await findExportFolder(store, '/cur/', 'two', '2026-10')).toBe('cur/two/');
    expect(folderKey('', undefined)).toBe('');
  });

  it('does not follow a manifest that is not JSON', async () => {
    put(`${PART}x.parquet`);
    put(`${META}exp-Manifest.json`, '{"dataFiles": [');
    await expect(curMonthFiles(folderStore(root), 'cur/exp/', '2026-10')).rejects.toThrow(
      /exp-Manifest.json: not JSON/,
    );
  });
});

describe('money as read from a CUR column', () => {
  it('is the exact decimal AWS wrote, whatever the Parquet type', () => {
    expect(decimalOf(0.1 + 0.2, { as: 'float' })).toBe('0.30000000000000004');
    expect(decimalOf(0.0322580645, { as: 'float' })).toBe('0.0322580645');
    expect(decimalOf(1e-7, { as: 'float' })).toBe('1e-7');
    expect(decimalOf(Number.NaN, { as: 'float' })).toBeNull();
    expect(decimalOf(-1234567n, { as: 'decimal', scale: 10 })).toBe('-0.0001234567');
    expect(decimalOf(new Uint8Array([0xff, 0xfe]), { as: 'decimal', scale: 2 })).toBe('-0.02');
    expect(decimalOf(new Uint8Array([0x01, 0x00]), { as: 'decimal', scale: 0 })).toBe('256');
    expect(decimalOf(' 12.50 ', { as: 'text' })).toBe('12.50');
    expect(decimalOf('12,50', { as: 'text' })).toBeNull();
  });
});

describe('an export found at the bucket root (no prefix)', () => {
  it('finds the one export that holds the month, whatever else is at the root', async () => {
    put('kms-report-demo/data/BILLING_PERIOD=2026-10/kms-report-demo-00001.snappy.parquet');
    put('kms-report-demo/metadata/BILLING_PERIOD=2026-10/kms-report-demo-Manifest.json', '{}');
    put('README.txt');
    put('other-export/data/BILLING_PERIOD=2026-09/other-00001.snappy.parquet');
    expect(await findExportFolder(folderStore(root), '', undefined, '2026-10')).toBe('kms-report-demo/');
  });

  it("reads the demo's bill from demo/cur without its export's name", async () => {
    const { readCurBill } = await import('../../../src/bill/cur.js');
    const bill = await readCurBill({ month: '2026-10', location: { kind: 'folder', path: 'demo/cur' } });
    expect(bill).toMatchObject({ source: 'cur', granularity: 'key', gaps: [] });
    expect(bill.readCost).toContain('kms-report-demo');
    expect(bill.lines.length).toBeGreaterThan(0);
  });
});

describe('a manifest that lists a file twice', () => {
  it('reads the file once (the bill is not doubled) and names the repeated entry in a gap', async () => {
    const { cpSync, readFileSync } = await import('node:fs');
    const { readCurBill } = await import('../../../src/bill/cur.js');
    cpSync('demo/cur', root, { recursive: true });
    const path = join(root, 'kms-report-demo/metadata/BILLING_PERIOD=2026-10/kms-report-demo-Manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { dataFiles: string[] };
    writeFileSync(
      path,
      JSON.stringify({ ...manifest, dataFiles: [...manifest.dataFiles, ...manifest.dataFiles] }),
    );
    const total = (lines: readonly { amount: string }[]) =>
      lines.reduce((s, l) => s + Number(l.amount), 0).toFixed(6);

    const once = await readCurBill({ month: '2026-10', location: { kind: 'folder', path: 'demo/cur' } });
    const twice = await readCurBill({ month: '2026-10', location: { kind: 'folder', path: root } });

    expect(total(twice.lines)).toBe(total(once.lines));
    expect(twice.gaps).toEqual([
      expect.stringMatching(
        /kms-report-demo-Manifest\.json lists kms-report-demo\/data\/BILLING_PERIOD=2026-10\/kms-report-demo-00001\.snappy\.parquet more than once: read once$/,
      ),
    ]);
  });
});
