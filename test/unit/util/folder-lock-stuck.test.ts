import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// A stale lock that cannot be moved aside: another user's lock in a shared folder with the sticky
// bit (EPERM), or a Windows EBUSY. The rename of a lock to `.stale-*` fails; everything else is real.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      if (String(to).includes('.lock.stale-') && String(from).endsWith('.stuck.lock'))
        throw Object.assign(new Error('EPERM: operation not permitted, rename'), { code: 'EPERM' });
      return actual.rename(from, to);
    },
  };
});

const { FolderLockedError, lockFolder } = await import('../../../src/util/folder-lock.js');

/** A lock left by a run that died on this host (a pid no process has). */
async function deadRunsLock(parent: string, month: string): Promise<string> {
  const lock = join(parent, `.${month}.lock`);
  await mkdir(lock, { recursive: true });
  const owner = { pid: 4_000_000, host: hostname(), startedAt: new Date().toISOString(), token: 'dead' };
  await writeFile(join(lock, 'owner.json'), JSON.stringify(owner));
  return lock;
}

describe('a stale lock that cannot be removed', () => {
  it('fails at once naming the lock and the cause, instead of spinning past the wait', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'kms-report-lock-stale-'));
    const lock = await deadRunsLock(parent, 'stuck');
    const attempt = lockFolder(join(parent, 'stuck'), { waitMs: 60_000 });
    await expect(attempt).rejects.toThrow(FolderLockedError);
    await expect(attempt).rejects.toThrow(`${lock} is left by a run that no longer holds it`);
    await expect(attempt).rejects.toThrow('(EPERM)');
    // The dead run's lock is left as it was, and no temporary folder of this attempt remains.
    expect(JSON.parse(await readFile(join(lock, 'owner.json'), 'utf8')).token).toBe('dead');
    expect((await readdir(parent)).sort()).toEqual(['.stuck.lock']);
  });

  it('a lock that can be moved is still taken over, and released without leftovers', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'kms-report-lock-stale-'));
    await deadRunsLock(parent, '2026-10');
    const held = await lockFolder(join(parent, '2026-10'), { waitMs: 60_000 });
    await held.assertHeld();
    await held.release();
    expect(await readdir(parent)).toEqual([]);
  });
});
