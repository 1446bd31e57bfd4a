import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/util/atomic-write.js';

describe('writeFileAtomic', () => {
  it('writes contents given in pieces (text and bytes, more than a write block) exactly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kms-report-atomic-'));
    const pieces: (string | Uint8Array)[] = [];
    for (let i = 0; i < 40_000; i++) pieces.push(`"line ${i}", "€ ünïcødé"\n`);
    pieces.splice(100, 0, Buffer.from([0xe2, 0x82, 0xac]), '');
    const expected = Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    await writeFileAtomic(join(dir, 'out.json'), pieces);
    expect((await readFile(join(dir, 'out.json'))).equals(expected)).toBe(true);
    expect(expected.length).toBeGreaterThan(1 << 20);
    expect(await readdir(dir)).toEqual(['out.json']);
  });

  it('leaves the previous file when producing the pieces fails, and no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kms-report-atomic-'));
    const path = join(dir, 'out.json');
    await writeFileAtomic(path, 'previous');
    function* failing() {
      yield 'x'.repeat(2 << 20);
      throw new Error('renderer broke');
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow('renderer broke');
    expect(await readFile(path, 'utf8')).toBe('previous');
    expect(await readdir(dir)).toEqual(['out.json']);
  });
});
