/**
 * A token bucket: `rate` tokens a second, holding at most `capacity`, full at the start. A
 * request takes one token or is refused (the server answers ThrottlingException).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly capacity: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  tryTake(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

/** The region a SigV4-signed request is for, from the credential scope of its Authorization header. */
export function regionOfRequest(authorization: string | undefined): string {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization ?? '')?.[1] ?? 'unknown';
}
