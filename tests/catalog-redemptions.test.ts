import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Connection, Keypair } from "@solana/web3.js";
import { adminRoutes } from "../indexer/src/api/admin/routes.js";
import { redeem, requestRedemption } from "../indexer/src/catalog/redeem.js";
import { catalogRoutes } from "../indexer/src/catalog/routes.js";
import { connect, type Sql } from "../indexer/src/db/connection.js";
import { publishRuleSet, replayLedger, scoreBatch } from "../indexer/src/engine/index.js";
import { closeEpoch, epochDir, MANIFEST_FILE } from "../indexer/src/epochs/close.js";
import { addDistributor, epochWallets } from "../indexer/src/epochs/queries.js";
import { advanceIngestWatermark } from "../indexer/src/ingest/store/cursors.js";
import { adjustPoints, balanceOf, insertRedemptionRow, leaderboard, lockAccountPoints } from "../indexer/src/ledger/queries.js";
import { unlockablesRoutes } from "../indexer/src/unlockables/routes.js";
import { type Body, call, serveRouters, type TestApi } from "./helpers/api-app.js";
import { startApi } from "./helpers/api.js";
import { isOneLineError, merit } from "./helpers/indexer-cli.js";
import { insertSettlements, type TestWallet, testWallet } from "./helpers/ledger-fixtures.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

const TOKEN = "catalog-test-admin-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}`, "x-admin-actor": "ops@test" };
// 1 point per unit paid; tiers over the last 90 days: bronze from 0, silver from 50 units, gold from 500
const RULES = {
  earn: [{ scope: { kind: "global" as const }, pointsPerUnit: 1000 }],
  tiers: {
    windowDays: 90,
    levels: [
      { name: "bronze", minVolume: 0, multiplierBps: 10000 },
      { name: "silver", minVolume: 50_000_000, multiplierBps: 10000 },
      { name: "gold", minVolume: 500_000_000, multiplierBps: 10000 },
    ],
  },
};
let slot = 0;

describe("reward catalog and redemptions (real Postgres, HTTP on a loopback port)", function () {
  this.timeout(60_000);
  const db = useFreshDb({ max: 12 });
  let api: TestApi;
  let dataDir: string;
  const get = (path: string, headers?: Record<string, string>) => call(`${api.url}/v1${path}`, { headers });
  const post = (path: string, body: unknown, headers?: Record<string, string>) => call(`${api.url}/v1${path}`, { body, headers });
  const patch = (path: string, body: unknown) => call(`${api.url}/v1${path}`, { method: "PATCH", body, headers: auth });

  /** A wallet that paid `units` today: `units` points, and the tier its volume reaches. */
  async function earner(units: number): Promise<TestWallet> {
    const w = testWallet();
    slot += 1;
    await insertSettlements(db(), [{ slot, payer: w.address, payee: "SHOP", amount: BigInt(units) * 1_000_000n, time: new Date() }]);
    await advanceIngestWatermark(db(), BigInt(slot));
    while ((await scoreBatch(db(), { maxSlot: BigInt(slot) })) > 0);
    return w;
  }
  const addReward = (terms: Record<string, unknown>) =>
    post("/admin/catalog", { name: "A reward", kind: "item", price: "10", ...terms }, auth).then((r) => {
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body as Body;
    });
  /** Both steps over HTTP: the challenge, then the wallet's signature of it. */
  async function redeemHttp(w: TestWallet, reward: string, note?: string) {
    const ch = await post("/redemptions/challenge", { wallet: w.address, reward, ...(note === undefined ? {} : { note }) });
    if (ch.status !== 201) return ch;
    return post("/redemptions", { nonce: ch.body.nonce, signature: w.sign(ch.body.message) });
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "merit-catalog-"));
    api = await serveRouters([
      { at: "/v1", router: catalogRoutes({ sql: db() }) },
      { at: "/v1/admin", router: adminRoutes({ sql: db(), adminToken: TOKEN, dataDir }) },
    ]);
  });
  after(async () => {
    await api?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await truncateAll(db());
    slot = 0;
    await publishRuleSet(db(), { createdBy: "t", body: RULES });
  });

  describe("admin catalog", () => {
    it("given an entry, then it is listed publicly with its price in millipoints and points, audited with what it created; disabling hides it", async () => {
      const r = await addReward({ code: "TSHIRT", name: "T-shirt", price: "250", perDay: 1, noteRequired: true, minTier: "silver" });
      assert.deepEqual([r.code, r.price, r.pricePoints, r.minTier, r.perDay, r.active], ["TSHIRT", "250000", "250.000", "silver", 1, true]);
      const pub = await get("/catalog");
      assert.deepEqual(
        pub.body.rewards.map((x: Body) => x.code),
        ["TSHIRT"],
      );
      const [audit] = await db()<{ actor: string; action: string; outcome: string; after: Body }[]>`
        select actor, action, outcome, after from admin_audit where action like 'POST %catalog' order by id desc limit 1`;
      assert.deepEqual(
        [audit!.actor, audit!.action, audit!.outcome, audit!.after.code],
        ["ops@test", "POST /v1/admin/catalog", "ok", "TSHIRT"],
      );

      const off = await patch("/admin/catalog/TSHIRT", { active: false });
      assert.equal(off.status, 200, JSON.stringify(off.body));
      assert.equal(off.body.active, false);
      assert.equal(off.body.perDay, 1, "fields left out keep their value");
      assert.deepEqual((await get("/catalog")).body.rewards, []);
      assert.equal((await get("/admin/catalog", auth)).body.rewards.length, 1, "admins still see it");
    });

    it("given bad input, then 4xx naming the field", async () => {
      await addReward({ code: "DUP" });
      const cases: [Record<string, unknown>, number, string][] = [
        [{ code: "DUP" }, 409, "body.code"],
        [{ code: "X1", price: "ten" }, 400, "body.price"],
        [{ code: "X1", price: "0" }, 400, "body.price"],
        [{ code: "X1", kind: "car" }, 400, "body.kind"],
        [{ code: "a b" }, 400, "body.code"],
        [{ code: "X1", perDay: 0 }, 400, "body.perDay"],
        [{ code: "X1", minTier: "platinum" }, 400, "body.minTier"],
        [{ code: "X1", minTier: "gold", maxTier: "bronze" }, 400, "body.maxTier"],
        [{ code: "X1", benefits: { gold: "lounge" } }, 400, "body.benefits"],
        [{ code: "X1", kind: "entitlement", benefits: { diamond: "x" } }, 400, "body.benefits.diamond"],
      ];
      for (const [terms, status, field] of cases) {
        const r = await post("/admin/catalog", { name: "n", kind: "item", price: "10", ...terms }, auth);
        assert.deepEqual([r.status, r.body.field], [status, field], `${JSON.stringify(terms)} -> ${JSON.stringify(r.body)}`);
      }
      assert.equal((await post("/admin/catalog", { code: "X2", name: "n", kind: "item", price: "1" })).status, 401);
      assert.deepEqual(
        [
          (await patch("/admin/catalog/NOPE", { active: false })).status,
          (await patch("/admin/catalog/NOPE", { active: false })).body.field,
        ],
        [404, "params.code"],
      );
      const bad = await post("/redemptions/challenge", { wallet: "not-a-wallet", reward: "DUP" });
      assert.deepEqual([bad.status, bad.body.field], [400, "body.wallet"]);
      const unknown = await post("/redemptions/challenge", { wallet: testWallet().address, reward: "NOPE" });
      assert.deepEqual([unknown.status, unknown.body.error, unknown.body.field], [404, "unknown_reward", "body.reward"]);
    });
  });

  describe("redeeming", () => {
    it("given 100 points and a 40-point reward, then the wallet's signature debits 40 as a redemption ledger row, listed under the wallet; the leaderboard follows", async () => {
      const w = await earner(100);
      await addReward({ code: "MUG", price: "40" });
      const r = await redeemHttp(w, "MUG");
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(
        [r.body.reward, r.body.wallet, r.body.price, r.body.status, r.body.balance],
        ["MUG", w.address, "40000", "redeemed", "60000"],
      );
      const rows = await db()<
        { reason: string; delta: bigint }[]
      >`select reason, delta from point_ledger where account = ${w.address} order by id`;
      assert.deepEqual(
        rows.map((x) => [x.reason, x.delta]),
        [
          ["earn", 100_000n],
          ["redemption", -40_000n],
        ],
      );
      assert.equal(await balanceOf(db(), w.address), 60_000n);
      assert.equal((await leaderboard(db())).find((x) => x.account === w.address)?.balance, 60_000n);
      const mine = await get(`/wallets/${w.address}/redemptions`);
      assert.deepEqual(
        mine.body.redemptions.map((x: Body) => [x.reward, x.status]),
        [["MUG", "redeemed"]],
      );
      // the same signature again: the challenge is burnt
      const again = await post("/redemptions", { nonce: "0".repeat(32), signature: w.sign("x") });
      assert.deepEqual([again.status, again.body.field], [404, "body.nonce"]);
    });

    it("given a signature by another key, then 400 naming body.signature and nothing is debited", async () => {
      const w = await earner(100);
      await addReward({ code: "MUG", price: "40" });
      const ch = await post("/redemptions/challenge", { wallet: w.address, reward: "MUG" });
      assert.match(
        ch.body.message,
        new RegExp(`^merit: I spend 40\\.000 points of the merit rewards account ${w.address} on the reward MUG\\.\nPurpose: redemption\n`),
      );
      const r = await post("/redemptions", { nonce: ch.body.nonce, signature: testWallet().sign(ch.body.message) });
      assert.deepEqual([r.status, r.body.error, r.body.field], [400, "bad_signature", "body.signature"]);
      assert.equal(await balanceOf(db(), w.address), 100_000n);
    });

    it("given each eligibility rule unmet, then 409 naming the rule (or 400 body.note), and nothing is debited", async () => {
      const bronze = await earner(20);
      const silver = await earner(60);
      await addReward({ code: "PRICEY", price: "30" });
      await addReward({ code: "SILVER", minTier: "silver" });
      await addReward({ code: "BRONZE", maxTier: "bronze" });
      await addReward({ code: "RICH", minBalance: "50" });
      await addReward({ code: "NOTE", noteRequired: true });
      const refused = async (w: TestWallet, code: string, note?: string) => {
        const r = await redeemHttp(w, code, note);
        return [r.status, r.body.error, r.body.field ?? null];
      };
      assert.deepEqual(await refused(bronze, "PRICEY"), [409, "insufficient_points", null]);
      assert.deepEqual(await refused(bronze, "SILVER"), [409, "tier_too_low", null]);
      assert.deepEqual(await refused(silver, "BRONZE"), [409, "tier_too_high", null]);
      assert.deepEqual(await refused(bronze, "RICH"), [409, "min_balance", null]);
      assert.deepEqual(await refused(bronze, "NOTE"), [400, "note_required", "body.note"]);
      assert.deepEqual(await refused(bronze, "NOTE", "   "), [400, "note_required", "body.note"]);
      assert.equal(await balanceOf(db(), bronze.address), 20_000n);
      // and when met: silver redeems SILVER, bronze redeems NOTE with its note kept
      assert.equal((await redeemHttp(silver, "SILVER")).status, 201);
      const n = await redeemHttp(bronze, "NOTE", "deliver to desk 4");
      assert.deepEqual([n.status, n.body.note], [201, "deliver to desk 4"]);
      const pub = (await get(`/wallets/${bronze.address}/redemptions`)).body.redemptions[0];
      assert.equal(pub.reward, "NOTE");
      assert.equal("note" in pub, false, "a note (a delivery address, say) is not public");
      assert.equal((await get("/admin/redemptions?reward=NOTE", auth)).body.redemptions[0].note, "deliver to desk 4");
    });

    it("given the price changes between challenge and signature, then 409 price_changed and nothing is debited", async () => {
      const w = await earner(100);
      await addReward({ code: "MUG", price: "40" });
      const ch = await post("/redemptions/challenge", { wallet: w.address, reward: "MUG" });
      assert.equal((await patch("/admin/catalog/MUG", { price: "45" })).status, 200);
      const r = await post("/redemptions", { nonce: ch.body.nonce, signature: w.sign(ch.body.message) });
      assert.deepEqual([r.status, r.body.error], [409, "price_changed"]);
      assert.equal(await balanceOf(db(), w.address), 100_000n);
    });

    it("given an entitlement with tier benefits, then the redemption records what the wallet's tier gets", async () => {
      const silver = await earner(60);
      const bronze = await earner(5);
      await addReward({
        code: "LOUNGE",
        kind: "entitlement",
        price: "1",
        benefits: { silver: { discountBps: 1500 }, "*": { discountBps: 500 } },
      });
      const s = await redeemHttp(silver, "LOUNGE");
      const b = await redeemHttp(bronze, "LOUNGE");
      assert.deepEqual([s.body.tier, s.body.benefit], ["silver", { discountBps: 1500 }]);
      assert.deepEqual([b.body.tier, b.body.benefit], ["bronze", { discountBps: 500 }]);
    });
  });

  describe("limits", () => {
    it("given one per day, then the second is refused daily_limit; a void gives the allowance back", async () => {
      const w = await earner(100);
      await addReward({ code: "DAILY", perDay: 1 });
      const first = await redeemHttp(w, "DAILY");
      assert.equal(first.status, 201);
      const second = await redeemHttp(w, "DAILY");
      assert.deepEqual([second.status, second.body.error], [409, "daily_limit"]);
      const v = await post(`/admin/redemptions/${first.body.id}/void`, { reason: "out of stock" }, auth);
      assert.equal(v.status, 200, JSON.stringify(v.body));
      assert.equal((await redeemHttp(w, "DAILY")).status, 201, "a voided redemption does not count");
    });

    it("given a cooldown, then a second redemption within it is refused naming when it ends", async () => {
      const w = await earner(100);
      await addReward({ code: "COOL", cooldownSeconds: 3600 });
      assert.equal((await redeemHttp(w, "COOL")).status, 201);
      const r = await redeemHttp(w, "COOL");
      assert.deepEqual([r.status, r.body.error], [409, "cooldown"]);
      assert.match(r.body.message, /again from \d{4}-/);
    });

    it("given two per week and three per month, then the third redemption in the week is refused weekly_limit", async () => {
      const w = await earner(100);
      await addReward({ code: "WEEK", perWeek: 2, perMonth: 3 });
      assert.equal((await redeemHttp(w, "WEEK")).status, 201);
      assert.equal((await redeemHttp(w, "WEEK")).status, 201);
      assert.deepEqual((await redeemHttp(w, "WEEK")).body.error, "weekly_limit");
    });
  });

  describe("races on parallel connections", () => {
    beforeEach(function () {
      // PGlite is one backend session that queues whole transactions: nothing would overlap there
      if (process.env.MERIT_TEST_EMBEDDED_PG) this.skip();
    });
    /** N challenges signed first (each passes step 1), then every step 2 at once, each on a connection of its own. */
    async function race(w: TestWallet, code: string, n: number) {
      const signed = [];
      for (let i = 0; i < n; i++) {
        const ch = await requestRedemption(db(), { wallet: w.address, reward: code });
        signed.push({ nonce: ch.nonce, signature: w.sign(ch.message) });
      }
      const conns: Sql[] = signed.map(() => connect(process.env.DATABASE_URL!, { max: 1, name: "merit-test-race" }));
      try {
        // warm each connection so the redemptions start together
        await Promise.all(conns.map((c) => c`select 1`));
        return await Promise.allSettled(signed.map((s, i) => redeem(conns[i]!, s)));
      } finally {
        await Promise.all(conns.map((c) => c.end()));
      }
    }
    const codes = (rs: PromiseSettledResult<unknown>[]) =>
      rs.map((r) => (r.status === "fulfilled" ? "ok" : ((r.reason as { code?: string }).code ?? String(r.reason)))).sort();

    it("given one allowed per day, when eight signed redemptions race, then exactly one wins and the rest are refused daily_limit", async () => {
      const w = await earner(100);
      await addReward({ code: "LAST", perDay: 1 });
      const rs = await race(w, "LAST", 8);
      assert.deepEqual(codes(rs), ["daily_limit", ...Array(6).fill("daily_limit"), "ok"].sort());
      const [n] = await db()<{ n: number }[]>`select count(*)::int as n from point_ledger where reason = 'redemption'`;
      assert.equal(n!.n, 1);
      assert.equal(await balanceOf(db(), w.address), 90_000n);
    });

    it("given points for one, when two redemptions of a 60-point reward race, then exactly one wins and the balance never goes below zero", async () => {
      const w = await earner(100);
      await addReward({ code: "BIG", price: "60" });
      const rs = await race(w, "BIG", 2);
      assert.deepEqual(codes(rs), ["insufficient_points", "ok"]);
      assert.equal(await balanceOf(db(), w.address), 40_000n);
    });

    it("given a redemption's debit in flight, when an admin's negative adjustment arrives, then it waits for the debit and is refused negative_balance", async () => {
      const w = await earner(100);
      const held = connect(process.env.DATABASE_URL!, { max: 1, name: "merit-test-race" });
      const other = connect(process.env.DATABASE_URL!, { max: 1, name: "merit-test-race" });
      try {
        let release!: () => void;
        const released = new Promise<void>((r) => (release = r));
        let debited!: () => void;
        const inFlight = new Promise<void>((r) => (debited = r));
        // a redemption's transaction between its debit and its commit: the wallet's points lock held
        const tx = held.begin(async (t) => {
          await lockAccountPoints(t, w.address);
          await insertRedemptionRow(t, { account: w.address, delta: -60_000n, reason: "redemption", note: "in flight" });
          debited();
          await released;
        });
        await inFlight;
        let settled = false;
        const adjust = adjustPoints(other, { account: w.address, delta: -60_000n, note: "chargeback", by: "ops" }).finally(() => {
          settled = true;
        });
        adjust.catch(() => {});
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(settled, false, "the adjustment waits for the wallet's points lock");
        release();
        await tx;
        await assert.rejects(adjust, (e: { code?: string }) => e.code === "negative_balance");
      } finally {
        await Promise.all([held.end(), other.end()]);
      }
      assert.equal(await balanceOf(db(), w.address), 40_000n);
    });
  });

  describe("voids", () => {
    it("given a redemption, when an admin voids it, then the points come back as a redemption_void row, audited; a second void is 409", async () => {
      const w = await earner(100);
      await addReward({ code: "MUG", price: "40" });
      const r = await redeemHttp(w, "MUG");
      const v = await post(`/admin/redemptions/${r.body.id}/void`, { reason: "customer cancelled" }, auth);
      assert.deepEqual([v.status, v.body.status, v.body.voidReason], [200, "voided", "customer cancelled"]);
      assert.equal(await balanceOf(db(), w.address), 100_000n);
      const rows = await db()<
        { reason: string; delta: bigint }[]
      >`select reason, delta from point_ledger where account = ${w.address} order by id`;
      assert.deepEqual(
        rows.map((x) => x.reason),
        ["earn", "redemption", "redemption_void"],
      );
      assert.equal(rows[2]!.delta, 40_000n);
      const again = await post(`/admin/redemptions/${r.body.id}/void`, { reason: "again" }, auth);
      assert.deepEqual([again.status, again.body.error], [409, "already_voided"]);
      const missing = await post("/admin/redemptions/999999/void", { reason: "x" }, auth);
      assert.deepEqual([missing.status, missing.body.field], [404, "params.id"]);
      const noReason = await post(`/admin/redemptions/${r.body.id}/void`, { reason: " " }, auth);
      assert.deepEqual([noReason.status, noReason.body.field], [400, "body.reason"]);
      const [audit] = await db()<{ before: Body; after: Body }[]>`
        select before, after from admin_audit where action = 'POST /v1/admin/redemptions/:id/void' and outcome = 'ok'`;
      assert.deepEqual([audit!.before.status, audit!.after.status], ["redeemed", "voided"]);
    });
  });

  describe("epochs and ledger verify", () => {
    it("given a redemption before the close, then the epoch converts only the points left (redeemed points are not tokens); the void lands in the next epoch; ledger verify agrees", async () => {
      const distributor = Keypair.generate().publicKey.toBase58();
      await addDistributor(db(), {
        address: distributor,
        mint: Keypair.generate().publicKey.toBase58(),
        conversion: { mode: "fixed", unitsPerPoint: "10", rounding: "floor" },
      });
      const w = await earner(100);
      const other = await earner(30);
      await addReward({ code: "MUG", price: "40" });
      const r = await redeemHttp(w, "MUG");
      assert.equal(r.status, 201);
      const e1 = await closeEpoch(db(), { distributor, dataDir });
      const w1 = new Map((await epochWallets(db(), distributor, e1!.epoch)).map((x) => [x.claimant, x]));
      assert.deepEqual(
        [w1.get(w.address)!.points, w1.get(w.address)!.allocated],
        [60_000n, 600n],
        "100 earned - 40 redeemed = 60 points, 600 units",
      );
      assert.equal(w1.get(other.address)!.allocated, 300n);
      const manifest = readFileSync(join(epochDir(dataDir, distributor, e1!.epoch), MANIFEST_FILE), "utf8");
      assert.match(manifest, /"reason":"redemption"/, "the debit is in the epoch's manifest, for auditors");

      // the void credits the 40 back in the next epoch
      assert.equal((await post(`/admin/redemptions/${r.body.id}/void`, { reason: "refund" }, auth)).status, 200);
      await earner(1); // an epoch closes once ingest passes another slot
      const e2 = await closeEpoch(db(), { distributor, dataDir });
      const w2 = new Map((await epochWallets(db(), distributor, e2!.epoch)).map((x) => [x.claimant, x]));
      assert.deepEqual([w2.get(w.address)!.points, w2.get(w.address)!.cumulative], [40_000n, 1000n]);

      const verify = await replayLedger(db());
      assert.equal(verify.mismatchCount, 0, "redemption rows are not settlement rows: replay compares only what it recomputes");
    });
  });

  describe("the merit command", function () {
    // each command is a child process that loads TypeScript through tsx
    this.timeout(240_000);
    it("given `admin catalog add / list / disable`, `redeem --keypair` and `admin redemptions void`, then each does what the API does, and bad input is exit 2 with one line", async () => {
      const add = await merit("admin", "catalog", "add", "CAP", "--name", "A cap", "--price", "12.5", "--per-day", "1", "--by", "ops");
      assert.equal(add.code, 0, add.stderr);
      assert.match(add.stdout, /CAP\s+12\.500 pts\s+item\s+active\s+A cap\s+\(1\/day\)/);
      const bad = await merit("admin", "catalog", "add", "CAP2", "--name", "x", "--price", "0", "--by", "ops");
      assert.equal(bad.code, 2, bad.stderr);
      assert.ok(isOneLineError(bad.stderr), bad.stderr);
      assert.match(bad.stderr, /--price must be more than 0 points/);
      const dup = await merit("admin", "catalog", "add", "CAP", "--name", "x", "--price", "1", "--by", "ops");
      assert.equal(dup.code, 2, dup.stderr);
      assert.match(dup.stderr, /already exists/);

      // the wallet's own path: through the API, signed with its keypair file
      const kp = Keypair.generate();
      const file = join(dataDir, "wallet.json");
      writeFileSync(file, JSON.stringify([...kp.secretKey]));
      const payer = kp.publicKey.toBase58();
      slot += 1;
      await insertSettlements(db(), [{ slot, payer, payee: "SHOP", amount: 30_000_000n, time: new Date() }]);
      await advanceIngestWatermark(db(), BigInt(slot));
      while ((await scoreBatch(db(), { maxSlot: BigInt(slot) })) > 0);
      const redeemed = await merit("redeem", "CAP", "--keypair", file, "--api", api.url);
      assert.equal(redeemed.code, 0, redeemed.stderr);
      assert.match(redeemed.stdout, /redeemed CAP for 12\.500 points \(redemption \d+\); balance 17\.500/);
      const twice = await merit("redeem", "CAP", "--keypair", file, "--api", api.url);
      assert.equal(twice.code, 2, twice.stderr);
      assert.match(twice.stderr, /daily_limit/);

      const [row] = await db()<{ id: bigint }[]>`select id from redemptions`;
      const voided = await merit("admin", "redemptions", "void", String(row!.id), "--reason", "wrong size", "--by", "ops");
      assert.equal(voided.code, 0, voided.stderr);
      assert.match(voided.stdout, /12\.500 points credited back/);
      assert.equal(await balanceOf(db(), payer), 30_000n);

      assert.equal((await merit("admin", "catalog", "disable", "CAP")).code, 0);
      const list = await merit("admin", "catalog", "list", "--json");
      assert.deepEqual(
        JSON.parse(list.stdout).map((r: Body) => [r.code, r.active]),
        [["CAP", false]],
      );
    });
  });

  describe("mounted in the app as the daemon mounts them", () => {
    it("given createApp with the catalog, unlockables and admin routers, then their routes answer beside the public ones and are in /openapi.json", async () => {
      const app = await startApi({
        sql: db(),
        connection: new Connection("http://127.0.0.1:9", "confirmed"),
        dataDir,
        corsOrigins: [],
        rateLimitPerMinute: 0,
        routers: [
          { path: "/v1", router: catalogRoutes({ sql: db() }) },
          { path: "/v1", router: unlockablesRoutes({ sql: db() }) },
          { path: "/v1/admin", router: adminRoutes({ sql: db(), adminToken: TOKEN, dataDir }) },
        ],
      });
      try {
        const w = await earner(10);
        await addReward({ code: "PIN" });
        assert.deepEqual(
          ((await app.get("/v1/catalog")).body as Body).rewards.map((r: Body) => r.code),
          ["PIN"],
        );
        assert.equal((await app.get(`/v1/wallets/${w.address}/redemptions`)).status, 200);
        assert.equal((await app.get(`/v1/wallets/${w.address}/unlockables`)).status, 200);
        assert.equal((await app.get(`/v1/wallets/${w.address}`)).status, 200, "the public wallet route is unchanged");
        const paths = Object.keys(((await (await fetch(`${app.url}/openapi.json`)).json()) as Body).paths);
        for (const p of [
          "/v1/catalog",
          "/v1/redemptions/challenge",
          "/v1/redemptions",
          "/v1/wallets/{address}/redemptions",
          "/v1/wallets/{address}/unlockables",
          "/v1/admin/catalog",
          "/v1/admin/catalog/{code}",
          "/v1/admin/redemptions/{id}/void",
          "/v1/admin/unlockables/{code}/evaluate",
          "/v1/admin/unlockables/{code}/grants/{wallet}/deliver",
        ])
          assert.ok(paths.includes(p), `${p} is in /openapi.json`);
      } finally {
        await app.stop();
      }
    });
  });
});
