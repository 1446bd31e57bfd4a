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

  it('yields a large array in many pieces, none holding the whole', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: `key-${i}`, total: i / 100 }));
    const pieces = [...jsonChunks({ keys: rows })];
    const whole = JSON.stringify({ keys: rows }, null, 2);
    expect(pieces.join('')).toBe(whole);
    expect(pieces.length).toBeGreaterThan(10_000);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(200);
  });
});
