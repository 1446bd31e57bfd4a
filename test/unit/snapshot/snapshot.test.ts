import { mkdtemp, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotError } from '../../../src/errors.js';
import { snapshotJsonSchema } from '../../../src/model/snapshot-schema.js';
import { parseSnapshot, readSnapshot, serializeSnapshot, writeSnapshot } from '../../../src/snapshot.js';
import { MAX_EVIDENCE_FILE_BYTES } from '../../../src/util/versioned-file.js';
import { sampleSnapshot } from '../../support/fixtures.js';

async function tempDir() {
  return mkdtemp(join(tmpdir(), 'kms-report-snapshot-'));
}

describe('snapshot files', () => {
  it('round-trips: write then read gives the same inventory', async () => {
    const dir = await tempDir();
    const file = join(dir, 'nested', 'inventory.json');
    await writeSnapshot(file, sampleSnapshot());
    expect(await readSnapshot(file)).toEqual(sampleSnapshot());
    expect(await readFile(file, 'utf8')).toBe(serializeSnapshot(sampleSnapshot()));
    // No temporary file is left beside it.
    expect(await readdir(join(dir, 'nested'))).toEqual(['inventory.json']);
  });

  it('replaces an existing snapshot whole', async () => {
    const dir = await tempDir();
    const file = join(dir, 'inventory.json');
    await writeFile(file, 'previous contents');
    await writeSnapshot(file, sampleSnapshot());
    expect(await readSnapshot(file)).toEqual(sampleSnapshot());
  });

  it.each([
    ['not JSON', '{"kind": ', '', /not valid JSON/],
    ['an array', '[]', '', /expected a JSON object/],
    [
      'another kind of document',
      JSON.stringify({ kind: 'something-else', schemaVersion: 1 }),
      'kind',
      /expected "kms-report\/inventory"/,
    ],
    [
      'a newer schema version',
      JSON.stringify({ ...sampleSnapshot(), schemaVersion: 2 }),
      'schemaVersion',
      /newer kms-report \(schema version 2\).*upgrade/,
    ],
  ])('rejects %s, naming the problem', (_name, text, field, message) => {
    const error = (() => {
      try {
        parseSnapshot(text, 'inventory.json');
      } catch (e) {
        return e as SnapshotError;
      }
      throw new Error('parseSnapshot accepted it');
    })();
    expect(error).toBeInstanceOf(SnapshotError);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^inventory\.json: /);
  });

  it('names the exact field that is out of shape', () => {
    const broken = sampleSnapshot() as unknown as {
      keys: { metadata: { value: Record<string, unknown> } }[];
    };
    (broken.keys[0] as { metadata: { value: Record<string, unknown> } }).metadata.value.creationDate =
      '14/03/2025';
    expect(() => parseSnapshot(JSON.stringify(broken), 'f.json')).toThrow(
      /^f\.json: keys\[0\]\.metadata\.value\.creationDate: /,
    );

    const unknownStatus = sampleSnapshot() as unknown as { keys: { tags: unknown }[] };
    (unknownStatus.keys[0] as { tags: unknown }).tags = { status: 'maybe' };
    expect(() => parseSnapshot(JSON.stringify(unknownStatus), 'f.json')).toThrow(/keys\[0\]\.tags/);
  });

  it('refuses a key listed twice (its findings and key count would double, its cost not)', () => {
    const snapshot = sampleSnapshot();
    const [key] = snapshot.keys;
    if (!key) throw new Error('no key');
    const other = { ...key, arn: `${key.arn}0`, keyId: `${key.keyId}0` };
    const twice = {
      ...snapshot,
      keys: [key, other, { ...key, aliases: { status: 'collected', value: [] } }],
    };
    const error = (() => {
      try {
        parseSnapshot(JSON.stringify(twice), 'inventory.json');
      } catch (e) {
        return e as SnapshotError;
      }
      throw new Error('parseSnapshot accepted it');
    })();
    expect(error).toBeInstanceOf(SnapshotError);
    expect(error.field).toBe('keys[2]');
    expect(error.message).toBe(
      `inventory.json: keys[2]: repeats keys[0]: the same key ARN "${key.arn}" would be counted twice`,
    );
    expect(parseSnapshot(JSON.stringify({ ...snapshot, keys: [key, other] })).keys).toHaveLength(2);
  });

  it.each([
    ['a negative rotation period', 'rotation', { periodInDays: -1 }, 'keys[0].rotation.value.periodInDays'],
    [
      'a rotation period under 90 days',
      'rotation',
      { periodInDays: 89 },
      'keys[0].rotation.value.periodInDays',
    ],
    [
      'a rotation period over 2560 days',
      'rotation',
      { periodInDays: 2561 },
      'keys[0].rotation.value.periodInDays',
    ],
    [
      'a negative deletion window',
      'metadata',
      { pendingDeletionWindowInDays: -7 },
      'keys[0].metadata.value.pendingDeletionWindowInDays',
    ],
    [
      'a deletion window over 30 days',
      'metadata',
      { pendingDeletionWindowInDays: 31 },
      'keys[0].metadata.value.pendingDeletionWindowInDays',
    ],
  ] as const)('refuses %s, outside what AWS accepts', (_name, evidence, change, field) => {
    const snapshot = sampleSnapshot() as unknown as { keys: Record<string, { value: object }>[] };
    const key = snapshot.keys[0] as Record<string, { value: object }>;
    key[evidence] = { ...key[evidence], value: { ...key[evidence]?.value, ...change } } as { value: object };
    expect(() => parseSnapshot(JSON.stringify(snapshot), 'f.json')).toThrow(
      new RegExp(`^f\\.json: ${field.replace(/[[\].]/g, '\\$&')}: `),
    );
  });

  it('accepts the bounds AWS accepts (rotation 90 and 2560 days, deletion window 7 and 30 days)', () => {
    for (const [periodInDays, window] of [
      [90, 7],
      [2560, 30],
    ] as const) {
      const snapshot = sampleSnapshot() as unknown as {
        keys: { rotation: { value: object }; metadata: { value: object } }[];
      };
      const key = snapshot.keys[0] as { rotation: { value: object }; metadata: { value: object } };
      key.rotation.value = { ...key.rotation.value, periodInDays };
      key.metadata.value = { ...key.metadata.value, pendingDeletionWindowInDays: window };
      expect(parseSnapshot(JSON.stringify(snapshot)).keys).toHaveLength(1);
    }
  });

  it('refuses a file larger than can be read as one string, before reading it', async () => {
    const file = join(await tempDir(), 'huge.json');
    await writeFile(file, '');
    // Sparse: no disk is used, but stat reports the size.
    await truncate(file, MAX_EVIDENCE_FILE_BYTES + 1);
    const error = await readSnapshot(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).message).toContain(
      `${file}: is ${MAX_EVIDENCE_FILE_BYTES + 1} bytes, more than the ${MAX_EVIDENCE_FILE_BYTES} (about 512 MiB) kms-report can read as one document`,
    );
  });

  it('says so when the file does not exist', async () => {
    await expect(readSnapshot('/nonexistent/inventory.json')).rejects.toThrow(
      '/nonexistent/inventory.json: no such file',
    );
  });

  it('publishes a JSON Schema that matches the zod schema (run `npm run schema` after changing it)', async () => {
    const published = await readFile(
      new URL('../../../schema/snapshot.schema.json', import.meta.url),
      'utf8',
    );
    expect(published).toBe(snapshotJsonSchema());
    expect(JSON.parse(published).required).toEqual(
      expect.arrayContaining(['kind', 'schemaVersion', 'tool', 'collection', 'keys', 'gaps']),
    );
  });
});
