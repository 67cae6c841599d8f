import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Connection, Keypair } from "@solana/web3.js";
import { adminRoutes } from "../indexer/src/api/admin/routes.js";
import { ensureCursor, lockCursor } from "../indexer/src/engine/cursor.js";
import { scoreBatch } from "../indexer/src/engine/index.js";
import { addDistributor } from "../indexer/src/epochs/queries.js";
import { advanceIngestWatermark } from "../indexer/src/ingest/store/cursors.js";
import { type Body, call, serveRouters, type TestApi } from "./helpers/api-app.js";
import { insertSettlements } from "./helpers/ledger-fixtures.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

const TOKEN = "s3cret-admin-token-for-tests";
const wallet = () => Keypair.generate().publicKey.toBase58();
const T0 = Date.parse("2026-06-01T10:00:00Z");
const pay = (slot: number, payer: string, units: number) => ({
  slot,
  payer,
  payee: "SHOP",
  amount: BigInt(units * 1_000_000),
  time: new Date(T0 + slot * 1000),
});
const earn = (pointsPerUnit: number) => ({ earn: [{ scope: { kind: "global" }, pointsPerUnit }] });
const campaign = (id: string, startsAt: string, endsAt: string) => ({ id, type: "flat", points: 100, budget: 10_000, startsAt, endsAt });
const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

type AuditRow = {
  actor: string;
  action: string;
  outcome: string;
  status: number | null;
  before: Body;
  after: Body;
  request_id: string | null;
};

describe("admin API over HTTP: auth, audit, rule sets, campaigns, adjustments, epochs", function () {
  this.timeout(60_000);
  const db = useFreshDb();
  let api: TestApi;
  let disabled: TestApi;
  let dataDir: string;
  const auth = { authorization: `Bearer ${TOKEN}`, "x-admin-actor": "alice@ops" };
  const admin = (path: string, body?: unknown, method?: string) => call(`${api.url}/v1/admin${path}`, { body, method, headers: auth });
  const audits = async () =>
    db()<AuditRow[]>`select actor, action, outcome, status, before, after, request_id from admin_audit order by id`;
  const lastAudit = async () => (await audits()).at(-1)!;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "merit-api-admin-"));
    // an RPC nobody listens on: publish must not need the chain before it finds an epoch to propose
    const publisher = {
      connection: new Connection("http://127.0.0.1:9", "finalized"),
      dataDir,
      send: { priorityFeeMicroLamports: 0, computeUnitLimit: 20_000, maxAttempts: 1, pollMs: 100 },
      log: () => {},
    };
    api = await serveRouters([{ at: "/v1/admin", router: adminRoutes({ sql: db(), adminToken: TOKEN, dataDir, publisher }) }]);
    disabled = await serveRouters([{ at: "/v1/admin", router: adminRoutes({ sql: db(), dataDir }) }]);
  });
  after(async () => {
    await api?.close();
    await disabled?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => truncateAll(db()));

  describe("auth", () => {
    it("given no ADMIN_TOKEN, when any admin route is called, then 503 admin_disabled, audited as disabled", async () => {
      const r = await call(`${disabled.url}/v1/admin/audit`, { headers: auth });
      assert.equal(r.status, 503);
      assert.equal(r.body.error, "admin_disabled");
      assert.match(r.body.message, /ADMIN_TOKEN/);
      const a = await lastAudit();
      assert.deepEqual([a.outcome, a.status, a.action, a.actor], ["disabled", 503, "GET /v1/admin/audit", "anonymous"]);
    });

    it("given no bearer token, then 401 naming the header, audited as unauthorized with the request id", async () => {
      const r = await call(`${api.url}/v1/admin/rule-sets`, { body: { body: earn(1000) } });
      assert.equal(r.status, 401);
      assert.equal(r.body.error, "unauthorized");
      assert.equal(r.body.field, "header.authorization");
      assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer/);
      const a = await lastAudit();
      assert.deepEqual([a.outcome, a.status, a.action], ["unauthorized", 401, "POST /v1/admin/rule-sets"]);
      assert.equal(a.request_id, r.body.requestId);
      assert.ok(a.request_id);
      assert.equal((await db()`select count(*)::int as n from rule_sets`)[0]!.n, 0, "nothing published");
    });

    it("given a wrong token (also one sharing the right one's prefix), then 403, each audited as forbidden", async () => {
      for (const token of ["wrong", `${TOKEN}x`, TOKEN.slice(0, -1)]) {
        const r = await call(`${api.url}/v1/admin/rule-sets`, {
          body: { body: earn(1000) },
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(r.status, 403, token);
        assert.equal(r.body.error, "forbidden");
      }
      const rows = await audits();
      assert.deepEqual(
        rows.map((a) => [a.outcome, a.status]),
        [
          ["forbidden", 403],
          ["forbidden", 403],
          ["forbidden", 403],
        ],
      );
    });

    it("given the right token, then the request is served and audited as ok under the X-Admin-Actor", async () => {
      const r = await admin("/audit");
      assert.equal(r.status, 200);
      assert.ok(Array.isArray(r.body));
      const a = await lastAudit();
      assert.deepEqual([a.outcome, a.status, a.actor, a.action], ["ok", 200, "alice@ops", "GET /v1/admin/audit"]);
      assert.equal(a.before, null);
    });
  });

  describe("rule sets", () => {
    it("given a candidate, when dry-run, then the changes and the sample are reported and nothing is written", async () => {
      assert.equal((await admin("/rule-sets", { body: earn(1000) })).status, 201);
      await insertSettlements(db(), [pay(1, wallet(), 3), pay(2, wallet(), 5)]);
      await scoreBatch(db());
      const r = await admin("/rule-sets/dry-run", { body: earn(2000) });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.against, "1");
      assert.deepEqual(r.body.changes, [{ op: "~", path: "earn[0].pointsPerUnit", before: "1000", after: "2000" }]);
      assert.equal(r.body.sample.settlements, 2);
      assert.equal(r.body.sample.before, "8000");
      assert.equal(r.body.sample.after, "16000");
      assert.equal((await db()`select count(*)::int as n from rule_sets`)[0]!.n, 1, "the dry run published nothing");
    });

    it("given a valid document, when created, then it is published as the next version and the audit holds before and after", async () => {
      const v1 = await admin("/rule-sets", { body: earn(1000), note: "launch" });
      assert.equal(v1.status, 201);
      assert.equal(v1.body.version, "1");
      const v2 = await admin("/rule-sets", { body: earn(1500) });
      assert.equal(v2.body.version, "2");
      const a = await lastAudit();
      assert.equal(a.outcome, "ok");
      assert.equal(a.before.version, "1");
      assert.equal(a.before.body.earn[0].pointsPerUnit, "1000");
      assert.equal(a.after.version, "2");
      assert.equal(a.after.body.earn[0].pointsPerUnit, "1500");
      const [row] = await db()`select created_by, note from rule_sets where version = 1`;
      assert.deepEqual({ ...row }, { created_by: "alice@ops", note: "launch" });
    });

    it("given a misspelled key, then 400 bad_rule_set naming its path, audited as refused", async () => {
      const r = await admin("/rule-sets", { body: { ...earn(1000), campains: [] } });
      assert.equal(r.status, 400);
      assert.equal(r.body.error, "bad_rule_set");
      assert.match(r.body.message, /campains: unknown key/);
      const a = await lastAudit();
      assert.deepEqual([a.outcome, a.status], ["refused:bad_rule_set", 400]);
    });

    it("given no earn config, then 400 empty_rule_set unless allowEmpty; given no body field, then 400 naming body.body", async () => {
      const r = await admin("/rule-sets", { body: {} });
      assert.equal(r.status, 400);
      assert.equal(r.body.error, "empty_rule_set");
      assert.equal((await admin("/rule-sets", { body: {}, allowEmpty: true })).status, 201);
      const missing = await admin("/rule-sets", { note: "x" });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.field, "body.body");
      const badTime = await admin("/rule-sets", { body: earn(1), effectiveFrom: "yesterday" });
      assert.equal(badTime.body.field, "body.effectiveFrom");
    });
  });

  describe("campaigns", () => {
    it("given a rule set, when a campaign is created, updated, activated and ended, then each publishes a version and is audited", async () => {
      await admin("/rule-sets", { body: earn(1000) });
      const created = await admin("/campaigns", { campaign: campaign("launch", future(2), future(30)) });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.version, "2");
      assert.equal(created.body.campaign.id, "launch");
      let a = await lastAudit();
      assert.equal(a.before, null);
      assert.equal(a.after.id, "launch");

      const updated = await admin("/campaigns/launch", { patch: { budget: "20000" } }, "PATCH");
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      assert.equal(updated.body.campaign.budget, "20000");
      a = await lastAudit();
      assert.deepEqual([a.before.budget, a.after.budget], ["10000", "20000"]);

      const activated = await admin("/campaigns/launch/activate", {});
      assert.equal(activated.status, 200, JSON.stringify(activated.body));
      assert.ok(Date.parse(activated.body.campaign.startsAt) <= Date.now());
      assert.equal((await admin("/campaigns/launch/activate", {})).body.error, "campaign_active");

      const ended = await admin("/campaigns/launch/end", {});
      assert.equal(ended.status, 200);
      assert.ok(Date.parse(ended.body.campaign.endsAt) <= Date.now());
      const again = await admin("/campaigns/launch/end", {});
      assert.equal(again.status, 409);
      assert.equal(again.body.error, "campaign_ended");
      a = await lastAudit();
      assert.equal(a.outcome, "refused:campaign_ended");
      // the earn config was carried over into every derived version
      const [v] = await db()`select body from rule_sets order by version desc limit 1`;
      assert.equal((v as Body).body.earn[0].pointsPerUnit, "1000");
      assert.equal((await db()`select count(*)::int as n from rule_sets`)[0]!.n, 5);
    });

    it("given an unknown or duplicate campaign or an invalid one, then 404, 409 and 400 naming the field", async () => {
      await admin("/rule-sets", { body: earn(1000) });
      const unknown = await admin("/campaigns/nope/end", {});
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error, "unknown_campaign");
      assert.equal((await admin("/campaigns", { campaign: campaign("c1", future(1), future(2)) })).status, 201);
      const dup = await admin("/campaigns", { campaign: campaign("c1", future(1), future(2)) });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error, "campaign_exists");
      const backwards = await admin("/campaigns", { campaign: campaign("c2", future(2), future(1)) });
      assert.equal(backwards.status, 400);
      assert.match(backwards.body.message, /c2 ends before it starts/);
      const noCampaign = await admin("/campaigns", {});
      assert.equal(noCampaign.body.field, "body.campaign");
    });

    it("given two campaigns created at once, then both are in the newest version (neither change is lost)", async () => {
      await admin("/rule-sets", { body: earn(1000) });
      const [a, b] = await Promise.all([
        admin("/campaigns", { campaign: campaign("first", future(1), future(2)) }),
        admin("/campaigns", { campaign: campaign("second", future(1), future(2)) }),
      ]);
      assert.deepEqual([a.status, b.status], [201, 201]);
      const [v] = await db()`select body from rule_sets order by version desc limit 1`;
      assert.deepEqual(((v as Body).body.campaigns as { id: string }[]).map((c) => c.id).sort(), ["first", "second"]);
    });

    it("given a write still in flight (the engine busy), then its audit row already records the attempt, and is completed once answered", async function () {
      // the embedded test server gives each pool one connection: a held lock would block the audit read
      if (process.env.MERIT_TEST_EMBEDDED_PG) this.skip();
      await admin("/rule-sets", { body: earn(1000) });
      await ensureCursor(db());
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const lockTaken = new Promise<void>((r) => (locked = r));
      // a scoring batch holding the engine cursor: the campaign change waits for it
      const batch = db().begin(async (tx) => {
        await lockCursor(tx);
        locked();
        await held;
      });
      await lockTaken;
      const inFlight = admin("/campaigns", { campaign: campaign("slow", future(1), future(2)) });
      let row: AuditRow | undefined;
      try {
        for (let i = 0; i < 40 && !row; i++) {
          row = (await audits()).find((a) => a.action === "POST /v1/admin/campaigns");
          if (!row) await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        release();
        await batch;
      }
      assert.ok(row, "no audit row while the write was in flight: a crash now would leave no trace of it");
      assert.deepEqual([row.outcome, row.status, row.actor], ["started", null, "alice@ops"]);
      assert.equal((await inFlight).status, 201);
      const rows = (await audits()).filter((a) => a.action === "POST /v1/admin/campaigns");
      assert.equal(rows.length, 1);
      assert.deepEqual([rows[0]!.outcome, rows[0]!.status, rows[0]!.after.id], ["ok", 201, "slow"]);
    });

    it("given a draft that never started, when ended, then it is removed from the rule set", async () => {
      await admin("/rule-sets", { body: earn(1000) });
      await admin("/campaigns", { campaign: campaign("draft", future(5), future(6)) });
      const ended = await admin("/campaigns/draft/end", {});
      assert.equal(ended.status, 200);
      assert.equal(ended.body.campaign, null);
      assert.equal((await lastAudit()).after, null);
    });
  });

  describe("point adjustments", () => {
    it("given an active account, when adjusted with a note, then a ledger row is written and the audit holds the balance before and after", async () => {
      await admin("/rule-sets", { body: earn(1000) });
      const alice = wallet();
      await insertSettlements(db(), [pay(1, alice, 3)]);
      await scoreBatch(db());
      const r = await admin("/points/adjustments", { account: alice, points: "-1.5", note: "refund" });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual([r.body.delta, r.body.balanceBefore, r.body.balance], ["-1500", "3000", "1500"]);
      const [row] = await db()`select delta, reason, note from point_ledger where id = ${r.body.id}`;
      assert.deepEqual({ ...row }, { delta: -1500n, reason: "adjustment", note: "refund (by alice@ops)" });
      const a = await lastAudit();
      assert.equal(a.before.balance, "3000");
      assert.equal(a.after.balance, "1500");
      assert.equal(a.after.note, "refund");
    });

    it("given a missing note, bad points, an unknown account or an overdraft, then 400/404 naming the field or the reason", async () => {
      const alice = wallet();
      const noNote = await admin("/points/adjustments", { account: alice, points: "1" });
      assert.deepEqual([noNote.status, noNote.body.field], [400, "body.note"]);
      const blank = await admin("/points/adjustments", { account: alice, points: "1", note: "  " });
      assert.deepEqual([blank.status, blank.body.field], [400, "body.note"]);
      const bad = await admin("/points/adjustments", { account: alice, points: "1.2345", note: "x" });
      assert.deepEqual([bad.status, bad.body.field], [400, "body.points"]);
      const unknown = await admin("/points/adjustments", { account: alice, points: "1", note: "x" });
      assert.deepEqual([unknown.status, unknown.body.error], [404, "unknown_account"]);
      const created = await admin("/points/adjustments", { account: alice, points: "1", note: "welcome", allowNew: true });
      assert.equal(created.status, 201);
      const overdraft = await admin("/points/adjustments", { account: alice, points: "-2", note: "x" });
      assert.deepEqual([overdraft.status, overdraft.body.error], [400, "negative_balance"]);
      const zero = await admin("/points/adjustments", { account: alice, points: "0", note: "x" });
      assert.deepEqual([zero.status, zero.body.error], [400, "zero_adjustment"]);
    });
  });

  describe("epochs", () => {
    it("given scored ledger rows, when close is triggered, then epoch 1 is closed and audited; again, nothing to close", async () => {
      await admin("/rule-sets", { body: earn(1000) });
      const distributor = wallet();
      await addDistributor(db(), {
        address: distributor,
        mint: wallet(),
        conversion: { mode: "fixed", unitsPerPoint: "10", rounding: "floor" },
      });
      await insertSettlements(db(), [pay(10, wallet(), 3), pay(11, wallet(), 5)]);
      await advanceIngestWatermark(db(), 11n);
      while ((await scoreBatch(db(), { maxSlot: 11n })) > 0);
      const r = await admin("/epochs/close", { distributor });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.closed.epoch, "1");
      assert.equal(r.body.closed.leafCount, 2);
      const a = await lastAudit();
      assert.equal(a.before, null);
      assert.equal(a.after.epoch, "1");
      assert.equal(a.after.root, r.body.closed.root);
      const again = await admin("/epochs/close", { distributor });
      assert.equal(again.status, 200);
      assert.equal(again.body.closed, null);
    });

    it("given an unknown or malformed distributor, then 404 unknown_distributor or 400 naming body.distributor", async () => {
      const r = await admin("/epochs/close", { distributor: wallet() });
      assert.deepEqual([r.status, r.body.error], [404, "unknown_distributor"]);
      const bad = await admin("/epochs/close", { distributor: "0xnot" });
      assert.deepEqual([bad.status, bad.body.field], [400, "body.distributor"]);
      const p = await admin("/epochs/publish", { distributor: wallet() });
      assert.deepEqual([p.status, p.body.error], [404, "unknown_distributor"]);
      const badEpoch = await admin("/epochs/publish", { distributor: wallet(), epoch: "0" });
      assert.deepEqual([badEpoch.status, badEpoch.body.field], [400, "body.epoch"]);
    });

    it("given no closed epoch, when publish is triggered, then nothing to publish; given no publisher, then 503 publish_disabled", async () => {
      const distributor = wallet();
      await addDistributor(db(), {
        address: distributor,
        mint: wallet(),
        conversion: { mode: "fixed", unitsPerPoint: "10", rounding: "floor" },
      });
      const r = await admin("/epochs/publish", { distributor });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.outcome, "nothing");
      const off = await call(`${disabled.url}/v1/admin/epochs/publish`, { body: { distributor }, headers: auth });
      assert.equal(off.status, 503, "the disabled server refuses before anything else");
    });
  });
});

describe("admin, signed and ops routes in the OpenAPI document", () => {
  it("given the routers mounted as the app mounts them, then each route is documented with its request schema and the admin ones with the bearer scheme", async () => {
    const { OpenAPIHono } = await import("@hono/zod-openapi");
    const { signedRoutes } = await import("../indexer/src/api/signed/routes.js");
    const { opsRoutes } = await import("../indexer/src/api/ops/routes.js");
    const sql = {} as never;
    const app = new OpenAPIHono();
    app.route("/v1", signedRoutes({ sql }));
    app.route("/v1/admin", adminRoutes({ sql, adminToken: TOKEN, dataDir: "/nonexistent" }));
    app.route("/", opsRoutes({ sql, rpcUrl: "http://127.0.0.1:9", maxIngestLagSeconds: 60 }));
    const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "merit", version: "test" } });
    const paths = Object.keys(doc.paths ?? {}).sort();
    for (const p of [
      "/v1/links/challenge",
      "/v1/links",
      "/v1/referrals/challenge",
      "/v1/referrals",
      "/v1/admin/rule-sets",
      "/v1/admin/rule-sets/dry-run",
      "/v1/admin/campaigns",
      "/v1/admin/campaigns/{id}",
      "/v1/admin/campaigns/{id}/activate",
      "/v1/admin/campaigns/{id}/end",
      "/v1/admin/points/adjustments",
      "/v1/admin/epochs/close",
      "/v1/admin/epochs/publish",
      "/v1/admin/audit",
      "/healthz",
      "/readyz",
      "/metrics",
    ])
      assert.ok(paths.includes(p), `${p} in ${paths.join(", ")}`);
    const adjust = doc.paths!["/v1/admin/points/adjustments"]!.post!;
    assert.deepEqual(adjust.security, [{ adminToken: [] }]);
    assert.ok(adjust.requestBody, "the request body is documented");
    assert.ok(adjust.responses?.["401"] && adjust.responses?.["403"]);
    assert.equal((doc.components?.securitySchemes?.adminToken as { scheme?: string } | undefined)?.scheme, "bearer");
  });
});
