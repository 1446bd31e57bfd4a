import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { explainWriteError } from './fs-errors.js';

/**
 * A file's contents: the whole text or bytes, or pieces of it in order (for example a CSV
 * rendered a block of rows at a time, or `jsonFileChunks(snapshot)`), so that a large file never
 * has to be one string. Pieces are produced while the file is written; an error while producing
 * them fails the write like any other.
 */
export type FileContents = string | Uint8Array | Iterable<string | Uint8Array>;

/** Small text pieces are gathered up to this many characters before a write. */
const WRITE_BLOCK = 1 << 20;

function* piecesOf(contents: FileContents): Iterable<string | Uint8Array> {
  if (typeof contents === 'string' || contents instanceof Uint8Array) yield contents;
  else yield* contents;
}

/**
 * Writes all of `contents` to an open file, in order. A write that takes less than it was given
 * (a full disk, a file-size limit) is continued, so the next one reports the error instead of a
 * short file passing. `seen`, when given, sees every byte as it is written (to hash it).
 */
export async function writeContents(
  handle: FileHandle,
  contents: FileContents,
  seen?: (bytes: Uint8Array) => void,
): Promise<void> {
  const put = async (data: Uint8Array) => {
    if (data.length === 0) return;
    seen?.(data);
    for (let offset = 0; offset < data.length; ) {
      const { bytesWritten } = await handle.write(data, offset, data.length - offset);
      if (bytesWritten <= 0) throw new Error('the file system accepted no byte of a write');
      offset += bytesWritten;
    }
  };
  let text = '';
  for (const piece of piecesOf(contents)) {
    if (typeof piece !== 'string') {
      if (text) await put(Buffer.from(text));
      text = '';
      await put(piece);
      continue;
    }
    text += piece;
    if (text.length >= WRITE_BLOCK) {
      await put(Buffer.from(text));
      text = '';
    }
  }
  if (text) await put(Buffer.from(text));
}

/**
 * Writes `contents` to `path` so that a reader sees either the previous file or the whole
 * new one, never a part: the data goes to a temporary file in the same folder, is flushed
 * to disk, then renamed over the target. On failure the temporary file is removed. The
 * contents may be given in pieces (e.g. `jsonFileChunks(snapshot)`), so a file larger than a
 * JavaScript string can hold is still written. A file-system failure (read-only, no permission,
 * disk full) is an `OutputError` naming the folder and the cause.
 */
export async function writeFileAtomic(path: string, contents: FileContents): Promise<void> {
  const dir = dirname(path);
  // A file-system error names the folder and its real cause (see explainWriteError).
  await writeInto(dir, path, contents).catch(async (error: unknown) => {
    throw await explainWriteError(error, dir);
  });
}

async function writeInto(dir: string, path: string, contents: FileContents): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await writeContents(handle, contents);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
