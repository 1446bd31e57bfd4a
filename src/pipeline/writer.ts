import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InterruptedError } from '../errors.js';
import { type FileContents, writeContents } from '../util/atomic-write.js';
import { escapeRegExp, lockFolder, removeLockLeftovers } from '../util/folder-lock.js';

/** A report file's contents (see {@link FileContents}). */
export type ReportContents = FileContents;

export interface ReportFile {
  /** A plain file name (no folders). */
  readonly name: string;
  readonly contents: ReportContents;
}

export interface ManifestEntry {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface Manifest {
  readonly kind: 'kms-report/manifest';
  readonly schemaVersion: 1;
  readonly generatedAt: string;
  readonly toolVersion: string;
  readonly files: readonly ManifestEntry[];
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Writes the contents (new file, flushed to disk); returns its size and SHA-256. */
async function writeSynced(
  path: string,
  contents: ReportContents,
  signal: AbortSignal | undefined,
): Promise<{ bytes: number; sha256: string }> {
  const handle = await open(path, 'wx', 0o644);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await writeContents(
      handle,
      contents,
      (data) => {
        hash.update(data);
        bytes += data.length;
      },
      signal,
    );
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Flushes a directory's entries (best effort: some platforms cannot open a directory). */
async function syncDirectory(path: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a directory; the files themselves were flushed.
  } finally {
    await handle?.close();
  }
}

async function exists(path: string) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export interface WriteReportSetOptions {
  /**
   * Stops the write (Ctrl-C): checked between files, between the pieces of a file and before the
   * rename. The staging folder is removed, the previous report set stays as it was, and
   * {@link InterruptedError} is thrown.
   */
  readonly signal?: AbortSignal;
  /** How long to wait for another run writing the same folder (default `LOCK_WAIT_MS`, 60 s). */
  readonly lockWaitMs?: number;
}

/** The staging (`tmp`) and replaced (`old`) folders this writer makes beside `.<name>`. */
function stagingPattern(base: string): RegExp {
  return new RegExp(`^\\.${escapeRegExp(base)}\\.(tmp|old)-\\d+-[0-9a-f]{12}$`);
}

/**
 * Under the folder's lock: removes what runs killed midway left beside `dir` (staging folders and
 * replaced sets, by their exact names only). A run killed between its two renames left no `dir`
 * but the previous set as `.<name>.old-*`: that set is put back first.
 */
async function removeStaleStaging(parent: string, base: string, dir: string): Promise<void> {
  const pattern = stagingPattern(base);
  const found = (await readdir(parent)).filter((name) => pattern.test(name));
  if (found.length === 0) return;
  const olds = found.filter((name) => name.includes('.old-'));
  if (olds.length > 0 && !(await exists(dir))) {
    const dated = await Promise.all(
      olds.map(async (name) => ({ name, mtime: (await stat(join(parent, name))).mtimeMs })),
    );
    const newest = dated.sort((a, b) => b.mtime - a.mtime)[0]?.name as string;
    await rename(join(parent, newest), dir);
    found.splice(found.indexOf(newest), 1);
  }
  for (const name of found) await rm(join(parent, name), { recursive: true, force: true });
}

function stopped(dir: string): InterruptedError {
  return new InterruptedError(
    `stopped (Ctrl-C or SIGTERM) while writing ${dir}: nothing was written, the previous report set is intact`,
  );
}

/**
 * Writes a report set into `dir` as one unit, with `manifest.json` and `SHA256SUMS` (each
 * file's SHA-256, so an auditor can verify an attachment with `sha256sum -c SHA256SUMS`).
 * Contents may be given in pieces (see {@link ReportContents}); each file is hashed as it is
 * written, so no file needs to be held whole in memory.
 *
 * Everything is written into a hidden staging folder beside `dir` and flushed; only then does
 * the staging folder replace `dir` (two renames, then the parent folder is flushed). A run that
 * dies before that leaves the previous report set as it was; re-running the same month replaces
 * it whole. Between the two renames (microseconds) `dir` does not exist: a reader then finds no
 * report, never a mixed one; a run killed exactly there leaves the previous set beside it as
 * `.<name>.old-*`, which the next write of `dir` puts back before it starts.
 *
 * Runs writing the same `dir` (processes, or calls in one process) take turns: each holds the lock
 * `.<name>.lock` beside it while writing (see `lockFolder`), and a run that cannot have it within
 * `lockWaitMs` fails naming the holder, having written nothing. Holding the lock, a run first
 * removes the staging folders that killed runs left behind.
 *
 * @example
 * ```ts
 * await writeReportSet('reports/111122223333/2026-10', [{ name: 'report.md', contents: md }], {
 *   generatedAt: new Date().toISOString(),
 *   toolVersion: '0.1.0',
 * });
 * ```
 */
export async function writeReportSet(
  dir: string,
  files: readonly ReportFile[],
  meta: { generatedAt: string; toolVersion: string },
  options: WriteReportSetOptions = {},
): Promise<Manifest> {
  const { signal } = options;
  const names = new Set<string>();
  for (const f of files) {
    if (!SAFE_NAME.test(f.name)) throw new Error(`report file name "${f.name}" is not a plain file name`);
    if (names.has(f.name) || f.name === 'manifest.json' || f.name === 'SHA256SUMS')
      throw new Error(`report file name "${f.name}" is used twice or reserved`);
    names.add(f.name);
  }
  if (signal?.aborted) throw stopped(dir);
  const parent = dirname(dir);
  const base = basename(dir);
  await mkdir(parent, { recursive: true });
  const lock = await lockFolder(dir, { signal, waitMs: options.lockWaitMs });
  try {
    await removeLockLeftovers(dir);
    await removeStaleStaging(parent, base, dir);
    const tag = `${process.pid}-${randomBytes(6).toString('hex')}`;
    const staging = join(parent, `.${base}.tmp-${tag}`);
    const previous = join(parent, `.${base}.old-${tag}`);
    let manifest: Manifest;
    try {
      await mkdir(staging);
      const entries: ManifestEntry[] = [];
      for (const f of files) {
        if (signal?.aborted) throw stopped(dir);
        entries.push({ name: f.name, ...(await writeSynced(join(staging, f.name), f.contents, signal)) });
      }
      manifest = {
        kind: 'kms-report/manifest',
        schemaVersion: 1,
        generatedAt: meta.generatedAt,
        toolVersion: meta.toolVersion,
        files: entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      };
      const sums = manifest.files.map((f) => `${f.sha256}  ${f.name}\n`).join('');
      await writeSynced(join(staging, 'SHA256SUMS'), sums, signal);
      await writeSynced(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, signal);
      // The last moment to stop: after the renames the new set is the report.
      if (signal?.aborted) throw stopped(dir);
      await lock.assertHeld();
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      if (signal?.aborted) throw stopped(dir);
      throw error;
    }
    const hadPrevious = await exists(dir);
    if (hadPrevious) await rename(dir, previous);
    try {
      await rename(staging, dir);
    } catch (error) {
      if (hadPrevious) await rename(previous, dir);
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    // The renames are directory entries: flush the parent so they survive a power cut too.
    await syncDirectory(parent);
    if (hadPrevious) await rm(previous, { recursive: true, force: true });
    return manifest;
  } finally {
    await lock.release();
  }
}
