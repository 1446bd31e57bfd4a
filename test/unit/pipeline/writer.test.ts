import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReportSet } from '../../../src/pipeline/writer.js';

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

  it('leaves the previous report set intact when rendering fails midway through a file', async () => {
    const root = await tempDir();
    const dir = join(root, '2026-10');
    await writeReportSet(dir, [{ name: 'report.md', contents: 'previous' }], meta);
    // The second file's rows fail after some have been written: the staging folder is half full.
    let rows = 0;
    function* failing() {
      for (;;) {
        rows += 1;
        if (rows > 3) throw new Error('renderer broke');
        yield 'x'.repeat(1 << 20);
      }
    }
    await expect(
      writeReportSet(
        dir,
        [
          { name: 'report.md', contents: 'next' },
          { name: 'keys.csv', contents: failing() },
        ],
        meta,
      ),
    ).rejects.toThrow('renderer broke');
    expect(rows).toBe(4);
    expect(await readFile(join(dir, 'report.md'), 'utf8')).toBe('previous');
    expect(await readdir(root)).toEqual(['2026-10']);
  });

  it('writes contents given in pieces (text and bytes) exactly, and hashes what it wrote', async () => {
    const root = await tempDir();
    const dir = join(root, '2026-10');
    // Many small pieces, multi-byte characters, bytes between texts, more than one write block.
    const pieces: (string | Uint8Array)[] = [];
    for (let i = 0; i < 30_000; i++) pieces.push(`row ${i},€ ünïcødé,${'z'.repeat(i % 97)}\r\n`);
    pieces.splice(10, 0, Buffer.from([0xe2, 0x82, 0xac]), new Uint8Array(0), '');
    const expected = Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    const manifest = await writeReportSet(dir, [{ name: 'keys.csv', contents: pieces }], meta);
    const written = await readFile(join(dir, 'keys.csv'));
    expect(written.equals(expected)).toBe(true);
    expect(expected.length).toBeGreaterThan(2 * (1 << 20));
    expect(manifest.files).toEqual([
      {
        name: 'keys.csv',
        bytes: expected.length,
        sha256: createHash('sha256').update(expected).digest('hex'),
      },
    ]);
  });

  it('refuses a file name that would leave the folder', async () => {
    const root = await tempDir();
    await expect(writeReportSet(join(root, 'x'), [{ name: '../evil', contents: '' }], meta)).rejects.toThrow(
      'not a plain file name',
    );
    expect(await readdir(root)).toEqual([]);
  });
});
