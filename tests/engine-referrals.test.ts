import assert from "node:assert/strict";
import { truncateAll, useFreshDb } from "./setup/db.js";
import { adopt, insertSettlements, testWallet, type TestWallet } from "./helpers/ledger-fixtures.js";
import { publishRuleSet, replayLedger, scoreBatch } from "../indexer/src/engine/index.js";
import { createReferralCode, requestReferral, adoptReferrer } from "../indexer/src/accounts/referrals.js";
import type { Sql } from "../indexer/src/db/connection.js";
import type { RuleSetInput } from "../indexer/src/rules/schema.js";

const T0 = Date.parse("2026-06-01T10:00:00Z");
let slot = 0;
const pay = (w: TestWallet, units: number) => ({
  slot: ++slot,
  payer: w.address,
  payee: "SHOP",
  amount: BigInt(units * 1_000_000),
  time: new Date(T0 + slot * 1000),
});
const window = { startsAt: new Date(T0 - 1000).toISOString(), endsAt: new Date(T0 + 86_400_000).toISOString() };

async function referralRows(sql: Sql) {
  return sql<{ account: string; delta: bigint; path: string[] }[]>`
    select account, delta, referral_path as path from point_ledger where reason = 'referral' order by id`;
}

describe("engine: referrals", () => {
  const db = useFreshDb();
  let a: TestWallet, b: TestWallet, c: TestWallet, d: TestWallet;
  beforeEach(async () => {
    await truncateAll(db());
    [a, b, c, d] = [testWallet(), testWallet(), testWallet(), testWallet()];
    // chain: d -> c -> b -> a
    await adopt(db(), b, a.address);
    await adopt(db(), c, b.address);
    await adopt(db(), d, c.address);
  });
  afterEach(async () => assert.equal((await replayLedger(db())).mismatchCount, 0));

  const rules = (referral: RuleSetInput["referral"], extra: Partial<RuleSetInput> = {}): RuleSetInput => ({
    earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
    referral,
    ...extra,
  });

  it("given the diminishing model (user 50%, 80% per level, 3 levels), when the referee earns 10 points, then it pays 5, 4, 0.8 and 0.2 on top", async () => {
    await publishRuleSet(db(), {
      createdBy: "t",
      body: rules({ model: "diminishing", userShareBps: 5000, levelShareBps: 8000, levels: 3 }),
    });
    await insertSettlements(db(), [pay(d, 10)]);
    await scoreBatch(db());
    const rows = await referralRows(db());
    assert.deepEqual(
      rows.map((r) => [r.account, r.delta]),
      [
        [d.address, 5000n],
        [c.address, 4000n],
        [b.address, 800n],
        [a.address, 200n],
      ],
    );
    assert.deepEqual(rows[3]!.path, [d.address, c.address, b.address, a.address]);
    const [own] = await db()`select delta from point_ledger where reason = 'earn'`;
    assert.equal(own!.delta, 10_000n, "the referee's own points are untouched");
  });

  it("given the worked example of docs/rewards-engine.md, when the silver-tier wallet pays 12.5 with a gold memo, then the rows are exactly as documented", async () => {
    await publishRuleSet(db(), {
      createdBy: "t",
      body: {
        earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000, rounding: "floor" }],
        tiers: {
          windowDays: 30,
          levels: [
            { name: "bronze", minVolume: 0, multiplierBps: 10000 },
            { name: "silver", minVolume: 100_000_000, multiplierBps: 12000 },
          ],
        },
        rules: [
          { id: "gold-class", priority: 10, when: { memo: "class:gold*" }, award: { kind: "perVolume", pointsPerUnit: 500 }, stop: true },
        ],
        campaigns: [
          { id: "launch", type: "multiplier", multiplierBps: 15000, budget: "1000000000", ...window },
          { id: "welcome-week", type: "flat", points: 2000, budget: "1000000000", ...window },
        ],
        referral: { model: "diminishing", userShareBps: 5000, levelShareBps: 8000, levels: 3 },
      },
    });
    await insertSettlements(db(), [pay(d, 95), { ...pay(d, 0), amount: 12_500_000n, memo: "class:gold/api" }]);
    await scoreBatch(db());
    const rows = await db()`
      select account, reason, coalesce(campaign_id, rule_id) as ref, delta from point_ledger where seq = 2 order by id`;
    const name = new Map([
      [d.address, "W"],
      [c.address, "R1"],
      [b.address, "R2"],
      [a.address, "R3"],
    ]);
    assert.deepEqual(
      rows.map((r) => `${name.get(r.account)} ${r.reason}${r.ref ? ` ${r.ref}` : ""} ${r.delta}`),
      [
        "W earn 15000",
        "W rule gold-class 7500",
        "W campaign launch 11250",
        "W campaign welcome-week 2000",
        "W referral 11250",
        "R1 referral 9000",
        "R2 referral 1800",
        "R3 referral 450",
      ],
    );
  });

  it("given fixed 20% / 10% / 5%, when the referee earns 10 points, then its three referrers get 2, 1 and 0.5", async () => {
    await publishRuleSet(db(), { createdBy: "t", body: rules({ model: "fixed", levels: [2000, 1000, 500] }) });
    await insertSettlements(db(), [pay(d, 10)]);
    await scoreBatch(db());
    assert.deepEqual(
      (await referralRows(db())).map((r) => [r.account, r.delta]),
      [
        [c.address, 2000n],
        [b.address, 1000n],
        [a.address, 500n],
      ],
    );
  });

  it("given a 2-level fixed model, when a referee in the middle of the chain earns, then only the chain above it is paid", async () => {
    await publishRuleSet(db(), { createdBy: "t", body: rules({ model: "fixed", levels: [2000, 1000] }) });
    await insertSettlements(db(), [pay(c, 10), pay(b, 10)]);
    await scoreBatch(db());
    assert.deepEqual(
      (await referralRows(db())).map((r) => [r.account, r.delta]),
      [
        [b.address, 2000n],
        [a.address, 1000n],
        [a.address, 2000n],
      ],
    );
  });

  it("given an nth-referral milestone and a referral-count rule, when referees make their first settlements, then the referrer is paid at the nth and its rules see the count", async () => {
    const e = testWallet();
    await adopt(db(), e, c.address);
    await publishRuleSet(db(), {
      createdBy: "t",
      body: rules(
        { model: "none" },
        {
          rules: [{ id: "ambassador", priority: 1, when: { referralCount: { op: "gte", n: 2 } }, award: { kind: "flat", points: 50 } }],
          campaigns: [{ id: "second-referral", type: "milestone", on: "referrals", n: 2, points: 777, budget: 1e9, ...window }],
        },
      ),
    });
    await insertSettlements(db(), [pay(c, 1), pay(d, 1), pay(d, 1), pay(e, 1), pay(c, 1)]);
    await scoreBatch(db(), { batchSize: 2 });
    await scoreBatch(db(), { batchSize: 2 });
    await scoreBatch(db(), { batchSize: 2 });
    const rows =
      await db()`select account, reason, coalesce(campaign_id, rule_id) as ref, delta from point_ledger where reason <> 'earn' order by id`;
    assert.deepEqual(
      rows.map((r) => [r.account, r.ref, r.delta]),
      [
        [c.address, "second-referral", 777n],
        [c.address, "ambassador", 50n],
      ],
    );
    const [s] = await db()`select referral_count from account_stats where account = ${c.address}`;
    assert.equal(s!.referral_count, 2);
  });

  it("given no referral split and a milestone that requires a referrer, when a referee settles first, then its referrer (who has one) is paid, as replay pays it", async () => {
    // d -> c -> b: c never settles, so only a two-level lookup from d's batch knows c has a referrer
    await publishRuleSet(db(), {
      createdBy: "t",
      body: rules(
        { model: "none" },
        {
          campaigns: [
            { id: "first-referral", type: "milestone", on: "referrals", n: 1, points: 300, budget: 1e9, requireReferrer: true, ...window },
          ],
        },
      ),
    });
    await insertSettlements(db(), [pay(d, 1)]);
    await scoreBatch(db());
    const rows = await db()`select account, campaign_id, delta from point_ledger where reason = 'campaign'`;
    assert.deepEqual(
      rows.map((r) => [r.account, r.campaign_id, r.delta]),
      [[c.address, "first-referral", 300n]],
    );
  });
});

describe("engine: referral adoption", () => {
  const db = useFreshDb();
  beforeEach(() => truncateAll(db()));

  const tryAdopt = async (referee: TestWallet, referrer: string) => {
    const code = await createReferralCode(db(), { account: referrer });
    const ch = await requestReferral(db(), { wallet: referee.address, code });
    return adoptReferrer(db(), { nonce: ch.nonce, signature: referee.sign(ch.message) });
  };

  it("refuses self-referral, a second referrer, cycles, and an already active wallet, with clear errors", async () => {
    const [a, b, c] = [testWallet(), testWallet(), testWallet()];
    await assert.rejects(tryAdopt(a, a.address), { code: "self_referral" });
    await tryAdopt(b, a.address);
    await assert.rejects(tryAdopt(b, c.address), { code: "referrer_already_set" });
    await tryAdopt(c, b.address);
    await assert.rejects(tryAdopt(a, c.address), { code: "referral_cycle" });
    const late = testWallet();
    await publishRuleSet(db(), { createdBy: "t", body: {} });
    await insertSettlements(db(), [{ slot: 1, payer: late.address, payee: "SHOP", amount: 1_000_000n }]);
    await scoreBatch(db());
    await assert.rejects(tryAdopt(late, a.address), { code: "referee_already_active" });
  });

  it("accepts adoption at the first settlement: ingested but not yet scored", async () => {
    const [a, b] = [testWallet(), testWallet()];
    await publishRuleSet(db(), {
      createdBy: "t",
      body: { earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }], referral: { model: "fixed", levels: [1000] } },
    });
    await insertSettlements(db(), [{ slot: 1, payer: b.address, payee: "SHOP", amount: 1_000_000n }]);
    await tryAdopt(b, a.address);
    await scoreBatch(db());
    assert.deepEqual(
      (await referralRows(db())).map((r) => [r.account, r.delta]),
      [[a.address, 100n]],
    );
  });

  it("refuses a signature by another key, an unknown code, and the reuse of a consumed challenge", async () => {
    const [a, b, mallory] = [testWallet(), testWallet(), testWallet()];
    const code = await createReferralCode(db(), { account: a.address });
    await assert.rejects(requestReferral(db(), { wallet: b.address, code: "NOPE-123" }), { code: "unknown_code" });
    const ch = await requestReferral(db(), { wallet: b.address, code });
    await assert.rejects(adoptReferrer(db(), { nonce: ch.nonce, signature: mallory.sign(ch.message) }), { code: "bad_signature" });
    await adoptReferrer(db(), { nonce: ch.nonce, signature: b.sign(ch.message) });
    await assert.rejects(adoptReferrer(db(), { nonce: ch.nonce, signature: b.sign(ch.message) }), { code: "challenge_used" });
  });
});
