import { describe, expect, it } from 'vitest';
import { DEMO_MONTH, demoSnapshot, demoUsage } from '../../src/demo/sample.js';
import { parseSnapshot, serializeSnapshot } from '../../src/snapshot.js';

describe('the demo data', () => {
  it('is a valid snapshot whose region counts match its keys', () => {
    const snapshot = parseSnapshot(serializeSnapshot(demoSnapshot()), 'demo');
    for (const region of snapshot.regions)
      expect(snapshot.keys.filter((k) => k.region === region.region)).toHaveLength(region.keysListed);
    expect(snapshot.gaps).toHaveLength(1);
  });

  it('has usage only for keys it knows, or keys its lifecycle events explain', () => {
    const snapshot = demoSnapshot();
    const usage = demoUsage();
    expect(usage.month).toBe(DEMO_MONTH);
    const known = new Set([...snapshot.keys.map((k) => k.arn), ...usage.lifecycle.map((e) => e.keyArn)]);
    for (const r of usage.requests) expect(known.has(r.keyArn), r.keyArn).toBe(true);
  });
});
