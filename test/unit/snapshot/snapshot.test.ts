import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotError } from '../../../src/errors.js';
import { snapshotJsonSchema } from '../../../src/model/snapshot-schema.js';
import { parseSnapshot, readSnapshot, serializeSnapshot, writeSnapshot } from '../../../src/snapshot.js';
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
