import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { OpenAPIHono } from "@hono/zod-openapi";
import { requestId } from "hono/request-id";
import { onError } from "../../indexer/src/api/on-error.js";
import type { ApiEnv } from "../../indexer/src/api/router.js";
import { httpMetrics } from "../../indexer/src/metrics/index.js";
import { responseChecker } from "./api.js";

/**
 * The routers under test mounted as createApp will mount them (request ids, metrics, the one error
 * handler), served on a loopback port. Every answer `call` gets from it is held to the OpenAPI
 * document the same routers publish: an undocumented status or a body off its schema fails the test.
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
  app.doc31("/openapi.json", { openapi: "3.1.0", info: { title: "merit (routers under test)", version: "test" } });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const doc = (await (await fetch(`${url}/openapi.json`)).json()) as Parameters<typeof responseChecker>[0] & { openapi?: string };
  assert.match(String(doc.openapi), /^3\.1\./, "an OpenAPI 3.1 document");
  checkers.set(url, responseChecker(doc));
  return {
    url,
    app,
    close: () =>
      new Promise<void>((r) => {
        checkers.delete(url);
        server.close(() => r());
      }),
  };
}

/** A response body as tests read it: by shape, each field asserted. */
// biome-ignore lint/suspicious/noExplicitAny: tests read answers by shape and assert every field they use
export type Body = any;

const checkers = new Map<string, ReturnType<typeof responseChecker>>();

/** fetch with a JSON body, answering status, body and headers (checked against /openapi.json when served by serveRouters). */
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
  const target = new URL(url);
  const check = checkers.get(target.origin);
  if (check)
    check(
      (opts.method ?? (opts.body === undefined ? "GET" : "POST")).toLowerCase(),
      target.pathname,
      res.status,
      res.headers.get("content-type") ?? "",
      body,
    );
  return { status: res.status, body, headers: res.headers };
}
