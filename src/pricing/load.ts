import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PricingTableError } from './errors.js';
import { type PricingTable, parsePricingTable } from './table.js';

/**
 * The `pricing/` folder shipped with kms-report (the package root's `pricing/`, both from
 * `src/pricing/` under tsx and from `dist/pricing/` once built).
 */
export const DEFAULT_PRICING_DIR = fileURLToPath(new URL('../../pricing/', import.meta.url));

/** Reads and validates one table file. */
export async function readPricingTable(path: string): Promise<PricingTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PricingTableError(path, '', code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`, {
      cause: error,
    });
  }
  return parsePricingTable(text, path);
}

/**
 * Reads every `*.json` table in a folder (default: the shipped `pricing/`), sorted by file
 * name. One broken file rejects the whole set, naming the file and field. Two files with
 * the same `version` are rejected too.
 */
export async function loadPricingTables(dir: string = DEFAULT_PRICING_DIR): Promise<PricingTable[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PricingTableError(dir, '', code === 'ENOENT' ? 'no such folder' : `cannot be read (${code})`, {
      cause: error,
    });
  }
  if (names.length === 0) throw new PricingTableError(dir, '', 'no pricing table (*.json) in this folder');
  const tables = await Promise.all(names.map((n) => readPricingTable(join(dir, n))));
  const seen = new Map<string, string>();
  for (const t of tables) {
    const other = seen.get(t.version);
    if (other !== undefined)
      throw new PricingTableError(t.file ?? dir, 'version', `"${t.version}" is also the version of ${other}`);
    seen.set(t.version, t.file ?? dir);
  }
  return tables;
}
