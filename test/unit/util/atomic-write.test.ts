import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../../src/errors.js';
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

  it('writes the bytes of the pieces joined: a surrogate pair split across pieces stays one character', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kms-report-atomic-'));
    const emoji = '😀'; // two UTF-16 units
    const pieces: (string | Uint8Array)[] = [
      `a${emoji[0]}`,
      `${emoji[1]}b`,
      // A lone high surrogate before bytes, at the end of a block and at the very end.
      'c\ud800',
      Buffer.from('bytes'),
      'é'.repeat(400_000),
      `${'x'.repeat(700_000)}\ud83d`,
      '\ude00',
      // One piece longer than a write block, then many small ones across several blocks.
      'ü'.repeat(3 << 20),
      ...Array.from({ length: 50_000 }, (_, i) => `${i}\u20ac${i % 7 === 0 ? '\ud83d' : ''}`),
      '\ud83d',
    ];
    // What one string per run of text pieces encodes to.
    const parts: Buffer[] = [];
    let text = '';
    for (const p of pieces) {
      if (typeof p === 'string') text += p;
      else {
        parts.push(Buffer.from(text), Buffer.from(p));
        text = '';
      }
    }
    const expected = Buffer.concat([...parts, Buffer.from(text)]);
    await writeFileAtomic(join(dir, 'out.txt'), pieces);
    expect((await readFile(join(dir, 'out.txt'))).equals(expected)).toBe(true);
    expect((await readFile(join(dir, 'out.txt'), 'utf8')).startsWith(`a${emoji}bc\ufffdbytes`)).toBe(true);
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

  it('removes the temporary files that killed writes of the same file left, and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kms-report-atomic-'));
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    const leftovers = [`.out.json.tmp-${dead}-0123456789ab`, `.out.json.tmp-${dead}-ba9876543210`];
    // A write of this process in progress, another file's temporary file, and a name that only looks alike.
    const kept = [
      `.out.json.tmp-${process.pid}-aaaaaaaaaaaa`,
      `.other.json.tmp-${dead}-0123456789ab`,
      '.out.json.tmp-x',
    ];
    for (const name of [...leftovers, ...kept]) await writeFile(join(dir, name), 'half a snapshot');
    await writeFileAtomic(join(dir, 'out.json'), 'whole');
    expect(await readFile(join(dir, 'out.json'), 'utf8')).toBe('whole');
    expect((await readdir(dir)).sort()).toEqual([...kept, 'out.json'].sort());
  });

  it('stopped (Ctrl-C) while writing, keeps the previous file and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kms-report-atomic-'));
    const path = join(dir, 'out.json');
    await writeFileAtomic(path, 'previous');
    const controller = new AbortController();
    function* stopping() {
      yield Buffer.from('x'.repeat(1000));
      controller.abort();
      yield Buffer.from('y');
    }
    const running = writeFileAtomic(path, stopping(), { signal: controller.signal });
    await expect(running).rejects.toThrow(InterruptedError);
    await expect(running).rejects.toThrow(`while writing ${path}: it was not written`);
    expect(await readFile(path, 'utf8')).toBe('previous');
    expect(await readdir(dir)).toEqual(['out.json']);
  });
});
