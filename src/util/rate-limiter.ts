import { type Clock, systemClock } from './clock.js';

/**
 * Paces calls to at most `ratePerSecond`, allowing a burst of `burst` calls at once
 * (generic cell rate algorithm: each call reserves the next free slot, so waiters are
 * served in order and the long-run rate never exceeds the limit).
 */
export class RateLimiter {
  private readonly interval: number;
  private readonly tolerance: number;
  private theoreticalArrival = 0;

  constructor(
    readonly ratePerSecond: number,
    readonly burst = 1,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be positive, got ${ratePerSecond}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    this.interval = 1000 / ratePerSecond;
    this.tolerance = (Math.floor(burst) - 1) * this.interval;
  }

  /** Resolves when the caller may make its call. */
  async take(): Promise<void> {
    const now = this.clock.now();
    const tat = Math.max(this.theoreticalArrival, now);
    const start = Math.max(now, tat - this.tolerance);
    this.theoreticalArrival = tat + this.interval;
    if (start > now) await this.clock.sleep(start - now);
  }
}
