import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputError } from '../../../src/errors.js';
import { runMonthlyReport } from '../../../src/pipeline/run.js';
import { writeFileAtomic } from '../../../src/util/atomic-write.js';
import { explainWriteError } from '../../../src/util/fs-errors.js';

const errno = (code: string, path: string) =>
  Object.assign(new Error(`${code}: failed, mkdir '${path}'`), { code, path, syscall: 'mkdir' });

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'kms-report-fs-errors-'));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('explainWriteError', () => {
  it.each([
    ['EROFS', 'the file system is read-only (EROFS)'],
    ['EACCES', 'permission denied (EACCES)'],
    ['ENOSPC', 'no space left on the device (ENOSPC)'],
  ])('%s names the folder and the cause', async (code, words) => {
    const folder = join(base, 'reports');
    const e = await explainWriteError(errno(code, folder), folder);
    expect(e).toBeInstanceOf(OutputError);
    expect((e as Error).message).toBe(`cannot write to ${folder}: ${words}`);
  });

  it('turns the ENOENT of mkdir on a read-only mount into the mount being read-only', async () => {
    // Node's recursive mkdir says ENOENT on a read-only file system (reproduced on a tmpfs
    // mounted ro); the closest existing folder's own check says why. Root ignores permissions,
    // so the check is injected here.
    const folder = join(base, 'reports', '111122223333', '2026-10');
    const e = await explainWriteError(errno('ENOENT', join(base, 'reports')), folder, async () => 'EROFS');
    expect((e as Error).message).toBe(
      `cannot write to ${folder}: the file system is read-only (EROFS at ${base})`,
    );
  });

  it('says when a part of the path is a file', async () => {
    await writeFile(join(base, 'reports'), 'not a folder');
    const folder = join(base, 'reports', '2026-10');
    const e = await explainWriteError(errno('ENOENT', folder), folder);
    expect((e as Error).message).toContain(`${join(base, 'reports')} is a file, not a folder`);
  });

  it('leaves other errors as they are', async () => {
    const other = new Error('boom');
    expect(await explainWriteError(other, base)).toBe(other);
  });
});

describe('writers report file-system failures as OutputError', () => {
  it('writeFileAtomic under a file names the folder', async () => {
    await writeFile(join(base, 'blocker'), 'x');
    const run = writeFileAtomic(join(base, 'blocker', 'sub', 'inventory.json'), '{}');
    await expect(run).rejects.toThrow(OutputError);
    await expect(run).rejects.toThrow(`cannot write to ${join(base, 'blocker', 'sub')}`);
  });

  it('the monthly report names the report folder', async () => {
    await writeFile(join(base, 'blocker'), 'x');
    const run = runMonthlyReport({ evidence: { kind: 'demo' }, output: { dir: join(base, 'blocker') } });
    await expect(run).rejects.toThrow(OutputError);
    await expect(run).rejects.toThrow(`cannot write to ${join(base, 'blocker')}`);
  });
});
