import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InterruptedError, KmsReportError } from '../errors.js';
import { HOUR_MS } from './month.js';

/**
 * How long a run waits for another run writing the same report folder before it gives up: 60 s.
 * Writing a report set takes seconds; a holder still there after this is stuck or very large.
 */
export const LOCK_WAIT_MS = 60_000;

/** How often a waiting run looks at the lock again: 100 ms. */
export const LOCK_POLL_MS = 100;

/**
 * A lock older than this (1 hour) is taken over even when its process cannot be checked (it was
 * taken on another host sharing the folder, or the pid was reused): no report set takes that long
 * to write. On the same host, a lock whose process is no longer running is taken over at once.
 */
export const LOCK_STALE_AFTER_MS = HOUR_MS;

/** Who holds a lock, as written in its `owner.json`. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  /** Tells this run's lock from another's with the same pid (several writes in one process). */
  readonly token: string;
}

/** Another run holds the lock of a folder and did not let go in time. */
export class FolderLockedError extends KmsReportError {
  override readonly name = 'FolderLockedError';
}

const OWNER_FILE = 'owner.json';

/** True when a process of this host with that id is running (or runs as another user). */
export function isProcessAlive(pid: number): boolean {
  // 0 and negative numbers address process groups, not a process.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.startedAt === 'string')
      return { pid: o.pid, host: o.host, startedAt: o.startedAt, token: String(o.token ?? '') };
  } catch {
    // Unreadable: the holder is unknown; only its age can free the lock.
  }
  return null;
}

function describeOwner(owner: LockOwner | null): string {
  return owner
    ? `process ${owner.pid} on ${owner.host}, since ${owner.startedAt}`
    : 'an unknown process (its owner.json is unreadable)';
}

/** Why a held lock may be taken over, or null while its holder may still be writing. */
function staleReason(owner: LockOwner | null, modifiedMs: number, nowMs: number): string | null {
  if (owner && owner.host === hostname() && !isProcessAlive(owner.pid))
    return `process ${owner.pid} is no longer running`;
  const started = owner ? Date.parse(owner.startedAt) : Number.NaN;
  const age = nowMs - (Number.isFinite(started) ? started : modifiedMs);
  return age > LOCK_STALE_AFTER_MS ? `it is older than ${LOCK_STALE_AFTER_MS / 60_000} minutes` : null;
}

const tag = () => `${process.pid}-${randomBytes(6).toString('hex')}`;

/** The names this module gives its temporary folders beside `.<name>.lock`. */
export function lockLeftoverPattern(lockName: string): RegExp {
  return new RegExp(`^${escapeRegExp(lockName)}\\.(?:new|stale)-(\\d+)-[0-9a-f]{12}$`);
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A held lock: release it in `finally`. */
export interface FolderLock {
  readonly path: string;
  /** Throws when another run took the lock over (it judged this one stale). */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the lock of `folder`: the folder `.<name>.lock` beside it, holding `owner.json` (pid, host,
 * start time). The lock folder is made complete under a temporary name and renamed into place, so
 * it is atomic and never seen without its owner. A lock whose process is gone (same host) or that
 * is older than {@link LOCK_STALE_AFTER_MS} is taken over. Otherwise waits, looking every
 * {@link LOCK_POLL_MS}, up to `waitMs` (default {@link LOCK_WAIT_MS}), then throws
 * {@link FolderLockedError} naming the folder and the holder. `signal` stops the wait
 * ({@link InterruptedError}).
 */
export async function lockFolder(
  folder: string,
  options: { readonly signal?: AbortSignal; readonly waitMs?: number } = {},
): Promise<FolderLock> {
  const parent = dirname(folder);
  const lockPath = join(parent, `.${basename(folder)}.lock`);
  const deadline = Date.now() + (options.waitMs ?? LOCK_WAIT_MS);
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(owner)}\n`;
  await mkdir(parent, { recursive: true });
  for (;;) {
    if (options.signal?.aborted)
      throw new InterruptedError(
        `stopped (Ctrl-C or SIGTERM) while waiting to write ${folder}: nothing was written`,
      );
    const fresh = `${lockPath}.new-${tag()}`;
    await mkdir(fresh);
    let taken = false;
    try {
      await writeFile(join(fresh, OWNER_FILE), text, { flag: 'wx' });
      await rename(fresh, lockPath);
      taken = true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY' && code !== 'EPERM') throw error;
    } finally {
      if (!taken) await rm(fresh, { recursive: true, force: true });
    }
    if (taken) return heldLock(lockPath, text);

    const seen = await readFile(join(lockPath, OWNER_FILE), 'utf8').catch(() => null);
    const modified = await stat(lockPath).then(
      (s) => s.mtimeMs,
      () => null,
    );
    if (modified === null) continue; // released meanwhile: try again at once
    const holder = seen === null ? null : parseOwner(seen);
    if (staleReason(holder, modified, Date.now()) !== null) {
      // A stale lock that cannot be moved (another user's in a sticky folder, a Windows EBUSY)
      // fails at once instead of spinning: the takeover said why.
      await takeOver(lockPath, seen);
      continue;
    }
    if (Date.now() >= deadline)
      throw new FolderLockedError(
        `${folder} is being written by another kms-report run (${describeOwner(holder)}); waited ${Math.round((options.waitMs ?? LOCK_WAIT_MS) / 1000)} s. Run again when it has finished, or remove ${lockPath} if no such run exists`,
      );
    try {
      await sleep(LOCK_POLL_MS, undefined, { signal: options.signal });
    } catch {
      // Aborted: the loop's check says so.
    }
  }
}

/**
 * Moves a stale lock aside and removes it. When what was moved is not the lock judged stale
 * (another run took it over and locked again meanwhile), it is put back.
 */
async function takeOver(lockPath: string, judged: string | null): Promise<void> {
  const grave = `${lockPath}.stale-${tag()}`;
  try {
    await rename(lockPath, grave);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return; // gone meanwhile: the next attempt sees what is there now
    throw new FolderLockedError(
      `${lockPath} is left by a run that no longer holds it, but it cannot be removed (${code ?? (error as Error).message}); remove it by hand and run again`,
      { cause: error },
    );
  }
  const moved = await readFile(join(grave, OWNER_FILE), 'utf8').catch(() => null);
  if (moved !== judged) {
    const restored = await rename(grave, lockPath).then(
      () => true,
      () => false,
    );
    if (restored) return;
  }
  await rm(grave, { recursive: true, force: true });
}

function heldLock(lockPath: string, text: string): FolderLock {
  const held = async () => (await readFile(join(lockPath, OWNER_FILE), 'utf8').catch(() => null)) === text;
  return {
    path: lockPath,
    async assertHeld() {
      if (!(await held()))
        throw new KmsReportError(
          `the lock ${lockPath} was taken over by another run (this one was judged stale); nothing was written`,
        );
    },
    async release() {
      // Moved aside under a name of its own first, then checked there: removing it in place
      // could remove a lock another run renamed onto the folder while it was being emptied.
      const grave = `${lockPath}.stale-${tag()}`;
      const moved = await rename(lockPath, grave).then(
        () => true,
        () => false,
      );
      if (!moved) return;
      const owner = await readFile(join(grave, OWNER_FILE), 'utf8').catch(() => null);
      if (owner !== text) {
        // Not ours (taken over meanwhile): put it back as it was.
        const restored = await rename(grave, lockPath).then(
          () => true,
          () => false,
        );
        if (restored) return;
      }
      await rm(grave, { recursive: true, force: true });
    },
  };
}

/**
 * Removes the temporary folders of lock attempts whose process is gone (`.<name>.lock.new-*`,
 * `.<name>.lock.stale-*` of a run killed midway). Best effort.
 */
export async function removeLockLeftovers(folder: string): Promise<void> {
  const parent = dirname(folder);
  const pattern = lockLeftoverPattern(`.${basename(folder)}.lock`);
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const m = pattern.exec(name);
    if (m && !isProcessAlive(Number(m[1])))
      await rm(join(parent, name), { recursive: true, force: true }).catch(() => {});
  }
}
