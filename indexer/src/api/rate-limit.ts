/**
 * A fixed-window counter per key (the client's IP): at most `limit` hits per `windowMs`. The
 * maintained middleware (hono-rate-limiter) needs a store per deployment and answers with its own
 * body; this is the one behaviour the API needs, answered with its ApiError.
 */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastSweep = 0;

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a hit; returns 0 when it is allowed, else the whole seconds until the window resets. */
  hit(key: string): number {
    const now = this.now();
    const start = now - (now % this.windowMs);
    if (now - this.lastSweep > this.windowMs) this.sweep(start);
    let w = this.windows.get(key);
    if (!w || w.start !== start) this.windows.set(key, (w = { start, count: 0 }));
    w.count++;
    if (w.count <= this.limit) return 0;
    return Math.max(1, Math.ceil((start + this.windowMs - now) / 1000));
  }

  /** Keys of past windows would only grow the map: drop them once a window. */
  private sweep(current: number): void {
    this.lastSweep = this.now();
    for (const [k, w] of this.windows) if (w.start !== current) this.windows.delete(k);
  }

  get size(): number {
    return this.windows.size;
  }
}
