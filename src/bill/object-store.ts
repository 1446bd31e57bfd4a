import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/**
 * Where a bill's files are read from: an S3 bucket (the Cost and Usage Report as AWS delivers it)
 * or a local folder laid out the same way (a copy of the bucket, the demo's bill, the tests).
 * Keys are `/`-separated paths from the bucket or folder's root. Every read is bounded: a whole
 * object only up to a given size, the rest by byte ranges.
 */
export interface ObjectStore {
  /** For messages: `s3://bucket` or the folder's path. */
  readonly where: string;
  /** The objects under `prefix` (every page), at most `limit`: more is a {@link StoreLimitError}. */
  list(prefix: string, limit: number): Promise<StoredObject[]>;
  /** A whole object of at most `maxBytes` (larger: {@link StoreLimitError}). */
  read(key: string, maxBytes: number): Promise<Uint8Array>;
  /** Bytes `[start, end)` of an object: exactly that many, or an error. */
  range(key: string, start: number, end: number): Promise<Uint8Array>;
}

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  /** Milliseconds since the epoch; null when the store does not say. */
  readonly lastModified: number | null;
}

/** A listing or an object larger than the reader's bound: a gap that names the bound. */
export class StoreLimitError extends Error {
  override readonly name = 'StoreLimitError';
}

/** An object whose bytes are not what was asked for (a short range, a size that changed). */
export class StoreReadError extends Error {
  override readonly name = 'StoreReadError';
}

/**
 * How long one S3 call (a listing page, a manifest, one byte range of a Parquet file) may take,
 * body included, before it is abandoned: a range is at most a few tens of MiB, which S3 serves in
 * seconds; a minute leaves room for a slow link without letting a stalled transfer hang the run.
 * The SDK's own timeouts (connect, silence) apply too.
 */
export const S3_CALL_TIMEOUT_MS = 60_000;

/** Options of {@link s3Store}. */
export interface S3StoreOptions {
  /** Default {@link S3_CALL_TIMEOUT_MS}. */
  readonly callTimeoutMs?: number;
  /** The run's deadline: cuts the call in flight. */
  readonly deadline?: AbortSignal;
}

/** The signal of one call: its own timeout, and the run's deadline. */
function callSignal(
  timeoutMs: number,
  deadline: AbortSignal | undefined,
): { signal: AbortSignal; timeout: AbortSignal } {
  const timeout = AbortSignal.timeout(timeoutMs);
  return { signal: deadline ? AbortSignal.any([timeout, deadline]) : timeout, timeout };
}

/** An S3 bucket as an {@link ObjectStore}: ListObjectsV2 and GetObject (with `Range` for ranges). */
export function s3Store(client: S3Client, bucket: string, options: S3StoreOptions = {}): ObjectStore {
  const timeoutMs = options.callTimeoutMs ?? S3_CALL_TIMEOUT_MS;
  /** Runs one call (its answer's body included) under its own timeout; a timeout is said as one. */
  const call = async <T>(what: string, run: (abortSignal: AbortSignal) => Promise<T>): Promise<T> => {
    const { signal, timeout } = callSignal(timeoutMs, options.deadline);
    try {
      return await run(signal);
    } catch (error) {
      if (timeout.aborted && !options.deadline?.aborted)
        throw new StoreReadError(`${what}: no answer within ${timeoutMs / 1000} s`, { cause: error });
      throw error;
    }
  };
  const get = (key: string, range?: string) =>
    call(`GetObject s3://${bucket}/${key}`, async (abortSignal) => {
      const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }), {
        abortSignal,
      });
      if (!answer.Body) throw new StoreReadError(`${key}: empty response`);
      return answer.Body.transformToByteArray();
    });
  return {
    where: `s3://${bucket}`,
    async list(prefix, limit) {
      const out: StoredObject[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await call(`ListObjectsV2 s3://${bucket}/${prefix}`, (abortSignal) =>
          client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }), {
            abortSignal,
          }),
        );
        for (const o of page.Contents ?? []) {
          if (!o.Key) continue;
          if (out.length >= limit)
            throw new StoreLimitError(`more than ${limit} objects under s3://${bucket}/${prefix}`);
          out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified?.getTime() ?? null });
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return out;
    },
    async read(key, maxBytes) {
      // One byte more than allowed is enough to tell an object that is too large.
      const bytes = await get(key, `bytes=0-${maxBytes}`);
      if (bytes.byteLength > maxBytes)
        throw new StoreLimitError(`s3://${bucket}/${key} is larger than ${maxBytes} bytes`);
      return bytes;
    },
    async range(key, start, end) {
      if (end <= start) return new Uint8Array(0);
      const bytes = await get(key, `bytes=${start}-${end - 1}`);
      if (bytes.byteLength !== end - start)
        throw new StoreReadError(
          `s3://${bucket}/${key}: asked for bytes ${start}-${end - 1}, got ${bytes.byteLength} bytes (the object changed while it was read?)`,
        );
      return bytes;
    },
  };
}

/** The most folders a folder store descends into, and how deep: a folder is not a file system crawl. */
const MAX_FOLDER_DEPTH = 8;

/**
 * A local folder as an {@link ObjectStore}: keys are paths under `root` (symbolic links that
 * lead outside it are refused). For the demo's bill, tests, and a CUR copied from S3.
 */
export function folderStore(root: string, label: string = root): ObjectStore {
  const base = resolve(root);
  const pathOf = async (key: string): Promise<string> => {
    const path = resolve(base, ...key.split('/'));
    const real = await realpath(path);
    const realBase = await realpath(base);
    const rel = relative(realBase, real);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || resolve(realBase, rel) !== real)
      throw new StoreReadError(`${key}: outside the folder ${root}`);
    return real;
  };
  return {
    where: label,
    async list(prefix, limit) {
      const out: StoredObject[] = [];
      const walk = async (dir: string, depth: number): Promise<void> => {
        if (depth > MAX_FOLDER_DEPTH) return;
        const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const entry of entries) {
          const path = join(dir, entry.name);
          const key = relative(base, path).split(sep).join('/');
          if (entry.isDirectory()) {
            if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(path, depth + 1);
          } else if (entry.isFile() && key.startsWith(prefix)) {
            if (out.length >= limit)
              throw new StoreLimitError(`more than ${limit} files under ${root}/${prefix}`);
            const s = await stat(path);
            out.push({ key, size: s.size, lastModified: s.mtimeMs });
          }
        }
      };
      await walk(base, 0);
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async read(key, maxBytes) {
      const path = await pathOf(key);
      const s = await stat(path);
      if (s.size > maxBytes) throw new StoreLimitError(`${path} is larger than ${maxBytes} bytes`);
      return readRange(path, 0, s.size);
    },
    async range(key, start, end) {
      return readRange(await pathOf(key), start, end);
    },
  };
}

async function readRange(path: string, start: number, end: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const bytes = new Uint8Array(end - start);
    let done = 0;
    while (done < bytes.byteLength) {
      const { bytesRead } = await file.read(bytes, done, bytes.byteLength - done, start + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done !== bytes.byteLength)
      throw new StoreReadError(
        `${path}: asked for bytes ${start}-${end - 1}, the file ends at ${start + done}`,
      );
    return bytes;
  } finally {
    await file.close();
  }
}
