import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { Keypair } from "@solana/web3.js";
import { watchedAddresses, watchRules } from "../indexer/src/ingest/parse/watch-rules.js";
import { MERIT_BIN } from "./helpers/indexer-cli.js";

const run = promisify(execFile);

/**
 * Helius's webhook API is unreachable from here, so a local HTTP server stands in for it (the one
 * place a fake is justified) and records every request; the real `helius register` command runs
 * as a child process against it.
 */
interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

describe("helius register (against a stand-in for Helius's webhook API)", function () {
  this.timeout(60_000);
  let server: Server;
  let apiUrl: string;
  const seen: Seen[] = [];
  const hooks: Record<string, unknown>[] = [];
  const mint = Keypair.generate().publicKey.toBase58();
  const facilitator = Keypair.generate().publicKey.toBase58();
  const merchant = Keypair.generate().publicKey.toBase58();
  const env = {
    ...process.env,
    HELIUS_API_KEY: "test-key",
    HELIUS_WEBHOOK_AUTH: "Bearer 0123456789abcdef-secret",
    HELIUS_WEBHOOK_URL: "https://merit.example.com/webhooks/helius",
    WATCH_MINTS: mint,
    WATCH_FACILITATORS: facilitator,
    WATCH_MERCHANTS: merchant,
    RPC_URL: "",
  };
  delete (env as Record<string, unknown>).RPC_URL;

  const readBody = async (req: IncomingMessage) => {
    let s = "";
    for await (const c of req) s += c;
    return s ? JSON.parse(s) : undefined;
  };

  before(async () => {
    server = createServer(async (req, res) => {
      const url = new URL(req.url!, "http://x");
      const body = await readBody(req);
      seen.push({ method: req.method!, path: url.pathname, query: Object.fromEntries(url.searchParams), body });
      res.setHeader("content-type", "application/json");
      if (url.searchParams.get("api-key") === "revoked-key") {
        res.statusCode = 401;
        return res.end(JSON.stringify({ error: "invalid api key" }));
      }
      if (url.searchParams.get("api-key") === "busy-key") {
        res.statusCode = 503;
        return res.end("upstream busy");
      }
      if (req.method === "GET" && url.pathname === "/v0/webhooks")
        return res.end(JSON.stringify(hooks.map(({ authHeader: _a, ...h }) => h)));
      if (req.method === "POST" && url.pathname === "/v0/webhooks") {
        const hook = { ...body, webhookID: "wh-1", wallet: "x", project: "y" };
        hooks.push(hook);
        return res.end(JSON.stringify(hook));
      }
      if (req.method === "PUT" && url.pathname === "/v0/webhooks/wh-1") {
        Object.assign(hooks[0]!, body);
        return res.end(JSON.stringify(hooks[0]));
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: "not found" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const register = (extra: string[] = [], apiKey = env.HELIUS_API_KEY) =>
    run(MERIT_BIN, ["webhook", "register", "--json", ...extra], {
      env: { ...env, HELIUS_API_KEY: apiKey, HELIUS_API_URL: apiUrl },
    });

  it("given no webhook for our URL, when register runs, then it lists and creates one with the exact documented body", async () => {
    const { stdout } = await register();
    assert.deepEqual(JSON.parse(stdout), { action: "created", webhookID: "wh-1", addresses: 3, webhookType: "raw" });
    const addresses = watchedAddresses(watchRules({ mints: [mint], facilitators: [facilitator], merchants: [merchant] }));
    assert.deepEqual(seen, [
      { method: "GET", path: "/v0/webhooks", query: { "api-key": "test-key" }, body: undefined },
      {
        method: "POST",
        path: "/v0/webhooks",
        query: { "api-key": "test-key" },
        body: {
          webhookURL: env.HELIUS_WEBHOOK_URL,
          transactionTypes: ["ANY"],
          accountAddresses: addresses,
          webhookType: "raw",
          authHeader: env.HELIUS_WEBHOOK_AUTH,
        },
      },
    ]);
    // The facilitator, and the merchant's associated token account under each token program.
    assert.ok(addresses.includes(facilitator) && !addresses.includes(merchant));
  });

  it("given our webhook exists, when register runs with another type, then it updates that webhook in place (PUT), never creates a second", async () => {
    seen.length = 0;
    const { stdout } = await register(["--type", "enhanced"]);
    assert.equal(JSON.parse(stdout).action, "updated");
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.path}`),
      ["GET /v0/webhooks", "PUT /v0/webhooks/wh-1"],
    );
    assert.equal((seen[1]!.body as { webhookType: string }).webhookType, "enhanced");
    assert.equal(hooks.length, 1);
  });

  it("given a webhook URL that is not https, then it refuses before calling Helius", async () => {
    seen.length = 0;
    await assert.rejects(
      register(["--url", "http://localhost:8787/webhooks/helius"]),
      (e: { stderr: string; code: number }) => e.code === 2 && /https/.test(e.stderr),
    );
    assert.deepEqual(seen, []);
  });

  it("given Helius refuses the key or is down, then helius-sdk's errors become a clear caller error (exit 2) or a retryable upstream error", async () => {
    seen.length = 0;
    await assert.rejects(
      register([], "revoked-key"),
      (e: { stderr: string; code: number }) => e.code === 2 && /refused the API key \(HTTP 401\)/.test(e.stderr),
    );
    await assert.rejects(
      register([], "busy-key"),
      (e: { stderr: string; code: number }) => e.code !== 0 && e.code !== 2 && /HTTP 503 upstream busy/.test(e.stderr),
    );
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.path}`),
      ["GET /v0/webhooks", "GET /v0/webhooks"],
    );
  });
});
