import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../../src/errors.js';
import { writeReportSet } from '../../../src/pipeline/writer.js';
import { FolderLockedError, LOCK_STALE_AFTER_MS } from '../../../src/util/folder-lock.js';

const meta = { generatedAt: '2026-11-01T02:00:00.000Z', toolVersion: '0.1.0' };
const WRITER = resolve('src/pipeline/writer.ts');
const TSX = resolve('node_modules/tsx/dist/esm/index.mjs');

async function tempDir() {
  return mkdtemp(join(tmpdir(), 'kms-report-writer-faults-'));
}

/** The id of a process that has ended (so no process of this host has it, for now). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid as number;
}

/** Every file SHA256SUMS names has that hash, and the set holds exactly those files plus the two lists. */
async function verifySet(dir: string): Promise<string> {
  const sums = await readFile(join(dir, 'SHA256SUMS'), 'utf8');
  const listed = sums
    .trim()
    .split('\n')
    .map((line) => line.split('  ') as [string, string]);
  for (const [sha, name] of listed)
    expect(
      createHash('sha256')
        .update(await readFile(join(dir, name)))
        .digest('hex'),
    ).toBe(sha);
  expect((await readdir(dir)).sort()).toEqual(
    [...listed.map(([, n]) => n), 'SHA256SUMS', 'manifest.json'].sort(),
  );
  return readFile(join(dir, 'report.md'), 'utf8');
}

async function holdLock(dir: string, owner: Record<string, unknown>) {
  const lock = join(dir, '..', '.2026-10.lock');
  await mkdir(lock);
  await writeFile(join(lock, 'owner.json'), JSON.stringify(owner));
  return lock;
}

/** Runs a script in a child process with the TypeScript sources loaded. */
function child(script: string, cwd: string): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function exitOf(p: ChildProcess): Promise<number | null> {
  return new Promise((done) => p.on('exit', (code) => done(code)));
}

describe('writeReportSet: runs writing the same folder at once', () => {
  it('lets parallel calls in one process take turns: all succeed, one complete set, nothing left', async () => {
    const root = await tempDir();
    const dir = join(root, '111122223333', '2026-10');
    const writes = Array.from({ length: 12 }, (_, i) =>
      writeReportSet(
        dir,
        [
          { name: 'report.md', contents: `run ${i}\n` },
          { name: 'keys.csv', contents: `ARN,${i}\n`.repeat(2000) },
        ],
        meta,
      ),
    );
    const results = await Promise.allSettled(writes);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await verifySet(dir)).toMatch(/^run \d+\n$/);
    expect(await readdir(join(root, '111122223333'))).toEqual(['2026-10']);
  });

  it('lets several processes write the same folder: every write succeeds and one complete set remains', async () => {
    const root = await tempDir();
    const dir = join(root, '111122223333', '2026-10');
    const script = (n: number) => `
        const { writeReportSet } = await import(${JSON.stringify(WRITER)});
        for (let i = 0; i < 15; i++)
          await writeReportSet(${JSON.stringify(dir)}, [
            { name: 'report.md', contents: 'process ${n} write ' + i + '\\n' },
            { name: 'keys.csv', contents: 'ARN\\n'.repeat(5000) },
          ], ${JSON.stringify(meta)});
      `;
    const children = [0, 1, 2].map((n) => child(script(n), root));
    const errors = children.map((c) => {
      let text = '';
      c.stderr?.on('data', (d) => {
        text += String(d);
      });
      return () => text;
    });
    const codes = await Promise.all(children.map(exitOf));
    expect(errors.map((e) => e())).toEqual(['', '', '']);
    expect(codes).toEqual([0, 0, 0]);
    expect(await verifySet(dir)).toMatch(/^process \d write 14\n$/);
    expect(await readdir(join(root, '111122223333'))).toEqual(['2026-10']);
  }, 120_000);

  it('waits for a live holder, then fails naming the folder and the holder, having written nothing', async () => {
    const root = await tempDir();
    const dir = join(root, '2026-10');
    await writeReportSet(dir, [{ name: 'report.md', contents: 'previous\n' }], meta);
    const lock = await holdLock(dir, {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      token: 'someone-else',
    });
    const running = writeReportSet(dir, [{ name: 'report.md', contents: 'next\n' }], meta, {
      lockWaitMs: 300,
    });
    await expect(running).rejects.toThrow(FolderLockedError);
    await expect(running).rejects.toThrow(
      `${dir} is being written by another kms-report run (process ${process.pid} on ${hostname()}`,
    );
    expect(await verifySet(dir)).toBe('previous\n');
    expect((await readdir(root)).sort()).toEqual(['.2026-10.lock', '2026-10']);
    expect(JSON.parse(await readFile(join(lock, 'owner.json'), 'utf8')).token).toBe('someone-else');
  });

  it('takes over the lock of a process that is gone, and one older than the bound from another host', async () => {
    const root = await tempDir();
    const dir = join(root, '2026-10');
    await holdLock(dir, { pid: deadPid(), host: hostname(), startedAt: new Date().toISOString() });
    await writeReportSet(dir, [{ name: 'report.md', contents: 'after a dead run\n' }], meta, {
      lockWaitMs: 0,
    });
    expect(await verifySet(dir)).toBe('after a dead run\n');
    await holdLock(dir, {
      pid: 1,
      host: 'another-host',
      startedAt: new Date(Date.now() - LOCK_STALE_AFTER_MS - 60_000).toISOString(),
    });
    await writeReportSet(dir, [{ name: 'report.md', contents: 'after an old lock\n' }], meta, {
      lockWaitMs: 0,
    });
    expect(await verifySet(dir)).toBe('after an old lock\n');
    expect(await readdir(root)).toEqual(['2026-10']);
  });
});

describe('writeReportSet: what killed runs left behind', () => {
  it('removes the staging folder and lock of a run killed with SIGKILL while writing', async () => {
    const root = await tempDir();
    const dir = join(root, '2026-10');
    await writeReportSet(dir, [{ name: 'report.md', contents: 'previous\n' }], meta);
    const marker = join(root, 'writing');
    // The child writes a file, says so, and then hangs inside the write (until killed).
    const killed = child(
      `
        const { writeFileSync } = await import('node:fs');
        const { writeReportSet } = await import(${JSON.stringify(WRITER)});
        function* hanging() {
          yield Buffer.alloc(4096, 120);
          writeFileSync(${JSON.stringify(marker)}, 'x');
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
        }
        await writeReportSet(${JSON.stringify(dir)}, [{ name: 'keys.csv', contents: hanging() }], ${JSON.stringify(meta)});
      `,
      root,
    );
    const exited = exitOf(killed);
    while (!(await stat(marker).catch(() => null))) await sleep(20);
    const left = (await readdir(root)).filter((n) => n.startsWith('.2026-10.'));
    expect(left.some((n) => /^\.2026-10\.tmp-\d+-[0-9a-f]{12}$/.test(n))).toBe(true);
    expect(left).toContain('.2026-10.lock');
    killed.kill('SIGKILL');
    await exited;

    await writeReportSet(dir, [{ name: 'report.md', contents: 'next\n' }], meta, { lockWaitMs: 0 });
    expect(await verifySet(dir)).toBe('next\n');
    expect((await readdir(root)).sort()).toEqual(['2026-10', 'writing']);
  }, 120_000);

  it('removes only folders named exactly as its own staging, and puts back a set a killed run had moved aside', async () => {
    const root = await tempDir();
    const dir = join(root, '2026-10');
    const pid = deadPid();
    // A run killed between its two renames: no 2026-10, the previous set beside it.
    const moved = join(root, `.2026-10.old-${pid}-0123456789ab`);
    await mkdir(moved);
    await writeFile(join(moved, 'report.md'), 'previous\n');
    await writeFile(
      join(moved, 'SHA256SUMS'),
      `${createHash('sha256').update('previous\n').digest('hex')}  report.md\n`,
    );
    await writeFile(join(moved, 'manifest.json'), '{}\n');
    await mkdir(join(root, `.2026-10.tmp-${pid}-ba9876543210`));
    await writeFile(join(root, `.2026-10.tmp-${pid}-ba9876543210`, 'keys.csv'), 'half');
    await mkdir(join(root, `.2026-10.lock.new-${pid}-aaaaaaaaaaaa`));
    // Not ours: other names are never touched.
    for (const name of ['.2026-10.tmp-notes', '.2026-09.tmp-1-0123456789ab', 'keep.txt'])
      await writeFile(join(root, name), 'mine');

    // Stopped before anything is written: what was put back stays the report.
    const controller = new AbortController();
    function* stopping() {
      yield 'x';
      controller.abort();
      yield 'y';
    }
    await expect(
      writeReportSet(dir, [{ name: 'report.md', contents: stopping() }], meta, { signal: controller.signal }),
    ).rejects.toThrow(InterruptedError);

    expect(await verifySet(dir)).toBe('previous\n');
    expect((await readdir(root)).sort()).toEqual(
      ['.2026-09.tmp-1-0123456789ab', '.2026-10.tmp-notes', '2026-10', 'keep.txt'].sort(),
    );
  });
});

describe('writeReportSet stopped (Ctrl-C) while writing', () => {
  it.each([
    ['in the middle of a file', 1],
    ['between two files', 2],
  ])('%s: removes the staging folder, keeps the previous set, throws InterruptedError', async (_, after) => {
    const root = await tempDir();
    const dir = join(root, '2026-10');
    await writeReportSet(dir, [{ name: 'report.md', contents: 'previous\n' }], meta);
    const controller = new AbortController();
    // Stopped once the first piece is written (mid-file), or once the whole file is (between files).
    function* rows() {
      yield Buffer.alloc(1 << 20, 97);
      if (after === 1) controller.abort();
      yield Buffer.alloc(1 << 20, 98);
      if (after === 2) controller.abort();
    }
    const running = writeReportSet(
      dir,
      [
        { name: 'keys.csv', contents: rows() },
        { name: 'report.md', contents: 'next\n' },
      ],
      meta,
      { signal: controller.signal },
    );
    await expect(running).rejects.toThrow(InterruptedError);
    await expect(running).rejects.toThrow('nothing was written, the previous report set is intact');
    expect(await verifySet(dir)).toBe('previous\n');
    expect(await readdir(root)).toEqual(['2026-10']);
  });
});
