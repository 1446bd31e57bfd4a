import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The shape of the code base: one direction of
 * flow (evidence in → judgement → out), no cycles, and short functions. A change that breaks one
 * of these is a design change: make it on purpose, here.
 */

const SRC = resolve(__dirname, '../../src');

/** The folder (or top-level file) a source file belongs to: its layer. */
type Area =
  | 'errors'
  | 'version'
  | 'util'
  | 'model'
  | 'snapshot'
  | 'collect'
  | 'usage'
  | 'org'
  | 'pricing'
  | 'compliance'
  | 'bill'
  | 'reconcile'
  | 'advice'
  | 'demo'
  | 'report'
  | 'publish'
  | 'pipeline'
  | 'cli'
  | 'entry'
  | 'index';

/** What the monthly job (pipeline) may import: every stage below it. */
const PIPELINE_SEES: readonly Area[] = [
  'publish',
  'report',
  'reconcile',
  'bill',
  'advice',
  'pricing',
  'compliance',
  'demo',
  'org',
  'usage',
  'collect',
  'snapshot',
  'model',
  'util',
  'errors',
  'version',
];

/** What each layer may import (besides itself). Pure stages see only the model and utilities. */
const ALLOWED: Readonly<Record<Area, readonly Area[]>> = {
  errors: [],
  version: [],
  util: ['errors'],
  model: ['util', 'errors'],
  snapshot: ['model', 'util', 'errors'],
  collect: ['model', 'util', 'errors', 'version'],
  usage: ['collect', 'model', 'util', 'errors', 'version'],
  org: ['collect', 'usage', 'model', 'util', 'errors', 'version'],
  pricing: ['model', 'util', 'errors'],
  compliance: ['model', 'util', 'errors'],
  // Bill readers read AWS (Cost Explorer, the CUR in S3, Athena) like the collectors: plain data
  // out. They see pricing for its money arithmetic (exact decimal sums of the bill's amounts).
  bill: ['collect', 'pricing', 'model', 'util', 'errors', 'version'],
  // Estimate against bill: pure, a function of the priced month and the bill read. It sees pricing
  // for its money arithmetic and the names of the assumptions it tests, nothing that reads.
  reconcile: ['pricing', 'model', 'util', 'errors'],
  // The demo is evidence: what a collection would have produced, and its compliance settings.
  demo: ['usage', 'compliance', 'model', 'util', 'errors', 'version'],
  // Builders and renderers: a function of the judged month, nothing that reads AWS or files.
  report: ['advice', 'pricing', 'compliance', 'model', 'util', 'errors', 'version'],
  // The one writer to AWS (Security Hub): the findings as the report renders them, sent with
  // the collectors' client defaults and error classification.
  publish: ['report', 'collect', 'model', 'util', 'errors', 'version'],
  // Cost drivers and recommendations: a pure function of the priced, judged month. Of pricing it
  // reads only the money arithmetic (see the test below): prices come from the month's lines.
  advice: ['pricing', 'model', 'util', 'errors'],
  pipeline: PIPELINE_SEES,
  cli: ['pipeline', ...PIPELINE_SEES],
  // The package's entry points (the root and its subpaths) re-export from every layer.
  entry: [],
  index: [],
};

/** Files that are data written as code: exempt from the function-length rule. */
const DATA_FILES = new Set(['demo/sample.ts']);
/** The longest function (lines, signature to closing brace) outside data files. */
const MAX_FUNCTION_LINES = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function areaOf(file: string): Area {
  const rel = relative(SRC, file).split('\\').join('/');
  const head = rel.includes('/') ? (rel.split('/')[0] as string) : rel.replace(/\.ts$/, '');
  return head as Area;
}

/** The source files a file imports (relative imports only, `.js` resolved to `.ts`). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')));
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => relative(SRC, f).split('\\').join('/');

describe('the structure of src/', () => {
  it('knows the layer of every file', () => {
    const unknown = files.filter((f) => !(areaOf(f) in ALLOWED)).map(rel);
    expect(unknown).toEqual([]);
  });

  it('imports only downward: no stage reaches up or sideways into another', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      const from = areaOf(file);
      if (from === 'index' || from === 'entry') continue;
      for (const target of imports) {
        const to = areaOf(target);
        if (to !== from && !ALLOWED[from].includes(to)) upward.push(`${rel(file)} → ${rel(target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('prices nothing in the advice: of pricing it imports only the money arithmetic', () => {
    const reached: string[] = [];
    for (const [file, imports] of graph)
      if (areaOf(file) === 'advice')
        for (const target of imports)
          if (areaOf(target) === 'pricing' && rel(target) !== 'pricing/money.ts')
            reached.push(`${rel(file)} → ${rel(target)}`);
    expect(reached).toEqual([]);
  });

  it('has no import cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) {
        if (!graph.has(next)) continue;
        const seen = state.get(next);
        if (seen === 'open')
          cycles.push([...path, file, next].slice(path.indexOf(next)).map(rel).join(' → '));
        else if (seen === undefined) visit(next, [...path, file]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it(`has no function longer than ${MAX_FUNCTION_LINES} lines outside data files`, () => {
    const long: string[] = [];
    for (const file of files) {
      if (DATA_FILES.has(rel(file))) continue;
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
          const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (last - first + 1 > MAX_FUNCTION_LINES)
            long.push(`${rel(file)}:${first + 1} (${last - first + 1} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(long).toEqual([]);
    // Parses every source file: seconds on a loaded two-core machine.
  }, 120_000);
});
