import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { SnapshotError } from './errors.js';
import { type InventorySnapshot, SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION } from './model/inventory.js';
import { snapshotSchema } from './model/snapshot-schema.js';
import { writeFileAtomic } from './util/atomic-write.js';
import { jsonFileChunks } from './util/json-chunks.js';

/** The snapshot as written to disk: stable key order, two-space indentation, final newline. */
export function serializeSnapshot(snapshot: InventorySnapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

/** Writes a snapshot atomically: the file is either the previous one or the complete new one. */
export async function writeSnapshot(path: string, snapshot: InventorySnapshot): Promise<void> {
  // In pieces: a large estate's snapshot need not fit one string (same text as serializeSnapshot).
  await writeFileAtomic(path, jsonFileChunks(snapshot));
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) =>
      typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    '',
  );
}

/**
 * Parses and validates a snapshot's text. `source` names it in errors (a file path).
 * A document of another kind, of a newer schema version, or with any field out of shape
 * is rejected with a {@link SnapshotError} naming the field.
 *
 * @example
 * ```ts
 * const snapshot = parseSnapshot(text, 'reports/inventory.json');
 * ```
 */
export function parseSnapshot(text: string, source = 'snapshot'): InventorySnapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(source, '', `not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new SnapshotError(source, '', 'expected a JSON object (a kms-report inventory snapshot)');
  const head = data as { kind?: unknown; schemaVersion?: unknown };
  if (head.kind !== SNAPSHOT_KIND)
    throw new SnapshotError(
      source,
      'kind',
      `expected "${SNAPSHOT_KIND}", found ${JSON.stringify(head.kind)}`,
    );
  if (typeof head.schemaVersion !== 'number' || !Number.isInteger(head.schemaVersion))
    throw new SnapshotError(
      source,
      'schemaVersion',
      `expected an integer, found ${JSON.stringify(head.schemaVersion)}`,
    );
  if (head.schemaVersion > SNAPSHOT_SCHEMA_VERSION)
    throw new SnapshotError(
      source,
      'schemaVersion',
      `written by a newer kms-report (schema version ${head.schemaVersion}); this version reads up to ${SNAPSHOT_SCHEMA_VERSION}: upgrade kms-report`,
    );
  const result = snapshotSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    const more =
      result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : '';
    throw new SnapshotError(source, fieldPath(issue.path), `${issue.message}${more}`);
  }
  return result.data;
}

/** Reads and validates a snapshot file. */
export async function readSnapshot(path: string): Promise<InventorySnapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SnapshotError(path, '', code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`, {
      cause: error,
    });
  }
  return parseSnapshot(text, path);
}
