/**
 * The two limits an RPC provider enforces: how many requests per second (a token bucket refilled
 * continuously, so a burst after a quiet spell stays within the budget) and how many in flight at
 * once (a counting semaphore).
 */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  constructor(
    private readonly perSecond: number,
    private readonly burst = Math.max(1, perSecond),
  ) {
    this.tokens = burst;
  }

  async take(n = 1): Promise<void> {
    for (;;) {
      const now = performance.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= n || (n > this.burst && this.tokens >= this.burst)) {
        this.tokens -= n;
        return;
      }
      await sleep(Math.ceil(((n - this.tokens) / this.perSecond) * 1000));
    }
  }
}

export class Semaphore {
  private waiting: (() => void)[] = [];
  private active = 0;
  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** "Full jitter" backoff: a uniformly random wait up to an exponentially growing cap. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}
