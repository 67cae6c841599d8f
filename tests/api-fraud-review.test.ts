import assert from "node:assert/strict";
import { Connection, Keypair } from "@solana/web3.js";
import { adminRoutes } from "../indexer/src/api/admin/routes.js";
import { publicRouter } from "../indexer/src/api/public/index.js";
import { publishRuleSet, scoreBatch } from "../indexer/src/engine/index.js";
import { call, serveRouters, type TestApi } from "./helpers/api-app.js";
import { isOneLineError, merit } from "./helpers/indexer-cli.js";
import { insertSettlements } from "./helpers/ledger-fixtures.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

const TOKEN = "s3cret-admin-token-for-tests";
const wallet = () => Keypair.generate().publicKey.toBase58();
const T0 = Date.parse("2026-06-01T10:00:00Z");
const UNIT = 1_000_000n;

describe("fraud review over HTTP and the CLI: the queue, decisions with their audit, exclusions in the wallet's history", function () {
  this.timeout(120_000);
  const db = useFreshDb();
  let api: TestApi;
  const auth = { authorization: `Bearer ${TOKEN}`, "x-admin-actor": "alice@ops" };
  const admin = (path: string, body?: unknown) => call(`${api.url}/v1/admin${path}`, { body, headers: auth });
  const pub = (path: string) => call(`${api.url}/v1${path}`);
  let [w, v, shop] = ["", "", ""];
  let ids: bigint[] = [];

  before(async () => {
    const connection = new Connection("http://127.0.0.1:9", "finalized");
    api = await serveRouters([
      { at: "/v1/admin", router: adminRoutes({ sql: db(), adminToken: TOKEN, dataDir: "/nonexistent" }) },
      { at: "/v1", router: publicRouter({ sql: db(), connection, dataDir: "/nonexistent", cacheMs: 0 }) },
    ]);
  });
  after(() => api?.close());
  beforeEach(async () => {
    await truncateAll(db());
    [w, v, shop] = [wallet(), wallet(), wallet()];
    // Given: settlements of 50 units or more wait for review, a wallet paying itself is excluded
    await publishRuleSet(db(), {
      createdBy: "t",
      body: {
        earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
        fraud: { linkedAddresses: { action: "exclude" }, review: { minVolume: 50_000_000 } },
      },
    });
    ids = await insertSettlements(db(), [
      { slot: 1, payer: w, payee: shop, amount: 60n * UNIT, time: new Date(T0) },
      { slot: 2, payer: v, payee: v, amount: 5n * UNIT, time: new Date(T0 + 1000) },
      { slot: 3, payer: w, payee: shop, amount: 2n * UNIT, time: new Date(T0 + 2000) },
    ]);
    await scoreBatch(db());
  });

  it("given a held and an excluded settlement, then each wallet's history lists it with its reason, even a wallet with no points", async () => {
    const h = await pub(`/wallets/${w}/history`);
    assert.equal(h.status, 200);
    assert.equal(h.body.rows.length, 1, "the 2-unit payment earned");
    assert.deepEqual(
      h.body.exclusions.map((e: { settlementId: string; reason: string; status: string; heldPoints: string }) => [
        e.settlementId,
        e.reason,
        e.status,
        e.heldPoints,
      ]),
      [[String(ids[0]), "review_threshold", "pending", "60000"]],
    );
    const hv = await pub(`/wallets/${v}/history`);
    assert.equal(hv.status, 200, "known by its exclusion alone");
    assert.equal(hv.body.exclusions[0].reason, "linked_addresses");
    assert.match(hv.body.exclusions[0].detail, /the wallet paid itself/);
  });

  it("given the queue, when an admin approves over HTTP, then the points are credited, the audit keeps before and after, and a second decision is a 409", async () => {
    const q = await admin("/review?status=pending");
    assert.equal(q.status, 200);
    assert.deepEqual(
      q.body.rows.map((r: { settlementId: string }) => r.settlementId),
      [String(ids[0])],
    );
    const all = await admin("/review");
    assert.equal(all.body.rows.length, 2, "without a status: every exclusion");

    const ok = await admin(`/review/${ids[0]}/approve`, { note: "regular customer" });
    assert.equal(ok.status, 200);
    assert.deepEqual([ok.body.status, ok.body.decidedBy, ok.body.decisionNote], ["approved", "alice@ops", "regular customer"]);
    const h = await pub(`/wallets/${w}/history`);
    assert.equal(h.body.exclusions[0].status, "approved");
    assert.equal(h.body.rows[0].reason, "adjustment");
    assert.equal(h.body.rows[0].delta, "60000");
    const [audit] = await db()<{ action: string; before: { status: string }; after: { status: string } }[]>`
      select action, before, after from admin_audit where outcome = 'ok' and action like 'POST%' order by id desc limit 1`;
    assert.match(audit!.action, /review/);
    assert.deepEqual([audit!.before.status, audit!.after.status], ["pending", "approved"]);

    const again = await admin(`/review/${ids[0]}/reject`, {});
    assert.equal(again.status, 409);
    assert.equal(again.body.error, "review_decided");
    const excluded = await admin(`/review/${ids[1]}/approve`, {});
    assert.equal(excluded.status, 409, "an exclusion that never waited for review cannot be approved");
  });

  it("given bad input, then a 4xx names the field", async () => {
    const bad = await admin("/review/abc/approve", {});
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, "params.settlementId");
    const badStatus = await admin("/review?status=maybe");
    assert.equal(badStatus.status, 400);
    assert.equal(badStatus.body.field, "query.status");
    const unknown = await admin("/review/999999/reject", {});
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, "unknown_exclusion");
    const side = await pub("/leaderboard?side=merchant");
    assert.equal(side.status, 400);
    assert.equal(side.body.field, "query.side");
  });

  it("given the queue, when an admin rejects with `merit admin review reject`, then it stays excluded; `list` shows it", async () => {
    const list = await merit("admin", "review", "list", "--json");
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      JSON.parse(list.stdout).map((r: { settlementId: string }) => r.settlementId),
      [String(ids[0])],
    );
    const r = await merit("admin", "review", "reject", String(ids[0]), "--by", "bob", "--note", "wash trading");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`settlement ${ids[0]} rejected: it stays excluded \\(review_threshold\\)`));
    const twice = await merit("admin", "review", "approve", String(ids[0]), "--by", "bob");
    assert.equal(twice.code, 2);
    assert.ok(isOneLineError(twice.stderr), twice.stderr);
    assert.match(twice.stderr, /already rejected by bob/);
    const rejected = await merit("admin", "review", "list", "--status", "rejected");
    assert.match(rejected.stdout, /rejected\s+review_threshold\s+60\.000/);
  });
});
