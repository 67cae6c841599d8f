import assert from "node:assert/strict";
import { createRoute, z } from "@hono/zod-openapi";
import { Connection } from "@solana/web3.js";
import { newRouter } from "../indexer/src/api/router.js";
import { publishRuleSet, scoreBatch } from "../indexer/src/engine/index.js";
import { type ApiServer, startApi } from "./helpers/api.js";
import { closeConnection } from "./helpers/localnet.js";
import { insertSettlements, testWallet } from "./helpers/ledger-fixtures.js";
import { advanceIngestWatermark } from "../indexer/src/ingest/store/cursors.js";
import { useFreshDb } from "./setup/db.js";

/**
 * The app around the routes, over real HTTP against the real Postgres: request ids, the CORS
 * allow-list, the per-IP rate limit, the OpenAPI document and its reference page, routers mounted by
 * the caller, campaigns and tiers. No chain is needed here (its RPC URL points nowhere).
 */
describe("api: the app (request ids, CORS, rate limit, OpenAPI, campaigns, tiers) over HTTP (Postgres)", function () {
  this.timeout(60_000);
  const db = useFreshDb({ max: 4 });
  const connection = new Connection("http://127.0.0.1:9", "confirmed");
  const servers: ApiServer[] = [];
  const start = async (
    over: Partial<Pick<Parameters<typeof startApi>[0], "corsOrigins" | "rateLimitPerMinute" | "routers" | "middleware">> = {},
  ) => {
    const s = await startApi({
      sql: db(),
      connection,
      dataDir: "/nonexistent",
      corsOrigins: over.corsOrigins ?? [],
      rateLimitPerMinute: over.rateLimitPerMinute ?? 0,
      routers: over.routers,
      middleware: over.middleware,
      cacheMs: 0,
    });
    servers.push(s);
    return s;
  };
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    closeConnection(connection);
  });

  it("given a request, then X-Request-Id is set (or echoed when the caller sent one)", async () => {
    const api = await start();
    const r = await api.get("/v1/leaderboard");
    assert.equal(r.status, 200);
    assert.match(r.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    const echoed = await api.get("/v1/leaderboard", { "x-request-id": "trace-123" });
    assert.equal(echoed.headers.get("x-request-id"), "trace-123");
  });

  it("given an allow-list, then an allowed origin gets CORS headers (preflight too) and any other origin none", async () => {
    const api = await start({ corsOrigins: ["https://claim.example.com"] });
    const ok = await api.get("/v1/leaderboard", { origin: "https://claim.example.com" });
    assert.equal(ok.headers.get("access-control-allow-origin"), "https://claim.example.com");
    const refused = await api.get("/v1/leaderboard", { origin: "https://evil.example.com" });
    assert.equal(refused.headers.get("access-control-allow-origin"), null);
    const preflight = await fetch(`${api.url}/v1/leaderboard`, {
      method: "OPTIONS",
      headers: { origin: "https://claim.example.com", "access-control-request-method": "GET" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://claim.example.com");
    const badPreflight = await fetch(`${api.url}/v1/leaderboard`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example.com", "access-control-request-method": "GET" },
    });
    assert.equal(badPreflight.headers.get("access-control-allow-origin"), null);
  });

  it("given 3 requests a minute per IP, when a 4th comes, then it is a 429 with Retry-After and the error body", async () => {
    const api = await start({ rateLimitPerMinute: 3 });
    // startApi's fetch of /openapi.json was the first of the 3
    for (let i = 0; i < 2; i++) assert.equal((await api.get("/v1/leaderboard")).status, 200);
    const r = await api.get("/v1/leaderboard");
    assert.equal(r.status, 429);
    const after = Number(r.headers.get("retry-after"));
    assert.ok(after >= 1 && after <= 60, `Retry-After ${after}`);
    assert.equal((r.body as { error: string }).error, "rate_limited");
    assert.ok((r.body as { requestId?: string }).requestId);
  });

  it("given an invalid input on any route, then a 400 names the field", async () => {
    const api = await start();
    const w = testWallet().address;
    const cases: [string, string][] = [
      ["/v1/leaderboard?epoch=abc", "query.epoch"],
      ["/v1/leaderboard?limit=x", "query.limit"],
      ["/v1/distributor?distributor=nope", "query.distributor"],
      ["/v1/epochs?distributor=nope", "query.distributor"],
      [`/v1/wallets/${w}/epochs?distributor=nope`, "query.distributor"],
      [`/v1/wallets/${w}/proof?distributor=0OIl`, "query.distributor"],
      ["/v1/epochs/abc/dataset", "params.n"],
      ["/v1/epochs/-1/manifest", "params.n"],
      ["/v1/referrals/no%20spaces", "params.code"],
    ];
    for (const [path, field] of cases) {
      const r = await api.get(path);
      assert.equal(r.status, 400, path);
      assert.equal((r.body as { field: string }).field, field, path);
    }
  });

  it("given no distributor configured, then the routes that need one answer 404 unknown_distributor, not 500", async () => {
    const api = await start();
    for (const path of ["/v1/epochs", "/v1/epochs/1", "/v1/distributor"]) {
      const r = await api.get(path);
      assert.equal(r.status, 404, path);
      assert.equal((r.body as { error: string }).error, "unknown_distributor", path);
    }
    assert.equal((await api.get(`/v1/wallets/${testWallet().address}/proof`)).status, 404);
  });

  it("given routers mounted by the caller, then they are served and documented in /openapi.json beside the public routes; /docs renders it", async () => {
    const extra = newRouter();
    extra.openapi(
      createRoute({
        method: "get",
        path: "/ping",
        responses: { 200: { content: { "application/json": { schema: z.object({ pong: z.boolean() }) } }, description: "pong" } },
      }),
      (c) => c.json({ pong: true }, 200),
    );
    const seen: string[] = [];
    const api = await start({
      routers: [{ path: "/admin", router: extra }],
      middleware: [
        async (c, next) => {
          await next();
          seen.push(`${c.req.path} ${c.res.status}`);
        },
      ],
    });
    assert.deepEqual((await api.get("/admin/ping")).body, { pong: true });
    assert.deepEqual(seen.slice(-1), ["/admin/ping 200"], "the caller's middleware sees every request");
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(doc.openapi, "3.1.0");
    for (const p of [
      "/admin/ping",
      "/v1/wallets/{address}",
      "/v1/wallets/{address}/proof",
      "/v1/wallets/{address}/history",
      "/v1/wallets/{address}/epochs",
      "/v1/epochs",
      "/v1/epochs/{n}",
      "/v1/epochs/{n}/dataset",
      "/v1/epochs/{n}/manifest",
      "/v1/epochs/{n}/shards/{file}",
      "/v1/leaderboard",
      "/v1/campaigns",
      "/v1/referrals/{code}",
      "/v1/distributor",
    ])
      assert.ok(doc.paths[p], `${p} is documented`);
    const docs = await fetch(`${api.url}/docs`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /\/openapi\.json/);
  });

  it("given campaigns and tiers in the rule set, then only the running campaigns are listed with their budget left and participants, and the wallet's tier follows its rolling volume", async () => {
    const api = await start();
    const now = Date.now();
    await publishRuleSet(db(), {
      createdBy: "t",
      body: {
        earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
        tiers: {
          windowDays: 30,
          levels: [
            { name: "bronze", minVolume: 0, multiplierBps: 10000 },
            { name: "gold", minVolume: 1_500_000, multiplierBps: 10000 },
          ],
        },
        campaigns: [
          {
            id: "now",
            type: "flat",
            points: 500,
            budget: 10_000,
            startsAt: new Date(now - 60_000).toISOString(),
            endsAt: new Date(now + 3_600_000).toISOString(),
          },
          {
            id: "over",
            type: "flat",
            points: 500,
            budget: 10_000,
            startsAt: new Date(now - 7_200_000).toISOString(),
            endsAt: new Date(now - 3_600_000).toISOString(),
          },
        ],
      },
    });
    // Given: one settlement inside the campaign's window, scored
    const payer = testWallet().address;
    await insertSettlements(db(), [{ slot: 1, time: new Date(now), payer, payee: "SHOP", amount: 2_000_000n }]);
    await advanceIngestWatermark(db(), 1n);
    while ((await scoreBatch(db(), { maxSlot: 1n })) > 0);
    const r = (await api.get("/v1/campaigns")).body as {
      unit: string;
      campaigns: { id: string; budget: string; spent: string; budgetLeft: string; participants: number }[];
    };
    assert.equal(r.unit, "millipoint");
    assert.deepEqual(
      r.campaigns.map((c) => [c.id, c.budget, c.spent, c.budgetLeft, c.participants]),
      [["now", "10000", "500", "9500", 1]],
    );
    const w = (await api.get(`/v1/wallets/${payer}`)).body as Record<string, unknown>;
    assert.deepEqual([w.tier, w.rollingVolume, w.tierWindowDays, w.distributor], ["gold", "2000000", 30, null]);
    assert.deepEqual(
      w.points,
      { unit: "millipoint", total: "2500", pendingInOpenEpoch: "2500" },
      "2 points earned + 0.5 from the campaign",
    );
  });
});
