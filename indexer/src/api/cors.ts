import type { MiddlewareHandler } from "hono";

/**
 * CORS for an allow-list of origins. hono's `cors()` sets its headers on the response object
 * before and after the handler, which makes @hono/node-server build a full web Response for every
 * request (a third of a proof request's CPU); this one sets them through `c.header` before the
 * handler runs, and does nothing for requests without an Origin header (servers, the CLI).
 */
export function corsAllowList(
  origins: readonly string[],
  opts: { exposeHeaders: readonly string[]; maxAgeSeconds?: number },
): MiddlewareHandler {
  const allowed = new Set(origins);
  const expose = opts.exposeHeaders.join(",");
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (origin === undefined) return next();
    c.header("Vary", "Origin");
    const ok = allowed.has(origin);
    if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
      if (!ok) return c.body(null, 204);
      c.header("Access-Control-Allow-Origin", origin);
      c.header("Access-Control-Allow-Methods", "GET,HEAD,POST,PUT,PATCH,DELETE");
      const requested = c.req.header("access-control-request-headers");
      if (requested) {
        c.header("Access-Control-Allow-Headers", requested);
        c.header("Vary", "Origin, Access-Control-Request-Headers");
      }
      c.header("Access-Control-Max-Age", String(opts.maxAgeSeconds ?? 600));
      return c.body(null, 204);
    }
    if (ok) {
      c.header("Access-Control-Allow-Origin", origin);
      c.header("Access-Control-Expose-Headers", expose);
    }
    return next();
  };
}
