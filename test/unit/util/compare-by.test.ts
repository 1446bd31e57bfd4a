import { describe, expect, it } from 'vitest';
import { compareBy, compareText, compositeKey } from '../../../src/util/compare.js';

describe('compareBy', () => {
  it('orders by the first field that differs, each in the reports text order', () => {
    const rows = [
      { account: 'b', region: 'eu-west-1' },
      { account: 'a', region: 'us-east-1' },
      { account: 'a', region: 'Eu-west-1' },
      { account: 'a', region: 'eu-west-1' },
    ];
    const sorted = [...rows].sort(
      compareBy(
        (r) => r.account,
        (r) => r.region,
      ),
    );
    expect(sorted.map((r) => `${r.account}/${r.region}`)).toEqual([
      'a/eu-west-1',
      'a/Eu-west-1',
      'a/us-east-1',
      'b/eu-west-1',
    ]);
    expect(compareText('eu-west-1', 'Eu-west-1')).toBeLessThan(0);
  });

  it('gives 0 when every field is equal', () => {
    expect(compareBy<string>((s) => s)('x', 'x')).toBe(0);
  });
});

describe('compositeKey', () => {
  it('keeps apart parts that a joined text would run together', () => {
    expect(compositeKey('a\u0000b', 'c')).not.toBe(compositeKey('a', 'b\u0000c'));
    expect(compositeKey('a,b', 'c')).not.toBe(compositeKey('a', 'b,c'));
    expect(compositeKey('a', 'b')).toBe(compositeKey('a', 'b'));
  });
});
