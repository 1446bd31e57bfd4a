import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface ReportFile {
  /** A plain file name (no folders). */
  readonly name: string;
  readonly contents: string | Uint8Array;
}

export interface ManifestEntry {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface Manifest {
  readonly kind: 'kms-report/manifest';
  readonly schemaVersion: 1;
  readonly generatedAt: string;
  readonly toolVersion: string;
  readonly files: readonly ManifestEntry[];
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function sha256(contents: string | Uint8Array): string {
  return createHash('sha256').update(contents).digest('hex');
}

async function writeSynced(path: string, contents: string | Uint8Array) {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(contents);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes a report set into `dir` as one unit, with `manifest.json` and `SHA256SUMS` (each
 * file's SHA-256, so an auditor can verify an attachment with `sha256sum -c SHA256SUMS`).
 *
 * Everything is written into a hidden staging folder beside `dir` and flushed; only then does
 * the staging folder replace `dir` (two renames). A run that dies before that leaves the
 * previous report set as it was; re-running the same month replaces it whole.
 *
 * @example
 * ```ts
 * await writeReportSet('reports/111122223333/2026-10', [{ name: 'report.md', contents: md }], {
 *   generatedAt: new Date().toISOString(),
 *   toolVersion: '0.1.0',
 * });
 * ```
 */
export async function writeReportSet(
  dir: string,
  files: readonly ReportFile[],
  meta: { generatedAt: string; toolVersion: string },
): Promise<Manifest> {
  const names = new Set<string>();
  for (const f of files) {
    if (!SAFE_NAME.test(f.name)) throw new Error(`report file name "${f.name}" is not a plain file name`);
    if (names.has(f.name) || f.name === 'manifest.json' || f.name === 'SHA256SUMS')
      throw new Error(`report file name "${f.name}" is used twice or reserved`);
    names.add(f.name);
  }
  const manifest: Manifest = {
    kind: 'kms-report/manifest',
    schemaVersion: 1,
    generatedAt: meta.generatedAt,
    toolVersion: meta.toolVersion,
    files: files
      .map((f) => ({ name: f.name, bytes: Buffer.byteLength(f.contents), sha256: sha256(f.contents) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
  const sums = manifest.files.map((f) => `${f.sha256}  ${f.name}\n`).join('');

  const parent = dirname(dir);
  const base = basename(dir);
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const staging = join(parent, `.${base}.tmp-${tag}`);
  const previous = join(parent, `.${base}.old-${tag}`);
  try {
    await mkdir(staging);
    for (const f of files) await writeSynced(join(staging, f.name), f.contents);
    await writeSynced(join(staging, 'SHA256SUMS'), sums);
    await writeSynced(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  const hadPrevious = await exists(dir);
  if (hadPrevious) await rename(dir, previous);
  try {
    await rename(staging, dir);
  } catch (error) {
    if (hadPrevious) await rename(previous, dir);
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  if (hadPrevious) await rm(previous, { recursive: true, force: true });
  return manifest;
}
