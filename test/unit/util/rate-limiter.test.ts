import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/util/clock.js';
import { RateLimiter } from '../../../src/util/rate-limiter.js';

/** A clock that only moves when something sleeps. */
function manualClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('RateLimiter', () => {
  it('spaces calls evenly at the given rate', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter(2, 1, clock);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.take();
      times.push(clock.now());
    }
    expect(times).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it('lets a burst through at once, then holds the long-run rate', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter(10, 5, clock);
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      await limiter.take();
      times.push(clock.now());
    }
    expect(times.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(times.slice(5)).toEqual([100, 200, 300]);
  });

  it('rejects a rate or burst that makes no sense', () => {
    expect(() => new RateLimiter(0)).toThrow('ratePerSecond must be positive');
    expect(() => new RateLimiter(5, 0)).toThrow('burst must be at least 1');
  });
});
