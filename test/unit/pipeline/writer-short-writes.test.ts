import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Every write takes at most 1,000 bytes, as a nearly full disk or a pipe would.
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    open: async (...args: Parameters<typeof fs.open>) => {
      const handle = await fs.open(...args);
      const write = handle.write.bind(handle) as (
        b: Uint8Array,
        o: number,
        l: number,
      ) => Promise<{ bytesWritten: number }>;
      return Object.assign(handle, {
        write: (buffer: Uint8Array, offset = 0, length = buffer.length - offset) =>
          write(buffer, offset, Math.min(length, 1_000)),
      });
    },
  };
});

const { writeReportSet } = await import('../../../src/pipeline/writer.js');

describe('writeReportSet when the system writes less than it was given', () => {
  it('writes on until every byte is there, and the manifest describes the file on disk', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'kms-report-short-')), '2026-10');
    const text = 'KEY_ARN,TOTAL\r\n'.repeat(20_000);
    const manifest = await writeReportSet(
      dir,
      [{ name: 'keys.csv', contents: [text.slice(0, 7), text.slice(7)] }],
      {
        generatedAt: '2026-11-01T02:00:00.000Z',
        toolVersion: '0.1.0',
      },
    );
    const written = await readFile(join(dir, 'keys.csv'));
    expect(written.toString('utf8')).toBe(text);
    expect(manifest.files).toEqual([
      { name: 'keys.csv', bytes: written.length, sha256: createHash('sha256').update(written).digest('hex') },
    ]);
  });
});
