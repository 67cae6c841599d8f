import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { connect, type Sql } from "../indexer/src/db/connection.js";
import { RpcClient, webhookRoutes, watchRules } from "../indexer/src/ingest/index.js";

/**
 * Issue #14, section 2: the webhook never sends internal error text to the caller. A dependency
 * that is down (database, RPC) is worth Helius's retry: 503. A bug (an exception nobody expected)
 * is 500: retrying the same payload cannot help. Either way the body is a fixed sentence and the
 * detail goes to the server's log.
 */
const fixture = (name: string) => readFileSync(new URL(`./fixtures/ingest/${name}`, import.meta.url), "utf8");
const AUTH = "Bearer test-webhook-secret-0123456789";
const FOX = "FdsNQE5EeCe57tbEYCRV1JwW5dzNCof7MUTaGWhmzYqu";
const BUYER = "CKs1E69a2e9TmH4mKKLrXFF8kD3ZnwKjoEuXa6sz9WqX";
const SECRET = "secret-internal-detail /srv/merit/db.ts:42";

/** A port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A pool whose every use throws what a bug would: a TypeError with internal detail. */
function buggySql(): Sql {
  const fail = () => {
    throw new TypeError(`Cannot read properties of undefined (reading 'count') ${SECRET}`);
  };
  return Object.assign(fail, { begin: async () => fail() }) as unknown as Sql;
}

describe("Helius webhook: error answers", () => {
  const lines: string[] = [];
  let downDb: Sql;
  let downPort: number;
  before(async () => {
    downPort = await closedPort();
    downDb = connect(`postgres://postgres@127.0.0.1:${downPort}/postgres`, { max: 1 });
  });
  after(() => downDb.end({ timeout: 1 }));
  beforeEach(() => (lines.length = 0));

  const post = async (opts: Partial<Parameters<typeof webhookRoutes>[0]>, body: string) => {
    const app = webhookRoutes({
      sql: downDb,
      rules: watchRules({ mints: [FOX], merchants: [BUYER] }),
      authHeader: AUTH,
      log: (l) => lines.push(l),
      ...opts,
    });
    const res = await app.request("/webhooks/helius", {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/json" },
      body,
    });
    return { status: res.status, text: await res.text() };
  };

  it("given a bug (an unexpected exception while storing), then 500 with a generic body, and the detail only in the log", async () => {
    const res = await post({ sql: buggySql() }, fixture("helius-raw-webhook-example.json"));
    assert.equal(res.status, 500);
    assert.deepEqual(JSON.parse(res.text), { error: "internal_error", message: "internal error; the failure is logged on the server" });
    assert.ok(!res.text.includes("secret") && !res.text.includes("count"), res.text);
    assert.ok(
      lines.some((l) => l.includes(SECRET)),
      lines.join("\n"),
    );
  });

  it("given the database down, then 503 (Helius retries) with a generic body: no address, no driver message", async () => {
    const res = await post({}, fixture("helius-raw-webhook-example.json"));
    assert.equal(res.status, 503);
    assert.equal(JSON.parse(res.text).error, "unavailable");
    assert.ok(!res.text.includes(String(downPort)) && !res.text.includes("ECONNREFUSED"), res.text);
    assert.ok(
      lines.some((l) => l.includes("ECONNREFUSED") || l.includes(String(downPort))),
      lines.join("\n"),
    );
  });

  it("given the database down while a malformed body is being stored, then 503 JSON too (not the framework's text 500)", async () => {
    const res = await post({}, "{not json");
    assert.equal(res.status, 503);
    assert.equal(JSON.parse(res.text).error, "unavailable");
  });

  it("given the RPC down while an enhanced item is resolved, then 503 without the RPC's URL (it may hold an API key)", async () => {
    const url = `http://127.0.0.1:${downPort}/?api-key=${SECRET}`;
    const res = await post({ rpc: new RpcClient({ url, maxRetries: 0, timeoutMs: 500 }) }, fixture("helius-enhanced-webhook-example.json"));
    assert.equal(res.status, 503);
    assert.equal(JSON.parse(res.text).error, "unavailable");
    assert.ok(!res.text.includes("secret") && !res.text.includes(String(downPort)), res.text);
  });
});
