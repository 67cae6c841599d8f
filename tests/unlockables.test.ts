import assert from "node:assert/strict";
import { adminRoutes } from "../indexer/src/api/admin/routes.js";
import { connect } from "../indexer/src/db/connection.js";
import { publishRuleSet, scoreBatch } from "../indexer/src/engine/index.js";
import { advanceIngestWatermark } from "../indexer/src/ingest/store/cursors.js";
import { snapshotLeaderboard } from "../indexer/src/ledger/queries.js";
import { evaluateUnlockable } from "../indexer/src/unlockables/evaluate.js";
import { unlockablesRoutes } from "../indexer/src/unlockables/routes.js";
import { type Body, call, serveRouters, type TestApi } from "./helpers/api-app.js";
import { isOneLineError, merit } from "./helpers/indexer-cli.js";
import { adopt, insertSettlements, type TestWallet, testWallet } from "./helpers/ledger-fixtures.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

const TOKEN = "unlockables-test-admin-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}`, "x-admin-actor": "ops@test" };

describe("unlockable rewards (real Postgres, HTTP on a loopback port)", function () {
  this.timeout(60_000);
  const db = useFreshDb({ max: 6 });
  let api: TestApi;
  let slot = 0;
  const get = (path: string, headers?: Record<string, string>) => call(`${api.url}/v1${path}`, { headers });
  const post = (path: string, body: unknown = {}) => call(`${api.url}/v1${path}`, { body, headers: auth });
  const statusOf = async (w: string, code: string) =>
    ((await get(`/wallets/${w}/unlockables`)).body.unlockables as Body[]).find((u) => u.code === code)?.status;

  /** Each payment in its own slot, in the order given: 1 point per unit. */
  async function pay(...payments: [TestWallet, number][]) {
    await insertSettlements(
      db(),
      payments.map(([w, units]) => ({ slot: ++slot, payer: w.address, payee: "SHOP", amount: BigInt(units) * 1_000_000n })),
    );
    await advanceIngestWatermark(db(), BigInt(slot));
    while ((await scoreBatch(db(), { maxSlot: BigInt(slot) })) > 0);
  }
  const define = async (def: Record<string, unknown>) => {
    const r = await post("/admin/unlockables", { name: "A prize", ...def });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body as Body;
  };

  before(async () => {
    api = await serveRouters([
      { at: "/v1", router: unlockablesRoutes({ sql: db() }) },
      { at: "/v1/admin", router: adminRoutes({ sql: db(), adminToken: TOKEN, dataDir: "/nonexistent" }) },
    ]);
  });
  after(() => api?.close());
  beforeEach(async () => {
    await truncateAll(db());
    slot = 0;
    await publishRuleSet(db(), { createdBy: "t", body: { earn: [{ scope: { kind: "global" as const }, pointsPerUnit: 1000 }] } });
  });

  it("given a top-2 prize and a tie for second, then the snapshot's order (earliest activity first) decides; re-evaluation adds nothing", async () => {
    const [a, b, c, d] = [testWallet(), testWallet(), testWallet(), testWallet()];
    // b reaches 30 before c does: b's first activity is earlier, so b is second
    await pay([a, 50], [b, 30], [c, 30], [d, 10]);
    await snapshotLeaderboard(db(), 1n);
    // later activity changes the live board, not the final standings
    await pay([d, 100]);
    await define({ code: "TOP2", criterion: "rank", threshold: "2", epoch: "1", campaignId: "summer" });
    const first = await post("/admin/unlockables/TOP2/evaluate");
    assert.deepEqual([first.status, first.body.added, first.body.earned], [200, 2, 2]);
    const grants = (await get("/admin/unlockables/TOP2/grants", auth)).body.grants as Body[];
    assert.deepEqual(
      grants.map((g) => [g.wallet, g.rank, g.score, g.status]),
      [
        [a.address, 1, "50000", "EARNED"],
        [b.address, 2, "30000", "EARNED"],
      ],
    );
    assert.deepEqual(
      [await statusOf(a.address, "TOP2"), await statusOf(c.address, "TOP2"), await statusOf(d.address, "TOP2")],
      ["EARNED", "LOCKED", "LOCKED"],
    );
    const again = await post("/admin/unlockables/TOP2/evaluate");
    assert.deepEqual([again.body.added, again.body.earned], [0, 2], "idempotent");
  });

  it("given two evaluations at once on their own connections, then the grants are the same as one evaluation's", async function () {
    // PGlite is one backend session that queues whole transactions: nothing would overlap there
    if (process.env.MERIT_TEST_EMBEDDED_PG) this.skip();
    const ws = [testWallet(), testWallet(), testWallet()];
    await pay([ws[0]!, 5], [ws[1]!, 15], [ws[2]!, 25]);
    await snapshotLeaderboard(db(), 7n);
    await define({ code: "TEN", criterion: "min_score", threshold: "10", epoch: "7" });
    const conns = [0, 1].map(() => connect(process.env.DATABASE_URL!, { max: 1, name: "merit-test-race" }));
    try {
      const rs = await Promise.all(conns.map((c) => evaluateUnlockable(c, "TEN")));
      assert.equal(rs[0]!.added + rs[1]!.added, 2, "the two added the 2 grants between them, once each");
      assert.deepEqual(
        rs.map((r) => r.earned),
        [2, 2],
      );
    } finally {
      await Promise.all(conns.map((c) => c.end()));
    }
    const grants = (await get("/admin/unlockables/TEN/grants", auth)).body.grants as Body[];
    assert.deepEqual(grants.map((g) => g.wallet).sort(), [ws[1]!.address, ws[2]!.address].sort());
  });

  it("given a minimum of confirmed referrals, then only a referrer whose referees settled earns it", async () => {
    const [r1, r2, e1, e2, e3] = [testWallet(), testWallet(), testWallet(), testWallet(), testWallet()];
    await pay([r1, 1], [r2, 1]);
    await adopt(db(), e1, r1.address);
    await adopt(db(), e2, r1.address);
    await adopt(db(), e3, r2.address); // e3 never pays: not confirmed
    await pay([e1, 1], [e2, 1]);
    await define({ code: "RECRUITER", criterion: "min_referrals", threshold: "2" });
    const r = await post("/admin/unlockables/RECRUITER/evaluate");
    assert.deepEqual([r.status, r.body.earned], [200, 1]);
    const [g] = (await get("/admin/unlockables/RECRUITER/grants", auth)).body.grants as Body[];
    assert.deepEqual([g.wallet, g.referrals], [r1.address, 2]);
    assert.equal(await statusOf(r2.address, "RECRUITER"), "LOCKED");
  });

  it("given a manual prize, then LOCKED -> EARNED by grant -> DELIVERED; delivering a LOCKED wallet is 409; every step is audited", async () => {
    const w = testWallet();
    const other = testWallet();
    await define({ code: "VIP", criterion: "manual", description: "a signed poster" });
    assert.equal(await statusOf(w.address, "VIP"), "LOCKED");
    assert.equal((await post("/admin/unlockables/VIP/evaluate")).body.earned, 0, "evaluation grants no manual prize");
    const g = await post("/admin/unlockables/VIP/grants", { wallet: w.address, note: "hackathon winner" });
    assert.deepEqual([g.status, g.body.granted, g.body.grant.status, g.body.grant.source], [201, true, "EARNED", "manual"]);
    const g2 = await post("/admin/unlockables/VIP/grants", { wallet: w.address });
    assert.deepEqual([g2.status, g2.body.granted], [200, false]);
    const locked = await post(`/admin/unlockables/VIP/grants/${other.address}/deliver`);
    assert.deepEqual([locked.status, locked.body.error, locked.body.field], [409, "not_earned", "params.wallet"]);
    const d = await post(`/admin/unlockables/VIP/grants/${w.address}/deliver`);
    assert.deepEqual([d.status, d.body.status], [200, "DELIVERED"]);
    assert.equal(await statusOf(w.address, "VIP"), "DELIVERED");
    // evaluation never moves a grant back
    await post("/admin/unlockables/VIP/evaluate");
    assert.equal(await statusOf(w.address, "VIP"), "DELIVERED");
    const actions = await db()<{ action: string; outcome: string }[]>`select action, outcome from admin_audit order by id`;
    assert.ok(actions.some((x) => x.action === "POST /v1/admin/unlockables/:code/grants/:wallet/deliver" && x.outcome === "ok"));
    assert.ok(
      actions.some((x) => x.action === "POST /v1/admin/unlockables/:code/grants/:wallet/deliver" && x.outcome === "refused:not_earned"),
    );
  });

  it("given a rank prize whose epoch has no snapshot yet, then evaluation is 409 no_snapshot", async () => {
    await define({ code: "EARLY", criterion: "rank", threshold: "3", epoch: "9" });
    const r = await post("/admin/unlockables/EARLY/evaluate");
    assert.deepEqual([r.status, r.body.error], [409, "no_snapshot"]);
  });

  it("given bad input, then 4xx naming the field", async () => {
    await define({ code: "DUP", criterion: "manual" });
    const cases: [Record<string, unknown>, number, string][] = [
      [{ code: "DUP", criterion: "manual" }, 409, "body.code"],
      [{ code: "X1", criterion: "lottery" }, 400, "body.criterion"],
      [{ code: "X1", criterion: "rank", epoch: "1" }, 400, "body.threshold"],
      [{ code: "X1", criterion: "rank", threshold: "2.5", epoch: "1" }, 400, "body.threshold"],
      [{ code: "X1", criterion: "rank", threshold: "3" }, 400, "body.epoch"],
      [{ code: "X1", criterion: "min_score", threshold: "0", epoch: "1" }, 400, "body.threshold"],
      [{ code: "X1", criterion: "manual", threshold: "1" }, 400, "body.threshold"],
      [{ code: "x y", criterion: "manual" }, 400, "body.code"],
    ];
    for (const [def, status, field] of cases) {
      const r = await post("/admin/unlockables", { name: "n", ...def });
      assert.deepEqual([r.status, r.body.field], [status, field], `${JSON.stringify(def)} -> ${JSON.stringify(r.body)}`);
    }
    assert.deepEqual(
      [(await post("/admin/unlockables/NOPE/evaluate")).status, (await post("/admin/unlockables/NOPE/evaluate")).body.field],
      [404, "params.code"],
    );
    const grants = await get("/admin/unlockables/NOPE/grants", auth);
    assert.deepEqual([grants.status, grants.body.field], [404, "params.code"]);
    const bad = await post("/admin/unlockables/DUP/grants", { wallet: "nope" });
    assert.deepEqual([bad.status, bad.body.field], [400, "body.wallet"]);
    assert.deepEqual(
      [(await get("/wallets/nope/unlockables")).status, (await get("/wallets/nope/unlockables")).body.field],
      [400, "params.address"],
    );
  });

  it("given the merit command, then add / grant / deliver / list do what the admin API does, and a rank prize without --epoch is exit 2", async function () {
    // each command is a child process that loads TypeScript through tsx
    this.timeout(240_000);
    const w = testWallet();
    const noEpoch = await merit("admin", "unlockables", "add", "TOP3", "--name", "x", "--criterion", "rank", "--top", "3", "--by", "ops");
    assert.equal(noEpoch.code, 2, noEpoch.stderr);
    assert.ok(isOneLineError(noEpoch.stderr), noEpoch.stderr);
    assert.match(noEpoch.stderr, /needs --epoch/);
    const add = await merit("admin", "unlockables", "add", "POSTER", "--name", "Signed poster", "--criterion", "manual", "--by", "ops");
    assert.equal(add.code, 0, add.stderr);
    assert.equal((await merit("admin", "unlockables", "grant", "POSTER", w.address, "--by", "ops")).code, 0);
    const d = await merit("admin", "unlockables", "deliver", "POSTER", w.address, "--by", "ops");
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /POSTER DELIVERED/);
    const list = await merit("admin", "unlockables", "list", "--json");
    assert.deepEqual(
      JSON.parse(list.stdout).map((u: Body) => [u.code, u.earned, u.delivered]),
      [["POSTER", 1, 1]],
    );
    assert.equal(await statusOf(w.address, "POSTER"), "DELIVERED");
  });
});
