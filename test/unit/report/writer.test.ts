import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReportSet } from '../../../src/report/writer.js';

const meta = { generatedAt: '2026-11-01T02:00:00.000Z', toolVersion: '0.1.0' };

async function tempDir() {
  return mkdtemp(join(tmpdir(), 'kms-report-writer-'));
}

describe('writeReportSet', () => {
  it('writes the files with a manifest and SHA256SUMS that verify them', async () => {
    const root = await tempDir();
    const dir = join(root, '111122223333', '2026-10');
    const manifest = await writeReportSet(
      dir,
      [
        { name: 'report.md', contents: '# KMS report\n' },
        { name: 'keys.csv', contents: 'ARN\n' },
      ],
      meta,
    );
    expect((await readdir(dir)).sort()).toEqual(['SHA256SUMS', 'keys.csv', 'manifest.json', 'report.md']);
    expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    for (const entry of manifest.files) {
      const bytes = await readFile(join(dir, entry.name));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
      expect(bytes.length).toBe(entry.bytes);
    }
    expect(await readFile(join(dir, 'SHA256SUMS'), 'utf8')).toBe(
      manifest.files.map((f) => `${f.sha256}  ${f.name}\n`).join(''),
    );
    // Nothing else is left in the parent folder.
    expect(await readdir(join(root, '111122223333'))).toEqual(['2026-10']);
  });

  it('replaces a previous report set whole: no stale file survives', async () => {
    const root = await tempDir();
    const dir = join(root, '2026-10');
    await mkdir(dir);
    await writeFile(join(dir, 'stale.csv'), 'old');
    await writeReportSet(dir, [{ name: 'report.md', contents: 'new' }], meta);
    expect((await readdir(dir)).sort()).toEqual(['SHA256SUMS', 'manifest.json', 'report.md']);
    expect(await readdir(root)).toEqual(['2026-10']);
  });

  it('leaves the previous report set intact when writing fails midway', async () => {
    const root = await tempDir();
    const dir = join(root, '2026-10');
    await writeReportSet(dir, [{ name: 'report.md', contents: 'previous' }], meta);
    // The contents can be hashed, then fail when written: the staging folder is half full.
    let reads = 0;
    const failing = {
      name: 'keys.csv',
      get contents(): string {
        reads += 1;
        if (reads > 2) throw new Error('disk full');
        return 'ARN\n';
      },
    };
    await expect(
      writeReportSet(dir, [{ name: 'report.md', contents: 'next' }, failing], meta),
    ).rejects.toThrow('disk full');
    expect(reads).toBe(3);
    expect(await readFile(join(dir, 'report.md'), 'utf8')).toBe('previous');
    expect(await readdir(root)).toEqual(['2026-10']);
  });

  it('refuses a file name that would leave the folder', async () => {
    const root = await tempDir();
    await expect(writeReportSet(join(root, 'x'), [{ name: '../evil', contents: '' }], meta)).rejects.toThrow(
      'not a plain file name',
    );
    expect(await readdir(root)).toEqual([]);
  });
});
