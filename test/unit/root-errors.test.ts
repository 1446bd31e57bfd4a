import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';

const SRC = resolve(__dirname, '../../src');

/** Every `export class X extends ...` of src/, with its file. */
function exportedClasses(dir = SRC): { file: string; name: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return exportedClasses(path);
    if (!entry.name.endsWith('.ts')) return [];
    const text = readFileSync(path, 'utf8');
    return [...text.matchAll(/^export class (\w+) extends /gm)].map((m) => ({
      file: path,
      name: m[1] as string,
    }));
  });
}

describe('the root exports every error class the library throws', () => {
  it('each subclass of KmsReportError in src/ is a root export', async () => {
    const errors: string[] = [];
    for (const { file, name } of exportedClasses()) {
      const cls = (await import(file))[name] as { prototype: unknown };
      if (cls.prototype instanceof root.KmsReportError) errors.push(name);
    }
    expect(errors).toContain('RegionCredentialsFailure');
    expect(errors.filter((name) => (root as Record<string, unknown>)[name] === undefined)).toEqual([]);
  });
});
