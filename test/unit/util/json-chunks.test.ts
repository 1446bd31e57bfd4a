import { describe, expect, it } from 'vitest';
import { demoSnapshot } from '../../../src/demo/sample.js';
import { jsonChunks, jsonFileChunks } from '../../../src/util/json-chunks.js';
import { demoMonthlyReport } from '../../support/demo-report.js';

const joined = (value: unknown) => [...jsonChunks(value)].join('');

describe('jsonChunks', () => {
  it('writes the demo report and snapshot exactly as JSON.stringify(value, null, 2) does', async () => {
    const report = await demoMonthlyReport();
    expect(joined(report)).toBe(JSON.stringify(report, null, 2));
    expect(joined(demoSnapshot())).toBe(JSON.stringify(demoSnapshot(), null, 2));
    expect([...jsonFileChunks(report)].join('')).toBe(`${JSON.stringify(report, null, 2)}\n`);
  });

  it('matches JSON.stringify on the edge cases: omitted members, holes, toJSON, empty and deep containers', () => {
    const long = Array.from({ length: 100 }, (_, i) => ({
      i,
      s: `line\n${i} "quoted"`,
      nested: { a: [i, [i]] },
    }));
    const values: unknown[] = [
      null,
      0,
      -1.5e-7,
      'text with "quotes", \\ and \u2028',
      true,
      [],
      {},
      [undefined, () => 1, Symbol('s'), null],
      { a: undefined, b: () => 1, c: 1 },
      { a: undefined },
      { when: new Date('2026-10-01T00:00:00.000Z'), nan: Number.NaN, inf: Number.POSITIVE_INFINITY },
      { a: { b: { c: { d: { e: [1, { f: [] }] } } } } },
      { rows: long, deep: { deeper: { deepest: long } } },
      long,
      [[[[long]]]],
      { 'key with "quote"': { '\n': [{}] } },
      // toJSON gets the member's key, may return undefined (member dropped, array slot null).
      {
        a: { toJSON: (key: string) => `key was ${key}` },
        b: { toJSON: () => undefined },
        c: [{ toJSON: () => undefined }],
      },
      [{ toJSON: (key: string) => ({ at: key }) }],
      // Boxed primitives are written as the primitive.
      { n: Object(5), s: Object('x'), b: Object(false), deep: { deeper: [Object(1)] } },
      Object('top'),
      -0,
      // biome-ignore lint/suspicious/noSparseArray: a hole is written as null
      [1, , 3],
    ];
    for (const value of values) expect(joined(value)).toBe(JSON.stringify(value, null, 2));
  });

  it('writes nothing where JSON.stringify gives undefined', () => {
    for (const value of [undefined, () => 1, Symbol('s'), { toJSON: () => undefined }])
      expect([...jsonChunks(value)]).toEqual([]);
  });

  it('yields a large array in pieces of about 64 KiB, none holding the whole', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: `key-${i}`, total: i / 100 }));
    const pieces = [...jsonChunks({ keys: rows })];
    const whole = JSON.stringify({ keys: rows }, null, 2);
    expect(pieces.join('')).toBe(whole);
    expect(whole.length).toBeGreaterThan(400_000);
    expect(pieces.length).toBeGreaterThan(5);
    // A piece is handed out once 64 KiB are gathered: at most that and one more element.
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(64 * 1024 + 200);
    for (const p of pieces.slice(0, -1)) expect(p.length).toBeGreaterThanOrEqual(64 * 1024);
  });

  it('writes records in arrays two levels down whole, and still splits long arrays below them', () => {
    // report.findings[i] (an object in an array at level 1) is one record; a long array inside
    // a record three levels down is written with it; a long array of arrays is still walked.
    const record = (i: number) => ({ id: i, tags: Array.from({ length: 40 }, (_, t) => ({ t })), n: null });
    const value = {
      findings: Array.from({ length: 50 }, (_, i) => record(i)),
      nested: { deeper: Array.from({ length: 40 }, (_, i) => [i, record(i)]) },
      empty: { list: [], obj: {}, arr: [[], {}] },
    };
    expect(joined(value)).toBe(JSON.stringify(value, null, 2));
  });

  it('matches JSON.stringify on random nested data', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const gen = (depth: number): unknown => {
      const kind = depth > 5 ? rand(4) : rand(8);
      if (kind === 0) return null;
      if (kind === 1) return rand(1000) / 7;
      if (kind === 2) return `s"${rand(100)}\n\u2028`;
      if (kind === 3) return rand(2) === 0;
      if (kind === 4 || kind === 5)
        return Array.from({ length: rand(3) === 0 ? 40 + rand(20) : rand(4) }, () => gen(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = rand(6); i > 0; i--) o[`k${rand(20)}`] = rand(9) === 0 ? undefined : gen(depth + 1);
      return o;
    };
    for (let i = 0; i < 300; i++) {
      const value = gen(0);
      expect(joined(value)).toBe(JSON.stringify(value, null, 2));
    }
  });
});
