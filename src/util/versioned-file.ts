import { constants } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import type { z } from 'zod';
import { SnapshotError } from '../errors.js';

/** A zod issue's path as a reader writes it: `keys[3].metadata.keySpec`. */
export function zodFieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) =>
      typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    '',
  );
}

/** The first problem zod found, with how many more there are: `{ field, message }`. */
export function firstZodIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0] as z.core.$ZodIssue;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problems)` : '';
  return { field: zodFieldPath(issue.path), message: `${issue.message}${more}` };
}

/** What a kms-report evidence file declares itself to be. */
export interface VersionedFileSpec<T> {
  /** The `kind` it must carry (`kms-report/snapshot`, `kms-report/usage`). */
  readonly kind: string;
  /** The newest `schemaVersion` this kms-report reads. */
  readonly schemaVersion: number;
  readonly schema: z.ZodType<T>;
  /** How errors name what was expected: `a kms-report inventory snapshot`. */
  readonly what: string;
}

/**
 * Parses and validates the text of a kms-report evidence file. A document that is not JSON,
 * not an object, of another kind, of a newer schema version, or with a field out of shape is
 * rejected with a {@link SnapshotError} naming `source` and the field.
 */
export function parseVersionedFile<T>(text: string, source: string, spec: VersionedFileSpec<T>): T {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(source, '', `not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new SnapshotError(source, '', `expected a JSON object (${spec.what})`);
  const head = data as { kind?: unknown; schemaVersion?: unknown };
  if (head.kind !== spec.kind)
    throw new SnapshotError(source, 'kind', `expected "${spec.kind}", found ${JSON.stringify(head.kind)}`);
  if (typeof head.schemaVersion !== 'number' || !Number.isInteger(head.schemaVersion))
    throw new SnapshotError(
      source,
      'schemaVersion',
      `expected an integer, found ${JSON.stringify(head.schemaVersion)}`,
    );
  if (head.schemaVersion > spec.schemaVersion)
    throw new SnapshotError(
      source,
      'schemaVersion',
      `written by a newer kms-report (schema version ${head.schemaVersion}); this version reads up to ${spec.schemaVersion}: upgrade kms-report`,
    );
  const result = spec.schema.safeParse(data);
  if (!result.success) {
    const { field, message } = firstZodIssue(result.error);
    throw new SnapshotError(source, field, message);
  }
  return result.data;
}

/**
 * The largest evidence file (snapshot, usage evidence) read: the longest string Node.js can hold
 * (`buffer.constants.MAX_STRING_LENGTH`, 2^29 - 24 characters, about 512 MiB in Node 20), since
 * the file is read whole and given to `JSON.parse`. A UTF-8 file of at most that many bytes
 * decodes to at most that many characters. A snapshot of 100,000 keys is a few hundred MiB.
 */
export const MAX_EVIDENCE_FILE_BYTES: number = constants.MAX_STRING_LENGTH;

const MIB = 1_048_576;

function tooLarge(path: string, size: number, options?: ErrorOptions): SnapshotError {
  return new SnapshotError(
    path,
    '',
    `is ${size} bytes, more than the ${MAX_EVIDENCE_FILE_BYTES} (about ${Math.round(MAX_EVIDENCE_FILE_BYTES / MIB)} MiB) kms-report can read as one document (MAX_EVIDENCE_FILE_BYTES, the longest string Node.js holds): split the estate into several snapshots (fewer accounts or regions per run)`,
    options,
  );
}

/**
 * A file's text, or a {@link SnapshotError} saying the file is missing, unreadable or larger than
 * {@link MAX_EVIDENCE_FILE_BYTES} (checked before reading).
 */
export async function readEvidenceText(path: string): Promise<string> {
  try {
    const { size } = await stat(path);
    if (size > MAX_EVIDENCE_FILE_BYTES) throw tooLarge(path, size);
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof SnapshotError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    // The file grew between stat and read, or holds more characters than a string can.
    if (code === 'ERR_STRING_TOO_LONG' || code === 'ERR_FS_FILE_TOO_LARGE')
      throw tooLarge(path, (await stat(path).catch(() => null))?.size ?? MAX_EVIDENCE_FILE_BYTES + 1, {
        cause: error,
      });
    throw new SnapshotError(path, '', code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`, {
      cause: error,
    });
  }
}

/**
 * Refuses a list in which two rows have the same identity (`identity` returns it as text, as
 * the error shows it, e.g. `JSON.stringify` of the identifying fields): a repeated key or count
 * would be counted twice. Linear time. The error names the file, the second row's field path,
 * the first row and the identity.
 *
 * @example
 * ```ts
 * refuseDuplicates(snapshot.keys, 'keys', (k) => JSON.stringify(k.arn), 'inventory.json', 'arn');
 * ```
 */
export function refuseDuplicates<T>(
  rows: readonly T[],
  path: string,
  identity: (row: T) => string,
  source: string,
  what: string,
): void {
  const seen = new Map<string, number>();
  for (const [i, row] of rows.entries()) {
    const id = identity(row);
    const first = seen.get(id);
    if (first !== undefined)
      throw new SnapshotError(
        source,
        `${path}[${i}]`,
        `repeats ${path}[${first}]: the same ${what} ${id.length > 300 ? `${id.slice(0, 300)}…` : id} would be counted twice`,
      );
    seen.set(id, i);
  }
}
