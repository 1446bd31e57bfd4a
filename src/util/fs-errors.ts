import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { OutputError } from '../errors.js';

/** File-system error codes met when writing, in words. */
const CAUSES: Readonly<Record<string, string>> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EFBIG: 'the file is larger than the file system allows',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder stands where a file was to be written',
  EMFILE: 'too many open files',
};

/** Whether a folder may be written to: null if so, else the error code saying why not. */
export type WriteProbe = (folder: string) => Promise<string | null>;

const probeWritable: WriteProbe = (folder) =>
  access(folder, constants.W_OK).then(
    () => null,
    (error: NodeJS.ErrnoException) => error.code ?? 'EACCES',
  );

/** The closest folder of `path` (itself or an ancestor) that exists, and whether it is a folder. */
async function closestExisting(path: string): Promise<{ path: string; folder: boolean }> {
  let current = resolve(path);
  for (;;) {
    try {
      return { path: current, folder: (await stat(current)).isDirectory() };
    } catch {
      const parent = dirname(current);
      if (parent === current) return { path: current, folder: true };
      current = parent;
    }
  }
}

/**
 * The error to report when writing into `folder` failed: an {@link OutputError} naming the folder
 * and the real cause for file-system errors, or `error` unchanged. Node's recursive `mkdir` says
 * ENOENT when a folder cannot be created on a read-only file system (or one it may not write
 * to): then the closest existing folder is checked, and its own cause is reported.
 *
 * @example
 * ```ts
 * await writeReportSet(dir, files, meta).catch(async (e) => { throw await explainWriteError(e, dir); });
 * // cannot write to reports/111122223333/2026-10: the file system is read-only (EROFS at /mnt/reports)
 * ```
 */
export async function explainWriteError(
  error: unknown,
  folder: string,
  probe: WriteProbe = probeWritable,
): Promise<unknown> {
  if (error instanceof OutputError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return error;
  if (code === 'ENOENT') {
    const existing = await closestExisting(folder);
    if (!existing.folder)
      return new OutputError(folder, `${existing.path} is a file, not a folder (ENOTDIR)`, { cause: error });
    const denied = await probe(existing.path);
    if (denied)
      return new OutputError(folder, `${CAUSES[denied] ?? denied} (${denied} at ${existing.path})`, {
        cause: error,
      });
    return new OutputError(folder, 'the folder could not be created (ENOENT)', { cause: error });
  }
  const cause = CAUSES[code];
  if (!cause) return error;
  return new OutputError(folder, `${cause} (${code})`, { cause: error });
}
