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
