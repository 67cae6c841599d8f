import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Connection, Keypair } from "@solana/web3.js";
import { apiClient } from "@merit/clients/api";
import { publicRouter } from "../indexer/src/api/public/index.js";
import { balanceOf, publishRuleSet, replayLedger, scoreBatch, WorkerCache } from "../indexer/src/engine/index.js";
import { closeEpoch } from "../indexer/src/epochs/close.js";
import { addDistributor, epochWalletsOf } from "../indexer/src/epochs/queries.js";
import { advanceIngestWatermark } from "../indexer/src/ingest/store/cursors.js";
import { parseRuleSetBody, type RuleSetInput } from "../indexer/src/rules/schema.js";
import { call, serveRouters, type TestApi } from "./helpers/api-app.js";
import { insertSettlements } from "./helpers/ledger-fixtures.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

const wallet = () => Keypair.generate().publicKey.toBase58();
const T0 = Date.parse("2026-06-01T10:00:00Z");
const UNIT = 1_000_000n;
const at = (s: number) => new Date(T0 + s * 1000);
const EARN = [{ scope: { kind: "global" as const }, pointsPerUnit: 1000 }];

describe("engine: two-sided rewards, providers earn with their own rates and tiers, payers a share of it", function () {
  this.timeout(60_000);
  const db = useFreshDb();
  let api: TestApi;
  let dataDir: string;
  const board = async (query: string) => {
    const r = await call(`${api.url}/v1/leaderboard${query}`);
    assert.equal(r.status, 200);
    return r.body.rows.map((x: { account: string; points: string }) => [x.account, x.points]);
  };
  const rules = (body: RuleSetInput) => publishRuleSet(db(), { createdBy: "t", body });
  /** Cold workers of two settlements a batch, checkpointing each: provider state goes through provider_stats. */
  const scoreCold = async () => {
    while ((await scoreBatch(db(), { batchSize: 2, cache: new WorkerCache(), checkpointEvery: 1 })) > 0);
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "merit-providers-"));
    api = await serveRouters([
      { at: "/v1", router: publicRouter({ sql: db(), connection: new Connection("http://127.0.0.1:9"), dataDir, cacheMs: 0 }) },
    ]);
  });
  after(async () => {
    await api?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => truncateAll(db()));

  it("given a provider side at 0.5 point per unit with a tier and 10% to payers, then both sides earn, the boards are kept apart, and replay reproduces it", async () => {
    const [alice, bob, shop, api2] = [wallet(), wallet(), wallet(), wallet()];
    await rules({
      earn: EARN,
      sides: {
        provider: {
          earn: [{ scope: { kind: "global" }, pointsPerUnit: 500 }],
          tiers: {
            windowDays: 30,
            levels: [
              { name: "base", minVolume: 0, multiplierBps: 10000 },
              { name: "pro", minVolume: 10_000_000, multiplierBps: 20000 },
            ],
          },
          payerShareBps: 1000,
        },
      },
    });
    await insertSettlements(db(), [
      { slot: 1, payer: alice, payee: shop, amount: 4n * UNIT, time: at(0) },
      { slot: 2, payer: bob, payee: shop, amount: 6n * UNIT, time: at(1) },
      { slot: 3, payer: alice, payee: shop, amount: 2n * UNIT, time: at(2) },
      { slot: 4, payer: bob, payee: api2, amount: 2n * UNIT, time: at(3) },
    ]);
    await scoreCold();
    // slot 1: shop 4 x 0.5 = 2 pts, alice 4 + 10% of 2 = 4.2
    // slot 2: shop served 10 -> pro, 6 x 0.5 x 2 = 6, bob 6 + 0.6
    // slot 3: shop 2 x 0.5 x 2 = 2, alice 2 + 0.2
    // slot 4: api2 2 x 0.5 = 1, bob 2 + 0.1
    assert.equal(await balanceOf(db(), shop), 10_000n);
    assert.equal(await balanceOf(db(), api2), 1_000n);
    assert.equal(await balanceOf(db(), alice), 6_400n);
    assert.equal(await balanceOf(db(), bob), 8_700n);
    const [ps] = await db()<
      { score: bigint; settlement_count: bigint }[]
    >`select score, settlement_count from provider_stats where account = ${shop}`;
    assert.deepEqual([ps!.score, ps!.settlement_count], [10_000n, 3n]);

    assert.deepEqual(await board("?side=provider"), [
      [shop, "10000"],
      [api2, "1000"],
    ]);
    assert.deepEqual(await board(""), [
      [bob, "8700"],
      [alice, "6400"],
    ]);
    const typed = await apiClient(api.url).leaderboard({ side: "provider", limit: 1 });
    assert.deepEqual([typed.side, typed.rows[0]?.account, typed.rows[0]?.points], ["provider", shop, 10_000n]);
    assert.equal((await replayLedger(db())).mismatchCount, 0);

    // And: both sides flow into an epoch like any account
    await addDistributor(db(), {
      address: wallet(),
      mint: wallet(),
      conversion: { mode: "fixed", unitsPerPoint: "10", rounding: "floor" },
    });
    const [d] = await db()<{ address: string }[]>`select address from distributors`;
    await advanceIngestWatermark(db(), 4n);
    const closed = await closeEpoch(db(), { distributor: d!.address, dataDir });
    assert.equal(closed?.epoch, 1n);
    const [shopEpoch] = await epochWalletsOf(db(), d!.address, shop);
    assert.equal(shopEpoch?.allocated, 100n, "10 points x 10 base units: the merchant has a leaf like any account");
    const [aliceEpoch] = await epochWalletsOf(db(), d!.address, alice);
    assert.equal(aliceEpoch?.allocated, 64n);
  });

  it("given the payer side disabled, then only the provider earns; given the provider taking 20% of the payer's points, then that share is derived from the payer's award", async () => {
    const [alice, shop] = [wallet(), wallet()];
    await rules({
      earn: EARN,
      sides: { payer: { enabled: false }, provider: { earn: [{ scope: { kind: "global" }, pointsPerUnit: 500 }], shareOfPayerBps: 2000 } },
    });
    await insertSettlements(db(), [{ slot: 1, payer: alice, payee: shop, amount: 5n * UNIT, time: at(0) }]);
    await scoreCold();
    assert.equal(await balanceOf(db(), alice), 0n);
    assert.equal(await balanceOf(db(), shop), 2_500n, "its own rate only: 20% of the payer's nothing is nothing");

    await rules({ earn: EARN, sides: { provider: { shareOfPayerBps: 2000 } } });
    await insertSettlements(db(), [{ slot: 2, payer: alice, payee: shop, amount: 5n * UNIT, time: at(10) }]);
    await scoreCold();
    assert.deepEqual([await balanceOf(db(), alice), await balanceOf(db(), shop)], [5_000n, 3_500n]);
    const rows = await db()<
      { rule_id: string; reason: string }[]
    >`select rule_id, reason from point_ledger where account = ${shop} order by seq`;
    assert.deepEqual(
      rows.map((r) => [r.rule_id, r.reason]),
      [
        ["provider:earn", "earn"],
        ["provider:share", "rule"],
      ],
    );
  });

  it("given a rule set from before sides existed, then it parses unchanged and credits only the payer; a wallet paying itself earns nothing as its provider", async () => {
    const old = parseRuleSetBody({ earn: EARN });
    assert.equal(old.sides, undefined);
    const [alice, shop] = [wallet(), wallet()];
    await rules({ earn: EARN });
    await insertSettlements(db(), [{ slot: 1, payer: alice, payee: shop, amount: 3n * UNIT, time: at(0) }]);
    await scoreCold();
    assert.deepEqual([await balanceOf(db(), alice), await balanceOf(db(), shop)], [3_000n, 0n]);

    await rules({ earn: EARN, sides: { provider: { earn: EARN } } });
    await insertSettlements(db(), [{ slot: 2, payer: alice, payee: alice, amount: 1n * UNIT, time: at(5) }]);
    await scoreCold();
    assert.equal(await balanceOf(db(), alice), 4_000n, "own points only, no provider row for its own payment");
    assert.deepEqual(await board("?side=provider"), []);
  });

  it("given provider campaigns (a 1.5x multiplier and a once-per-provider flat bonus with a budget), then they pay the provider from its own points and count on its board", async () => {
    const [alice, shop] = [wallet(), wallet()];
    const window = { startsAt: new Date(T0 - 1000).toISOString(), endsAt: new Date(T0 + 86_400_000).toISOString() };
    await rules({
      earn: EARN,
      campaigns: [{ id: "payer-bonus", type: "flat", points: 1000, budget: 1_000_000, ...window }],
      sides: {
        provider: {
          earn: EARN,
          campaigns: [
            { id: "launch", type: "multiplier", multiplierBps: 15000, budget: 1_000_000, ...window },
            { id: "welcome", type: "flat", points: 7000, budget: 1_000_000, perWallet: { maxCount: 1 }, ...window },
          ],
        },
      },
    });
    await insertSettlements(db(), [
      { slot: 1, payer: alice, payee: shop, amount: 2n * UNIT, time: at(0) },
      { slot: 2, payer: alice, payee: shop, amount: 4n * UNIT, time: at(1) },
      { slot: 3, payer: alice, payee: shop, amount: 2n * UNIT, time: at(2) },
    ]);
    await scoreCold();
    // shop: own 8 points, +50% (4), welcome 7 once
    assert.equal(await balanceOf(db(), shop), 8_000n + 4_000n + 7_000n);
    // alice: own 8 points and the payer campaign's 1 point each time
    assert.equal(await balanceOf(db(), alice), 8_000n + 3_000n);
    assert.deepEqual(await board("?side=provider"), [[shop, "19000"]]);
    const rows = await db()<{ campaign_id: string; n: number }[]>`
      select campaign_id, count(*)::int as n from point_ledger where account = ${shop} and reason = 'campaign' and rule_id = 'provider:campaign'
      group by campaign_id order by campaign_id`;
    assert.deepEqual(
      rows.map((r) => [r.campaign_id, r.n]),
      [
        ["launch", 3],
        ["welcome", 1],
      ],
    );
    const [spent] = await db()<{ spent: bigint }[]>`select spent from campaign_state where campaign_id = 'welcome'`;
    assert.equal(spent?.spent, 7000n, "provider campaigns spend their budget like any campaign");
    assert.equal((await replayLedger(db())).mismatchCount, 0);
    assert.throws(
      () =>
        parseRuleSetBody({
          earn: EARN,
          campaigns: [{ id: "x", type: "flat", points: 1, budget: 1, ...window }],
          sides: { provider: { campaigns: [{ id: "x", type: "flat", points: 1, budget: 1, ...window }] } },
        }),
      /duplicate campaign id x/,
    );
  });

  it("given a provider rule id used twice, then the rule set is refused naming sides.provider.rules", () => {
    const rule = { id: "x", priority: 1, award: { kind: "flat", points: 1 } };
    assert.throws(
      () => parseRuleSetBody({ earn: EARN, sides: { provider: { rules: [rule, rule] } } }),
      /sides\.provider\.rules: duplicate rule id x/,
    );
    assert.throws(
      () => parseRuleSetBody({ earn: EARN, sides: { provider: { payerShare: 1 } } }),
      /sides\.provider\.payerShare: unknown key/,
    );
  });
});
