import { z } from 'zod';
import type { ObjectStore, StoredObject } from './object-store.js';

/**
 * Which files hold a month of a CUR 2.0 export (AWS Data Exports). AWS delivers the month's data
 * under `<prefix>/<export-name>/data/BILLING_PERIOD=YYYY-MM/` and, once every data file of a
 * delivery is written, a manifest under `<prefix>/<export-name>/metadata/BILLING_PERIOD=YYYY-MM/`
 * (`<export-name>-Manifest.json`) whose `dataFiles` lists the delivery's files. The export is
 * refreshed at least daily, until some days after the month: with "overwrite" the files are
 * replaced in place, with "create new report" each delivery writes its own folder (named by its
 * execution id) under the partition, and its own manifest.
 *
 * So: when there is a manifest, the most recently written one decides (its files and no others:
 * files of an older delivery left in the folder are not the bill); without one (a copy that left
 * the metadata behind), the Parquet files of the most recent delivery folder are read — the
 * partition's own files when they are not in subfolders.
 */

/** Objects listed under one month's data or metadata folder, at most: a month is tens of files. */
export const MAX_LISTED_OBJECTS = 20_000;
/** Data files read for one month, at most (AWS splits a month into files of about 1 GB). */
export const MAX_CUR_FILES = 5_000;
/** The largest manifest read (it lists the columns and the files: kilobytes). */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

/** The month's files, and how they were chosen (for the bill's read cost and gaps). */
export interface CurMonthFiles {
  /** The export's folder (`<prefix>/<export-name>/`), as found. */
  readonly exportFolder: string;
  readonly files: readonly StoredObject[];
  /** How the files were chosen, in words. */
  readonly chosenBy: string;
  /** What was noticed and not read (CSV files, files the manifest does not list, ...). */
  readonly notes: readonly string[];
  /** What could not be found or read (a manifest file missing from the folder, ...). */
  readonly gaps: readonly string[];
}

/** Joins prefix parts into a folder key: no leading slash, one trailing slash (`''` for the root). */
export function folderKey(...parts: readonly (string | undefined)[]): string {
  const joined = parts
    .filter((p): p is string => p !== undefined && p !== '')
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .join('/');
  return joined === '' ? '' : `${joined}/`;
}

/** A partition folder of a month: `BILLING_PERIOD=YYYY-MM/`. */
export const partitionOf = (month: string): string => `BILLING_PERIOD=${month}/`;

const manifestSchema = z.object({
  executionId: z.string().max(256).optional(),
  dataFiles: z.array(z.string().max(2048)).max(MAX_CUR_FILES),
});

const isParquet = (key: string) => key.endsWith('.parquet');
const isCsv = (key: string) => /\.csv(\.gz)?$/.test(key) || key.endsWith('.gz');
const latest = (objects: readonly StoredObject[]) =>
  objects.reduce<StoredObject | null>(
    (best, o) => (best === null || (o.lastModified ?? 0) > (best.lastModified ?? 0) ? o : best),
    null,
  );

/**
 * The export folder under `prefix`: `<prefix>/<exportName>/` when the export's name is given;
 * else `prefix` itself when it holds the month's partition (`data/BILLING_PERIOD=YYYY-MM/`), else
 * the one export under it that does (several: an {@link ExportChoiceError}).
 */
export async function findExportFolder(
  store: ObjectStore,
  prefix: string,
  exportName: string | undefined,
  month: string,
): Promise<string> {
  if (exportName !== undefined) return folderKey(prefix, exportName);
  const base = folderKey(prefix);
  const partition = partitionOf(month);
  if ((await store.list(`${base}data/${partition}`, MAX_LISTED_OBJECTS)).length > 0) return base;
  // The month's partition, wherever it is under the prefix: listed once, bounded.
  const exports = new Set<string>();
  for (const o of await store.list(base, MAX_LISTED_OBJECTS)) {
    // An export folder below the prefix (not the prefix itself, checked above); an object outside
    // any month's data folder (a manifest, another file) names no export. Never -1 as a start:
    // at the bucket's root every key would match "not found".
    const at = o.key.indexOf(`/data/${partition}`, base.length);
    if (at > base.length) exports.add(o.key.slice(0, at + 1));
  }
  if (exports.size > 1)
    throw new ExportChoiceError(
      `${exports.size} exports under ${store.where}/${base} hold ${month}: ${[...exports].sort().slice(0, 5).join(', ')}; name one (its export name, or the prefix up to it)`,
    );
  return exports.size === 1 ? ([...exports][0] as string) : base;
}

/** Several exports under a prefix and none named: a question for the user, not a gap to guess over. */
export class ExportChoiceError extends Error {
  override readonly name = 'ExportChoiceError';
}

/** The manifest of the month (the most recently written), or null when there is none. */
async function readManifest(
  store: ObjectStore,
  exportFolder: string,
  month: string,
): Promise<{ key: string; dataFiles: string[]; executionId: string | null } | null> {
  const folder = `${exportFolder}metadata/${partitionOf(month)}`;
  const manifests = (await store.list(folder, MAX_LISTED_OBJECTS)).filter((o) =>
    o.key.endsWith('Manifest.json'),
  );
  const newest = latest(manifests);
  if (!newest) return null;
  const bytes = await store.read(newest.key, MAX_MANIFEST_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ManifestError(`${newest.key}: not JSON`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success)
    throw new ManifestError(
      `${newest.key}: not a Data Exports manifest (${parsed.error.issues[0]?.message})`,
    );
  return { key: newest.key, dataFiles: parsed.data.dataFiles, executionId: parsed.data.executionId ?? null };
}

/** A manifest that is not JSON, or not shaped as Data Exports writes it. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** The object key of an `s3://bucket/key` URI (or a plain key); null for another scheme. */
function keyOfUri(uri: string): string | null {
  const match = /^s3:\/\/[^/]+\/(.+)$/.exec(uri);
  if (match) return match[1] as string;
  return uri.includes('://') ? null : uri.replace(/^\/+/, '');
}

/**
 * The files of `month` in the export at `exportFolder`: the latest manifest's, or without a
 * manifest the latest delivery's (see the module's comment). Throws the store's errors (a
 * listing refused, too many objects) and {@link ManifestError}.
 */
export async function curMonthFiles(
  store: ObjectStore,
  exportFolder: string,
  month: string,
): Promise<CurMonthFiles> {
  const dataFolder = `${exportFolder}data/${partitionOf(month)}`;
  const listed = await store.list(dataFolder, MAX_LISTED_OBJECTS);
  const notes: string[] = [];
  const csv = listed.filter((o) => isCsv(o.key));
  if (csv.length > 0)
    notes.push(
      `${csv.length} gzip/CSV files not read (kms-report reads the Parquet format of CUR 2.0; make the export Parquet)`,
    );
  const parquet = listed.filter((o) => isParquet(o.key));
  const manifest = await readManifest(store, exportFolder, month);
  if (manifest) return fromManifest(manifest, parquet, dataFolder, exportFolder, notes);
  // No manifest: the partition's own files, or the newest delivery folder's.
  const byFolder = new Map<string, StoredObject[]>();
  for (const o of parquet) {
    const rest = o.key.slice(dataFolder.length);
    const folder = rest.includes('/') ? rest.slice(0, rest.lastIndexOf('/') + 1) : '';
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), o]);
  }
  const newest = latest(parquet);
  const folder = newest ? newest.key.slice(dataFolder.length, newest.key.lastIndexOf('/') + 1) : '';
  const files = byFolder.get(folder) ?? [];
  const gaps: string[] = [];
  if (byFolder.size > 1)
    notes.push(
      `${byFolder.size} delivery folders and no manifest: read the most recent one (${folder || 'the partition itself'}), ${parquet.length - files.length} older files not read`,
    );
  return {
    exportFolder,
    files: limitFiles(files, gaps),
    chosenBy: `the Parquet files under ${dataFolder}${folder} (no manifest under ${exportFolder}metadata/${partitionOf(month)})`,
    notes,
    gaps,
  };
}

function fromManifest(
  manifest: { key: string; dataFiles: string[]; executionId: string | null },
  parquet: readonly StoredObject[],
  dataFolder: string,
  exportFolder: string,
  notes: string[],
): CurMonthFiles {
  const listed = new Map(parquet.map((o) => [o.key, o]));
  const files: StoredObject[] = [];
  const gaps: string[] = [];
  const seen = new Set<string>();
  for (const uri of manifest.dataFiles) {
    const key = keyOfUri(uri);
    // The manifest is read from the bucket: it may only point at the month's own data folder.
    if (key === null || !key.startsWith(dataFolder) || key.includes('/../')) {
      gaps.push(`${manifest.key} lists ${uri.slice(0, 200)}, outside ${dataFolder}: not read`);
      continue;
    }
    if (!isParquet(key)) continue;
    // A file listed twice is read once: its lines are the bill's once.
    if (seen.has(key)) {
      gaps.push(`${manifest.key} lists ${key} more than once: read once`);
      continue;
    }
    seen.add(key);
    const object = listed.get(key);
    if (object) files.push(object);
    else gaps.push(`${key}: listed in ${manifest.key} but not found under ${dataFolder}`);
  }
  const stale = parquet.length - files.length;
  if (stale > 0) notes.push(`${stale} Parquet files of earlier deliveries not read (not in the manifest)`);
  return {
    exportFolder,
    files: limitFiles(files, gaps),
    chosenBy: `the ${files.length} Parquet files of the latest manifest ${manifest.key}${manifest.executionId ? ` (execution ${manifest.executionId})` : ''}`,
    notes,
    gaps,
  };
}

/** The files in key order, at most {@link MAX_CUR_FILES} (the rest is a gap). */
function limitFiles(files: readonly StoredObject[], gaps: string[]): StoredObject[] {
  const sorted = [...files].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (sorted.length <= MAX_CUR_FILES) return sorted;
  gaps.push(`${sorted.length} data files for the month: only the first ${MAX_CUR_FILES} read`);
  return sorted.slice(0, MAX_CUR_FILES);
}
