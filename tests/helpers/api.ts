import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020.js";
import type { Connection } from "@solana/web3.js";
import { type AppDeps, createApp } from "../../indexer/src/api/app.js";
import type { Sql } from "../../indexer/src/db/connection.js";

/**
 * The API over real HTTP on a loopback port, and a checker that holds every response to the
 * OpenAPI document the same server publishes: a status it does not document, or a JSON body that
 * does not match the documented schema (JSON Schema 2020-12, as OpenAPI 3.1 uses), fails the test.
 */
export interface ApiServer {
  url: string;
  /** GET `path` (and check it against /openapi.json). */
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: unknown; text: string }>;
  stop(): Promise<void>;
}

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components?: unknown;
};

/** The API over the test database and chain, without rate limit or caches (each request sees the latest state). */
export const flowApiDeps = (sql: Sql, connection: Connection, dataDir: string): AppDeps => ({
  sql,
  connection,
  dataDir,
  corsOrigins: [],
  rateLimitPerMinute: 0,
  cacheMs: 0,
  chainCacheMs: 0,
});

export async function startApi(deps: AppDeps): Promise<ApiServer> {
  const app = createApp({ logRequest: () => {}, ...deps });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => server.once("listening", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const doc = (await (await fetch(`${url}/openapi.json`)).json()) as Doc;
  assert.match(String((doc as { openapi?: string }).openapi), /^3\.1\./, "an OpenAPI 3.1 document");
  const check = responseChecker(doc);
  return {
    url,
    async get(path, headers = {}) {
      const res = await fetch(`${url}${path}`, { headers });
      const text = await res.text();
      const type = res.headers.get("content-type") ?? "";
      const body = type.includes("application/json") && text ? JSON.parse(text) : undefined;
      check("get", path, res.status, type, body);
      return { status: res.status, headers: res.headers, body, text };
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Checks (method, concrete path, status, body) against the document; throws naming what differs. */
export function responseChecker(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const routes = Object.entries(doc.paths).map(([template, ops]) => ({
    template,
    re: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
    ops,
  }));
  const compiled = new Map<string, ValidateFunction>();
  return (method: string, path: string, status: number, contentType: string, body: unknown) => {
    const bare = path.split("?")[0]!;
    const route = routes.find((r) => r.re.test(bare));
    assert.ok(route, `${bare} is not in /openapi.json`);
    const op = route.ops[method];
    assert.ok(op, `${method.toUpperCase()} ${route.template} is not in /openapi.json`);
    const response = op.responses[String(status)];
    assert.ok(response, `${method.toUpperCase()} ${route.template} answered ${status}, which /openapi.json does not document`);
    if (!contentType.includes("application/json")) return;
    const media = response.content?.["application/json"];
    assert.ok(media, `${route.template} ${status}: JSON body, but no application/json response documented`);
    const key = `${method} ${route.template} ${status}`;
    let validate = compiled.get(key);
    if (!validate) compiled.set(key, (validate = ajv.compile({ ...(media.schema as object), components: doc.components })));
    assert.ok(validate(body), `${key}: the body does not match /openapi.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
  };
}
