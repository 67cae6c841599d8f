import type { IncomingMessage } from "node:http";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import type { Context, MiddlewareHandler } from "hono";
import { requestId } from "hono/request-id";
import { componentLog } from "../log.js";
import { corsAllowList } from "./cors.js";
import { ApiError } from "./errors.js";
import { onError } from "./on-error.js";
import { type PublicDeps, publicRouter } from "./public/index.js";
import { FixedWindowLimiter } from "./rate-limit.js";
import { type ApiEnv, newRouter } from "./router.js";

export interface AppDeps extends PublicDeps {
  /** Origins a browser may call the API from (API_CORS_ORIGINS); same-origin pages need none. */
  corsOrigins: readonly string[];
  /** Requests per minute per client IP (API_RATE_LIMIT_PER_MINUTE); 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** More routers (admin, signed, ops) mounted at `path`; their routes join /openapi.json too. */
  routers?: { path: string; router: OpenAPIHono<ApiEnv> }[];
  /** Middleware run for every request after the request id and log line are set up (e.g. HTTP metrics). */
  middleware?: MiddlewareHandler<ApiEnv>[];
  /** Where request lines go; default the `api` component logger. */
  logRequest?: (line: { requestId: string; method: string; path: string; status: number; ms: number; ip: string }) => void;
}

/** The peer's address as @hono/node-server's getConnInfo reads it, without its throw when there is no socket (app.fetch in-process). */
function clientIp(c: Context): string {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress ?? "unknown";
}

/**
 * merit's HTTP API: request ids (echoed in X-Request-Id and in every log line), one log line per
 * request, the CORS allow-list, the per-IP rate limit, the one error handler, /openapi.json (3.1)
 * and /docs, the public routes under /v1, and whatever routers the caller mounts.
 */
export function createApp(deps: AppDeps): OpenAPIHono<ApiEnv> {
  const app = newRouter();
  const log = componentLog("api").log;
  const logRequest = deps.logRequest ?? ((line) => log.info(line, "request"));
  const limiter = deps.rateLimitPerMinute > 0 ? new FixedWindowLimiter(deps.rateLimitPerMinute) : undefined;

  app.use(requestId());
  app.use(async (c, next) => {
    const t0 = performance.now();
    await next();
    logRequest({
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - t0) * 10) / 10,
      ip: clientIp(c),
    });
  });
  for (const m of deps.middleware ?? []) app.use(m);
  app.use(corsAllowList(deps.corsOrigins, { exposeHeaders: ["X-Request-Id", "Retry-After", "ETag", "X-Next-Cursor"] }));
  if (limiter) {
    app.use(async (c, next) => {
      const retryAfter = limiter.hit(clientIp(c));
      if (retryAfter > 0) {
        c.header("Retry-After", String(retryAfter));
        throw new ApiError(429, "rate_limited", `more than ${limiter.limit} requests a minute from this address; retry in ${retryAfter} s`);
      }
      await next();
    });
  }
  app.onError(onError);

  app.route("/v1", publicRouter(deps));
  for (const r of deps.routers ?? []) app.route(r.path, r.router);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "merit API",
      version: "1",
      description:
        "Settlement-driven token rewards on Solana. Points are in millipoints (1 point = 1000) everywhere; token amounts are u64 decimal strings in the mint's base units. `cumulative` is everything a wallet was ever allocated (in the latest active root), `claimed` is read on-chain, `claimable` = cumulative − claimed. A 404 with `unknown_wallet` means the wallet is not eligible (merit knows nothing of it); a 503 means merit's database or RPC is down and says nothing about the wallet.",
    },
  });
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "merit API" }));
  return app;
}
