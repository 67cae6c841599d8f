import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { OpenAPIHono } from "@hono/zod-openapi";
import { requestId } from "hono/request-id";
import { onError } from "../../indexer/src/api/on-error.js";
import type { ApiEnv } from "../../indexer/src/api/router.js";
import { httpMetrics } from "../../indexer/src/metrics/index.js";

/**
 * The routers under test mounted as createApp will mount them (request ids, metrics, the one error
 * handler), served on a loopback port. Later tests can switch to createApp itself.
 */
export interface TestApi {
  url: string;
  app: OpenAPIHono<ApiEnv>;
  close(): Promise<void>;
}

export async function serveRouters(mounts: { at: string; router: OpenAPIHono<ApiEnv> }[]): Promise<TestApi> {
  const app = new OpenAPIHono<ApiEnv>();
  app.use(httpMetrics());
  app.use(requestId());
  app.onError(onError);
  for (const m of mounts) app.route(m.at, m.router);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A response body as tests read it: by shape, each field asserted. */
// biome-ignore lint/suspicious/noExplicitAny: tests read answers by shape and assert every field they use
export type Body = any;

/** fetch with a JSON body, answering status, body and headers. */
export async function call(
  url: string,
  opts: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Body; headers: Headers }> {
  const res = await fetch(url, {
    method: opts.method ?? (opts.body === undefined ? "GET" : "POST"),
    headers: { ...(opts.body === undefined ? {} : { "content-type": "application/json" }), ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, headers: res.headers };
}
