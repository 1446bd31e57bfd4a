import { readFile } from 'node:fs/promises';
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

/** A file's text, or a {@link SnapshotError} saying the file is missing or unreadable. */
export async function readEvidenceText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SnapshotError(path, '', code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`, {
      cause: error,
    });
  }
}
