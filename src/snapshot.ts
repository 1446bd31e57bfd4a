import { type InventorySnapshot, SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION } from './model/inventory.js';
import { snapshotSchema } from './model/snapshot-schema.js';
import { writeFileAtomic } from './util/atomic-write.js';
import { jsonFileChunks } from './util/json-chunks.js';
import {
  type MAX_EVIDENCE_FILE_BYTES,
  parseVersionedFile,
  readEvidenceText,
  refuseDuplicates,
} from './util/versioned-file.js';

/** The snapshot as written to disk: stable key order, two-space indentation, final newline. */
export function serializeSnapshot(snapshot: InventorySnapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

/**
 * Writes a snapshot atomically: the file is either the previous one or the complete new one.
 * `signal` (Ctrl-C) stops the write and keeps the previous file.
 */
export async function writeSnapshot(
  path: string,
  snapshot: InventorySnapshot,
  options: { readonly signal?: AbortSignal } = {},
): Promise<void> {
  // In pieces: a large estate's snapshot need not fit one string (same text as serializeSnapshot).
  await writeFileAtomic(path, jsonFileChunks(snapshot), options);
}

/**
 * Parses and validates a snapshot's text. `source` names it in errors (a file path).
 * A document of another kind, of a newer schema version, with any field out of shape, or
 * listing a key (ARN) twice is rejected with a {@link SnapshotError} naming the field.
 *
 * @example
 * ```ts
 * const snapshot = parseSnapshot(text, 'reports/inventory.json');
 * ```
 */
export function parseSnapshot(text: string, source = 'snapshot'): InventorySnapshot {
  const snapshot = parseVersionedFile(text, source, {
    kind: SNAPSHOT_KIND,
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    schema: snapshotSchema,
    what: 'a kms-report inventory snapshot',
  });
  // A key listed twice would be judged and counted twice (but billed once).
  refuseDuplicates(snapshot.keys, 'keys', (k) => JSON.stringify(k.arn), source, 'key ARN');
  return snapshot;
}

/** Reads and validates a snapshot file (at most {@link MAX_EVIDENCE_FILE_BYTES}). */
export async function readSnapshot(path: string): Promise<InventorySnapshot> {
  return parseSnapshot(await readEvidenceText(path), path);
}
