import assert from "node:assert/strict";
import { createServer } from "node:net";
import { adminRoutes } from "../indexer/src/api/admin/routes.js";
import { opsRoutes } from "../indexer/src/api/ops/routes.js";
import { publishRuleSet, scoreBatch } from "../indexer/src/engine/index.js";
import { addDistributor } from "../indexer/src/epochs/queries.js";
import { startIngest, watchRules } from "../indexer/src/ingest/index.js";
import { advanceIngestWatermark } from "../indexer/src/ingest/store/cursors.js";
import { createWorld, rulesOf, runScenario } from "./fixtures/ingest/localnet-scenario.js";
import { call, serveRouters, type TestApi } from "./helpers/api-app.js";
import { createDistributor, publishContext, RULES, usePublishSuite } from "./helpers/publish-chain.js";
import { truncateAll } from "./setup/db.js";
import { untilHeadPasses } from "./helpers/localnet.js";

const TOKEN = "ops-test-admin-token-0123456789";

/** A loopback port nobody listens on: the RPC is down. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** One sample's value from Prometheus text: `name{labels} value`. */
function sample(text: string, name: string, labels = ""): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels ? `{${labels}` : ""}`) && !l.startsWith("#"));
  return line === undefined ? undefined : Number(line.split(" ").at(-1));
}

describe("ops routes over HTTP: /healthz, /readyz against the local chain, /metrics after real activity", function () {
  this.timeout(180_000);
  const { chain, db, dataDir } = usePublishSuite();
  let api: TestApi;
  let down: TestApi;

  before(async () => {
    const ops = opsRoutes({
      sql: db(),
      rpcUrl: chain().net.url,
      maxIngestLagSeconds: 60,
      chain: { connection: chain().connection },
      version: "9.9.9-test",
    });
    api = await serveRouters([{ at: "/", router: ops }]);
    down = await serveRouters([
      {
        at: "/",
        router: opsRoutes({ sql: db(), rpcUrl: `http://127.0.0.1:${await closedPort()}`, maxIngestLagSeconds: 60, timeoutMs: 1000 }),
      },
    ]);
  });
  after(async () => {
    await api?.close();
    await down?.close();
  });

  it("/healthz answers 200 without touching a dependency", async () => {
    const r = await call(`${down.url}/healthz`);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, "ok");
  });

  it("given a fresh ingest watermark and the chain up, /readyz is 200 with each check's result", async () => {
    await advanceIngestWatermark(db(), 5n);
    const r = await call(`${api.url}/readyz`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.status, "ready");
    assert.deepEqual(r.body.failed, []);
    assert.equal(r.body.checks.database.ok, true);
    assert.equal(r.body.checks.rpc.ok, true);
    assert.ok(r.body.checks.rpc.slot >= 0);
    assert.equal(r.body.checks.ingest.slot, 5);
    assert.ok(r.body.checks.ingest.lagSeconds <= 60);
  });

  it("given the RPC down, /readyz is 503 naming the rpc check", async () => {
    await advanceIngestWatermark(db(), 5n);
    const r = await call(`${down.url}/readyz`);
    assert.equal(r.status, 503);
    assert.equal(r.body.status, "not_ready");
    assert.deepEqual(r.body.failed, ["rpc"]);
    assert.equal(r.body.checks.rpc.ok, false);
    assert.ok(r.body.checks.rpc.error);
    assert.match(r.body.message, /^not ready: rpc \(/);
    assert.equal(r.body.checks.database.ok, true);
  });

  it("given ingest last complete longer ago than READY_MAX_INGEST_LAG_SECONDS, or never, /readyz is 503 naming ingest", async () => {
    const never = await call(`${api.url}/readyz`);
    assert.equal(never.status, 503);
    assert.deepEqual(never.body.failed, ["ingest"]);
    assert.match(never.body.checks.ingest.error, /not completed a pass/);
    await advanceIngestWatermark(db(), 5n);
    await db()`update ingest_watermark set updated_at = now() - interval '10 minutes'`;
    const stale = await call(`${api.url}/readyz`);
    assert.equal(stale.status, 503);
    assert.deepEqual(stale.body.failed, ["ingest"]);
    assert.ok(stale.body.checks.ingest.lagSeconds >= 599);
    assert.match(stale.body.message, /limit 60 s/);
  });

  it("given real ingest, scoring, an epoch closed and published through the admin API, /metrics exposes every named metric", async () => {
    await truncateAll(db());
    const { net, connection } = chain();
    // Given: real transfers on the chain, one ingest pass, the engine scoring them
    const world = await createWorld(net.url);
    await runScenario(world);
    await untilHeadPasses(connection);
    const ingest = await startIngest({
      sql: db(),
      rpcUrl: net.url,
      rules: watchRules(rulesOf(world)),
      pollIntervalMs: 50,
      batchSize: 3,
      commitment: "confirmed",
    });
    const t0 = Date.now();
    while (ingest.stats().cycles < 1 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
    await ingest.stop();
    assert.ok(ingest.stats().settlementsInserted > 0, JSON.stringify(ingest.stats()));
    await publishRuleSet(db(), { createdBy: "t", body: RULES });
    while ((await scoreBatch(db())) > 0);

    // And: a funded distributor on-chain, its epoch closed and proposed through the admin routes
    const d = await createDistributor(connection, { fund: 1_000_000_000n });
    await addDistributor(db(), {
      address: d.address.toBase58(),
      mint: d.mint.toBase58(),
      conversion: { mode: "fixed", unitsPerPoint: "10", rounding: "floor" },
    });
    const { sql: _s, ...publisher } = publishContext(db(), connection, dataDir(), d.publisher);
    const admin = await serveRouters([
      { at: "/v1/admin", router: adminRoutes({ sql: db(), adminToken: TOKEN, dataDir: dataDir(), publisher }) },
      { at: "/", router: opsRoutes({ sql: db(), rpcUrl: net.url, maxIngestLagSeconds: 60, chain: { connection }, version: "9.9.9-test" }) },
    ]);
    try {
      const auth = { authorization: `Bearer ${TOKEN}` };
      const closed = await call(`${admin.url}/v1/admin/epochs/close`, { body: { distributor: d.address.toBase58() }, headers: auth });
      assert.equal(closed.status, 201, JSON.stringify(closed.body));
      const proposed = await call(`${admin.url}/v1/admin/epochs/publish`, { body: { distributor: d.address.toBase58() }, headers: auth });
      assert.equal(proposed.status, 200, JSON.stringify(proposed.body));
      assert.equal(proposed.body.outcome, "proposed");
      const [audit] = await db()`select outcome, before, after from admin_audit where action = 'POST /v1/admin/epochs/publish'`;
      assert.equal(audit!.outcome, "ok");
      assert.equal((audit!.after as { status: string }).status, "pending");

      await call(`${admin.url}/healthz`);
      const m = await call(`${admin.url}/metrics`);
      assert.equal(m.status, 200);
      assert.match(m.headers.get("content-type") ?? "", /^text\/plain/);
      const text = m.body as string;
      for (const name of [
        "merit_chain_head_slot",
        "merit_ingest_last_slot",
        "merit_ingest_lag_seconds",
        "merit_settlements_ingested_total",
        "merit_engine_settlements_scored_total",
        "merit_engine_backlog_settlements",
        "merit_rpc_request_duration_seconds",
        "merit_rpc_errors_total",
        "merit_epoch_close_duration_seconds",
        "merit_root_pending",
        "merit_vault_coverage_ratio",
        "http_request_duration_seconds",
        "merit_build_info",
      ])
        assert.match(text, new RegExp(`^# TYPE ${name} `, "m"), `${name} is exposed`);
      assert.ok(sample(text, "merit_chain_head_slot")! > 0);
      assert.ok(sample(text, "merit_ingest_last_slot")! > 0);
      assert.ok(sample(text, "merit_settlements_ingested_total")! >= ingest.stats().settlementsInserted);
      assert.ok(sample(text, "merit_engine_settlements_scored_total")! >= ingest.stats().settlementsInserted);
      assert.equal(sample(text, "merit_engine_backlog_settlements"), 0);
      assert.ok(sample(text, "merit_rpc_request_duration_seconds_count", 'method="getSignaturesForAddress"')! > 0);
      assert.ok(sample(text, "merit_epoch_close_duration_seconds_count")! >= 1);
      assert.equal(sample(text, "merit_root_pending"), 1);
      const ratio = sample(text, "merit_vault_coverage_ratio", `distributor="${d.address.toBase58()}"`);
      assert.ok(ratio !== undefined && ratio > 1, `coverage ${ratio}`);
      assert.equal(sample(text, "merit_build_info", 'version="9.9.9-test"'), 1);
      assert.ok(sample(text, "http_request_duration_seconds_count", 'method="GET",route="/healthz",status="200"')! >= 1);
      assert.ok(
        sample(text, "http_request_duration_seconds_count", 'method="POST",route="/v1/admin/epochs/close",status="201"')! >= 1,
        "routes are labelled by template",
      );
      assert.doesNotMatch(text, new RegExp(world.payers[0]!.publicKey.toBase58()), "no wallet in any label");
    } finally {
      await admin.close();
    }
  });
});
