import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Small pieces are gathered up to this many characters before a write. */
const WRITE_BLOCK = 1 << 20;

/**
 * Writes `contents` to `path` so that a reader sees either the previous file or the whole
 * new one, never a part: the data goes to a temporary file in the same folder, is flushed
 * to disk, then renamed over the target. On failure the temporary file is removed. The
 * contents may be given in pieces (e.g. `jsonFileChunks(snapshot)`), so a file larger than a
 * JavaScript string can hold is still written.
 */
export async function writeFileAtomic(
  path: string,
  contents: string | Uint8Array | Iterable<string | Uint8Array>,
): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      if (typeof contents === 'string' || contents instanceof Uint8Array) await handle.writeFile(contents);
      else {
        // FileHandle.writeFile writes all it is given (short writes are continued) at the current position.
        let text = '';
        for (const piece of contents) {
          if (typeof piece !== 'string') {
            if (text) await handle.writeFile(text);
            text = '';
            await handle.writeFile(piece);
            continue;
          }
          text += piece;
          if (text.length >= WRITE_BLOCK) {
            await handle.writeFile(text);
            text = '';
          }
        }
        if (text) await handle.writeFile(text);
      }
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
