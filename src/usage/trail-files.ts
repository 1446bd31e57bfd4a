import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';

/** A log file that could not be decompressed or parsed; its message names the object key. */
export class FileReadError extends Error {
  override readonly name = 'FileReadError';
}

const gunzipAsync = promisify(gunzip);
/**
 * Output chunk of the decompression: a trail file inflates to about 1.5 MB, which zlib's
 * default 16 KiB chunks cut into ~90 round trips to the thread pool and a concatenation;
 * 1 MiB chunks make it one or two.
 */
const GUNZIP_CHUNK_SIZE = 1024 * 1024;

const isGzip = (raw: Uint8Array) => raw[0] === 0x1f && raw[1] === 0x8b;

function inflateFailed(key: string, error: unknown): FileReadError {
  return new FileReadError(`${key}: not a valid gzip file (${(error as Error).message})`);
}

/** The text of a log file's bytes (gzip or plain), decompressed on the thread pool. */
export async function logFileText(raw: Buffer, key: string): Promise<string> {
  try {
    return (isGzip(raw) ? await gunzipAsync(raw, { chunkSize: GUNZIP_CHUNK_SIZE }) : raw).toString('utf8');
  } catch (error) {
    throw inflateFailed(key, error);
  }
}

/** The same, decompressed on this thread (for a counting worker, which has nothing else to do). */
export function logFileTextSync(raw: Buffer, key: string): string {
  try {
    return (isGzip(raw) ? gunzipSync(raw, { chunkSize: GUNZIP_CHUNK_SIZE }) : raw).toString('utf8');
  } catch (error) {
    throw inflateFailed(key, error);
  }
}

/** The `Records` of a log file's text. */
export function logFileRecords(text: string, key: string): unknown[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new FileReadError(`${key}: not valid JSON (${(error as Error).message})`);
  }
  const records = (data as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) throw new FileReadError(`${key}: no "Records" array`);
  return records;
}
