import { randomBytes } from 'node:crypto';
import { type FileHandle, lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InterruptedError } from '../errors.js';
import { escapeRegExp, isProcessAlive } from './folder-lock.js';
import { explainWriteError } from './fs-errors.js';

/**
 * A file's contents: the whole text or bytes, or pieces of it in order (for example a CSV
 * rendered a block of rows at a time, or `jsonFileChunks(snapshot)`), so that a large file never
 * has to be one string. Pieces are produced while the file is written; an error while producing
 * them fails the write like any other.
 */
export type FileContents = string | Uint8Array | Iterable<string | Uint8Array>;

/** Text pieces are encoded into a block of this many bytes, written when full. */
const WRITE_BLOCK = 1 << 20;

function* piecesOf(contents: FileContents): Iterable<string | Uint8Array> {
  if (typeof contents === 'string' || contents instanceof Uint8Array) yield contents;
  else yield* contents;
}

/** Whether the last UTF-16 unit of `text` opens a surrogate pair (its other half may be in the next piece). */
function endsInHighSurrogate(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff;
}

/**
 * Encodes text pieces into one reused block of {@link WRITE_BLOCK} bytes and hands the block to
 * `put` when it is full. No long string is built: joining the pieces into a megabyte of text made
 * one flat string per write, which V8 keeps in its large-object space until a full collection,
 * so writing gigabytes of report raised the process's peak memory by more than a gigabyte. The
 * bytes are those of the text joined (a surrogate pair split across two pieces is kept whole).
 * The block is reused after `put` resolves.
 */
class TextBlock {
  private block: Buffer | null = null;
  private used = 0;
  /** A high surrogate held back from the end of the last piece. */
  private carry = '';

  constructor(private readonly put: (data: Uint8Array) => Promise<void>) {}

  async add(piece: string): Promise<void> {
    let text = this.carry + piece;
    this.carry = '';
    if (endsInHighSurrogate(text)) {
      this.carry = text.slice(-1);
      text = text.slice(0, -1);
    }
    await this.encode(text);
  }

  /** Writes what the block holds (and a lone high surrogate held back, as `Buffer.from` encodes it). */
  async flush(): Promise<void> {
    const carry = this.carry;
    this.carry = '';
    if (carry) await this.encode(carry);
    await this.writeBlock();
  }

  private async writeBlock(): Promise<void> {
    if (this.used === 0 || !this.block) return;
    const used = this.used;
    this.used = 0;
    await this.put(this.block.subarray(0, used));
  }

  private async encode(text: string): Promise<void> {
    if (!text) return;
    // A UTF-16 unit is at most 3 bytes of UTF-8.
    if (this.used + text.length * 3 > WRITE_BLOCK) await this.writeBlock();
    if (text.length * 3 > WRITE_BLOCK) return this.put(Buffer.from(text));
    this.block ??= Buffer.allocUnsafe(WRITE_BLOCK);
    this.used += this.block.write(text, this.used);
  }
}

/**
 * Writes all of `contents` to an open file, in order. A write that takes less than it was given
 * (a full disk, a file-size limit) is continued, so the next one reports the error instead of a
 * short file passing. `seen`, when given, sees every byte as it is written (to hash it; the bytes
 * it is given may be reused once it returns). `signal` is checked before each write: once
 * aborted, an {@link InterruptedError} is thrown.
 */
export async function writeContents(
  handle: FileHandle,
  contents: FileContents,
  seen?: (bytes: Uint8Array) => void,
  signal?: AbortSignal,
): Promise<void> {
  const put = async (data: Uint8Array) => {
    if (signal?.aborted) throw new InterruptedError('stopped (Ctrl-C or SIGTERM) while writing a file');
    if (data.length === 0) return;
    seen?.(data);
    for (let offset = 0; offset < data.length; ) {
      const { bytesWritten } = await handle.write(data, offset, data.length - offset);
      if (bytesWritten <= 0) throw new Error('the file system accepted no byte of a write');
      offset += bytesWritten;
    }
  };
  const text = new TextBlock(put);
  for (const piece of piecesOf(contents)) {
    if (typeof piece === 'string') await text.add(piece);
    else {
      await text.flush();
      await put(piece);
    }
  }
  await text.flush();
}

/** The temporary files {@link writeFileAtomic} makes beside `name`. */
function tempPattern(name: string): RegExp {
  return new RegExp(`^\\.${escapeRegExp(name)}\\.tmp-(\\d+)-[0-9a-f]{12}$`);
}

/**
 * Removes the temporary files of earlier writes of `path` whose process is no longer running (a
 * run killed while writing): only files named exactly as {@link writeFileAtomic} names them.
 * Best effort.
 */
async function removeStaleTemps(dir: string, name: string): Promise<void> {
  const pattern = tempPattern(name);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const entry of names) {
    const m = pattern.exec(entry);
    if (!m || isProcessAlive(Number(m[1]))) continue;
    const path = join(dir, entry);
    if ((await lstat(path).catch(() => null))?.isFile()) await rm(path, { force: true }).catch(() => {});
  }
}

/**
 * Writes `contents` to `path` so that a reader sees either the previous file or the whole
 * new one, never a part: the data goes to a temporary file in the same folder, is flushed
 * to disk, then renamed over the target. On failure the temporary file is removed, and the
 * temporary files that killed runs left for the same path are removed by the next write. The
 * contents may be given in pieces (e.g. `jsonFileChunks(snapshot)`), so a file larger than a
 * JavaScript string can hold is still written. `signal` (Ctrl-C) stops the write before the rename:
 * the previous file is kept and an {@link InterruptedError} thrown. A file-system failure
 * (read-only, no permission, disk full) is an `OutputError` naming the folder and the cause.
 */
export async function writeFileAtomic(
  path: string,
  contents: FileContents,
  options: { readonly signal?: AbortSignal } = {},
): Promise<void> {
  const { signal } = options;
  const stopped = () =>
    new InterruptedError(`stopped (Ctrl-C or SIGTERM) while writing ${path}: it was not written`);
  if (signal?.aborted) throw stopped();
  const dir = dirname(path);
  // A file-system error names the folder and its real cause (see explainWriteError).
  await writeInto(dir, path, contents, signal, stopped).catch(async (error: unknown) => {
    throw await explainWriteError(error, dir);
  });
}

async function writeInto(
  dir: string,
  path: string,
  contents: FileContents,
  signal: AbortSignal | undefined,
  stopped: () => InterruptedError,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await removeStaleTemps(dir, basename(path));
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await writeContents(handle, contents, undefined, signal);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (signal?.aborted) throw stopped();
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    if (signal?.aborted) throw stopped();
    throw error;
  }
}
