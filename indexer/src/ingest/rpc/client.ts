import { UpstreamError } from "../../errors.js";
import { rpcErrors, rpcRequestDuration } from "../../metrics/index.js";
import { backoffMs, Semaphore, sleep, TokenBucket } from "./rate-limit.js";

/**
 * JSON-RPC over HTTP within a request budget. Every failure becomes an UpstreamError whose
 * `retryable` says whether waiting can help: 429, 5xx, timeouts, resets and unparseable bodies are
 * retried here with jittered exponential backoff (honouring Retry-After); a JSON-RPC error the node
 * means (bad params, block not available) is not. With fallback URLs, a request that cannot reach
 * its URL or gets a 5xx moves the client to the next URL at once (round robin), and backoff only
 * starts once every URL has failed the same call.
 */
export interface RpcClientOptions {
  url: string;
  /** Tried in order after `url` when it is unreachable, times out or answers 5xx. */
  fallbackUrls?: readonly string[];
  maxConcurrency?: number;
  requestsPerSecond?: number;
  timeoutMs?: number;
  maxRetries?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  log?: (line: string) => void;
}

export interface RpcCall {
  method: string;
  params: unknown[];
}

export interface RpcStats {
  requests: number;
  calls: number;
  retries: number;
  failures: number;
  /** Moves to the next URL after an endpoint failed. */
  failovers: number;
}

/** Node-side JSON-RPC errors that waiting fixes: node behind, min context slot not reached. */
const RETRYABLE_RPC_CODES = new Set([-32005, -32014, -32016]);
/** Failures that say this endpoint is down, not that the request or the chain is the problem. */
const ENDPOINT_DOWN = new Set(["rpc_unreachable", "rpc_timeout", "rpc_server_error"]);

export class RpcClient {
  readonly stats: RpcStats = { requests: 0, calls: 0, retries: 0, failures: 0, failovers: 0 };
  private readonly bucket: TokenBucket;
  private readonly gate: Semaphore;
  private nextId = 1;
  private batchUnsupported = false;
  private readonly urls: string[];
  private current = 0;

  constructor(private readonly opts: RpcClientOptions) {
    this.urls = [opts.url, ...(opts.fallbackUrls ?? [])];
    this.bucket = new TokenBucket(opts.requestsPerSecond ?? 20);
    this.gate = new Semaphore(opts.maxConcurrency ?? 8);
  }

  async call<T>(method: string, params: unknown[]): Promise<T> {
    const [r] = await this.batch<T>([{ method, params }]);
    return r as T;
  }

  /**
   * Several calls in one HTTP request (each counts against the budget, as providers bill them).
   * Falls back to one request per call when the server does not answer batches with an array.
   */
  async batch<T>(calls: readonly RpcCall[]): Promise<T[]> {
    if (calls.length === 0) return [];
    if (calls.length > 1 && this.batchUnsupported) return Promise.all(calls.map((c) => this.call<T>(c.method, c.params)));
    const body = calls.map((c) => ({ jsonrpc: "2.0", id: this.nextId++, method: c.method, params: c.params }));
    const payload = calls.length === 1 ? body[0] : body;
    const maxRetries = this.opts.maxRetries ?? 6;
    let failovers = 0;
    for (let attempt = 0; ; attempt++) {
      const index = this.current;
      try {
        return await this.send<T>(
          this.urls[index]!,
          payload,
          body.map((b) => b.id),
          calls,
        );
      } catch (err) {
        rpcErrors.inc({ method: calls[0]!.method });
        if (err instanceof UpstreamError && ENDPOINT_DOWN.has(err.code) && failovers < this.urls.length - 1) {
          // another endpoint may answer now: no backoff, and no retry spent
          failovers++;
          this.failover(index, err);
          attempt--;
          continue;
        }
        if (err instanceof UpstreamError && err.code === "rpc_batch_unsupported") {
          this.batchUnsupported = true;
          return Promise.all(calls.map((c) => this.call<T>(c.method, c.params)));
        }
        const retryable = err instanceof UpstreamError && err.retryable;
        if (!retryable || attempt >= maxRetries) {
          this.stats.failures++;
          throw err;
        }
        this.stats.retries++;
        const retryAfter = (err as UpstreamError & { retryAfterMs?: number }).retryAfterMs;
        const wait = retryAfter ?? backoffMs(attempt, this.opts.baseBackoffMs ?? 250, this.opts.maxBackoffMs ?? 15_000);
        this.opts.log?.(
          `rpc ${calls[0]!.method}${calls.length > 1 ? ` x${calls.length}` : ""}: ${(err as Error).message}; retry ${attempt + 1}/${maxRetries} in ${wait} ms`,
        );
        await sleep(wait);
      }
    }
  }

  /** The URL requests go to now. */
  get url(): string {
    return this.urls[this.current]!;
  }

  /** Moves to the URL after `index`, unless a concurrent request already moved on from it. */
  private failover(index: number, err: UpstreamError): void {
    if (this.current !== index) return;
    this.current = (index + 1) % this.urls.length;
    this.stats.failovers++;
    this.opts.log?.(`rpc ${this.urls[index]} failed (${err.message}); switching to ${this.urls[this.current]}`);
  }

  private async send<T>(url: string, payload: unknown, ids: number[], calls: readonly RpcCall[]): Promise<T[]> {
    await this.bucket.take(ids.length);
    return this.gate.run(async () => {
      this.stats.requests++;
      this.stats.calls += ids.length;
      let res: Response;
      // the request's own time: after the rate limit and the concurrency gate
      const end = rpcRequestDuration.startTimer({ method: calls[0]!.method });
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        });
      } catch (cause) {
        end();
        const timeout = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError");
        throw new UpstreamError(
          timeout ? "rpc_timeout" : "rpc_unreachable",
          `${calls[0]!.method}: ${timeout ? "timed out" : (cause as Error).message}`,
          true,
          cause,
        );
      }
      const text = await res.text().catch(() => "");
      end();
      if (res.status === 429 || res.status >= 500) {
        const err = new UpstreamError(
          res.status === 429 ? "rpc_rate_limited" : "rpc_server_error",
          `${calls[0]!.method}: HTTP ${res.status}`,
          true,
        );
        const ra = Number(res.headers.get("retry-after"));
        if (Number.isFinite(ra) && ra > 0) Object.assign(err, { retryAfterMs: Math.min(ra * 1000, 60_000) });
        throw err;
      }
      // Providers that disable batching answer a batch with a 4xx (400, 403, 413): fall back.
      if (!res.ok && ids.length > 1 && res.status >= 400 && res.status < 500)
        throw new UpstreamError("rpc_batch_unsupported", `batch refused with HTTP ${res.status}`, false);
      if (!res.ok) throw new UpstreamError("rpc_http_error", `${calls[0]!.method}: HTTP ${res.status} ${text.slice(0, 200)}`, false);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (cause) {
        throw new UpstreamError("rpc_garbage", `${calls[0]!.method}: response is not JSON (${text.slice(0, 80)})`, true, cause);
      }
      const items = Array.isArray(json) ? json : [json];
      if (ids.length > 1 && !Array.isArray(json))
        throw new UpstreamError("rpc_batch_unsupported", "server answered a batch with a single object", false);
      const byId = new Map<unknown, Record<string, unknown>>();
      for (const it of items)
        if (typeof it === "object" && it !== null) byId.set((it as { id: unknown }).id, it as Record<string, unknown>);
      return ids.map((id, i) => {
        const it = byId.get(id);
        if (!it || (!("result" in it) && !("error" in it))) {
          throw new UpstreamError("rpc_garbage", `${calls[i]!.method}: response has neither result nor error for id ${id}`, true);
        }
        if (it.error) {
          const e = it.error as { code?: number; message?: string };
          throw new UpstreamError(
            "rpc_error",
            `${calls[i]!.method}: ${e.message ?? "error"} (code ${e.code})`,
            RETRYABLE_RPC_CODES.has(Number(e.code)),
            e,
          );
        }
        return it.result as T;
      });
    });
  }
}
