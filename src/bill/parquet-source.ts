import type { AsyncBuffer } from 'hyparquet';
import type { ObjectStore, StoredObject } from './object-store.js';

/**
 * A Parquet file of an {@link ObjectStore} as hyparquet's `AsyncBuffer`: each slice hyparquet
 * asks for (the footer, then the column chunks of one row group) is one ranged read (`Range:
 * bytes=` on S3), never the whole file. Slices are bounded ({@link MAX_SLICE_BYTES}) and counted.
 */

/**
 * The largest slice read at once. hyparquet asks for the footer (512 KiB, then the rest of a
 * larger one) and for one column chunk (or a run of small adjacent ones) at a time: a CUR's
 * column chunk is a few MiB. A file that needs more than this for one slice is refused, not
 * read whole.
 */
export const MAX_SLICE_BYTES = 64 * 1024 * 1024;

/** Bytes and ranged reads made, across files (for the bill's read cost). */
export interface ByteCounter {
  bytes: number;
  reads: number;
}

/** A slice larger than {@link MAX_SLICE_BYTES}, or outside the file. */
export class SliceError extends Error {
  override readonly name = 'SliceError';
}

/** A read of the store that failed, carried through hyparquet unchanged (`cause`). */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** The `AsyncBuffer` of `object` in `store`, counting what it reads into `counter`. */
export function parquetBuffer(store: ObjectStore, object: StoredObject, counter: ByteCounter): AsyncBuffer {
  const size = object.size;
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const to = end === undefined ? size : end;
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(to) || start < 0 || to > size || to < start)
        throw new SliceError(`bytes ${start}-${to} are outside the file (${size} bytes)`);
      if (to - start > MAX_SLICE_BYTES)
        throw new SliceError(
          `one read of ${to - start} bytes asked for (more than ${MAX_SLICE_BYTES}): a column chunk or footer that large is not read`,
        );
      let bytes: Uint8Array;
      try {
        bytes = await store.range(object.key, start, to);
      } catch (error) {
        // Said as the store said it (an S3 error is classified by the caller), not as a bad file.
        throw new SourceError(error);
      }
      counter.bytes += bytes.byteLength;
      counter.reads += 1;
      // hyparquet wants an ArrayBuffer of exactly the slice.
      return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? (bytes.buffer as ArrayBuffer)
        : (bytes.slice().buffer as ArrayBuffer);
    },
  };
}
