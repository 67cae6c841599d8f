import assert from "node:assert/strict";
import { truncateAll, useFreshDb } from "./setup/db.js";
import { insertSettlements, type SettlementSpec } from "./helpers/ledger-fixtures.js";
import { publishRuleSet, replayLedger, scoreBatch } from "../indexer/src/engine/index.js";
import type { Sql } from "../indexer/src/db/connection.js";
import type { RuleSetInput } from "../indexer/src/rules/schema.js";

const DAY = 86_400_000;
const T0 = Date.parse("2026-06-01T10:00:00Z");
const at = (day: number, minute = 0) => new Date(T0 + day * DAY + minute * 60_000);
const units = (n: number) => BigInt(Math.round(n * 1_000_000));
let slot = 0;
const pay = (payer: string, amount: number, day: number, extra: Partial<SettlementSpec> = {}): SettlementSpec => ({
  slot: ++slot,
  payer,
  payee: "OTHER",
  amount: units(amount),
  time: at(day, slot),
  ...extra,
});

async function ledger(sql: Sql) {
  return sql<{ account: string; reason: string; delta: bigint; ref: string | null; version: bigint | null }[]>`
    select account, reason, delta, coalesce(campaign_id, rule_id) as ref, rule_set_version as version from point_ledger order by id`;
}
async function scoreAll(sql: Sql, batchSize = 1000) {
  let n = 0;
  for (let k: number; (k = await scoreBatch(sql, { batchSize })) > 0; ) n += k;
  return n;
}
async function given(sql: Sql, body: RuleSetInput, settlements: SettlementSpec[]) {
  await publishRuleSet(sql, { createdBy: "test", body });
  await insertSettlements(sql, settlements);
}
const earn = (pointsPerUnit = 1000) => ({ scope: { kind: "global" as const }, pointsPerUnit });
const window = { startsAt: at(-1).toISOString(), endsAt: at(30).toISOString() };

describe("engine: earning", () => {
  const db = useFreshDb();
  beforeEach(() => truncateAll(db()));
  afterEach(async () => assert.equal((await replayLedger(db())).mismatchCount, 0, "replay must reproduce the stored ledger"));

  it("given earn configs per scope, when settlements are scored, then each uses the most specific config, its rounding and minimum", async () => {
    await given(
      db(),
      {
        earn: [
          earn(1000),
          {
            scope: { kind: "merchant", merchant: "SHOP" },
            pointsPerUnit: 2000,
            multiplierBps: 15000,
            rounding: "nearest",
            minVolume: 1_000_000,
          },
        ],
      },
      [
        pay("A", 2.5, 0),
        pay("A", 1.000001, 0, { payee: "SHOP" }),
        pay("A", 0.5, 0, { payee: "SHOP" }),
        pay("A", 0, 0, { amount: 1_500_000_000n, decimals: 9 }),
      ],
    );
    assert.equal(await scoreAll(db()), 4);
    // 1.000001 x 2 x 1.5 = 3.000003 points -> nearest millipoint 3000; 0.5 is under SHOP's minimum; 1.5 units at 9 decimals
    assert.deepEqual(
      (await ledger(db())).map((r) => r.delta),
      [2500n, 3000n, 1500n],
    );
    const [stats] = await db()`select settlement_count, volume_total from account_stats where account = 'A'`;
    assert.equal(stats!.settlement_count, 3n, "the settlement under the minimum feeds no count");
    assert.equal(stats!.volume_total, 5_000_001n);
  });

  it("given tiers over a 2-day window, when volume crosses silver and later ages out, then the multiplier follows the rolling volume at each settlement", async () => {
    await given(
      db(),
      {
        earn: [earn(1000)],
        tiers: {
          windowDays: 2,
          levels: [
            { name: "bronze", minVolume: 0, multiplierBps: 10000 },
            { name: "silver", minVolume: 10_000_000, multiplierBps: 15000 },
          ],
        },
      },
      [pay("A", 6, 0), pay("A", 5, 0), pay("A", 1, 1), pay("A", 1, 2)],
    );
    await scoreAll(db(), 2);
    assert.deepEqual(
      (await ledger(db())).map((r) => r.delta),
      [6000n, 7500n, 1500n, 1000n],
    );
    const tiers = await db()`select tier from settlement_scores order by seq`;
    assert.deepEqual(
      tiers.map((t) => t.tier),
      ["bronze", "silver", "silver", "bronze"],
    );
  });

  it("given point rules with conditions, when settlements match, then each rule's award is a ledger row naming the rule", async () => {
    await given(
      db(),
      {
        earn: [earn(1000)],
        rules: [
          { id: "welcome", priority: 1, when: { firstSettlement: true }, award: { kind: "flat", points: 5000 } },
          { id: "third", priority: 2, when: { nthSettlement: 3 }, award: { kind: "flat", points: 3000 } },
          { id: "gold-class", priority: 3, when: { memo: "class:gold*" }, award: { kind: "perVolume", pointsPerUnit: 500 }, stop: true },
          { id: "loyal", priority: 4, when: { minScore: 8000 }, award: { kind: "flat", points: 100 } },
        ],
      },
      [pay("A", 1, 0), pay("A", 2, 0, { memo: "class:gold/v1" }), pay("A", 1, 0)],
    );
    await scoreAll(db());
    const rows = (await ledger(db())).map((r) => `${r.reason}:${r.ref ?? ""}:${r.delta}`);
    assert.deepEqual(rows, [
      "earn::1000",
      "rule:welcome:5000",
      "earn::2000",
      "rule:gold-class:1000",
      "earn::1000",
      "rule:third:3000",
      "rule:loyal:100",
    ]);
  });

  it("given a new rule-set version, when later settlements are scored, then they use it and earlier rows keep theirs; effective_from waits for event time", async () => {
    await given(db(), { earn: [earn(1000)] }, [pay("A", 1, 0), pay("A", 1, 0)]);
    await scoreAll(db());
    await publishRuleSet(db(), { createdBy: "admin", note: "double", body: { earn: [earn(2000)] } });
    await publishRuleSet(db(), { createdBy: "admin", note: "triple from day 5", effectiveFrom: at(5), body: { earn: [earn(3000)] } });
    await insertSettlements(db(), [pay("A", 1, 4), pay("A", 1, 5)]);
    await scoreAll(db());
    const rows = await ledger(db());
    assert.deepEqual(
      rows.map((r) => [r.delta, r.version]),
      [
        [1000n, 1n],
        [1000n, 1n],
        [2000n, 2n],
        [3000n, 3n],
      ],
    );
    await assert.rejects(db()`update rule_sets set note = 'x' where version = 1`, /append-only/);
  });

  it("given no rule set yet, when the engine runs, then nothing is consumed until one is published", async () => {
    await insertSettlements(db(), [pay("A", 1, 0)]);
    assert.equal(await scoreAll(db()), 0);
    await publishRuleSet(db(), { createdBy: "test", effectiveFrom: at(1), body: { earn: [earn(1000)] } });
    assert.equal(await scoreAll(db()), 1);
    // the only version takes effect on day 1: the day-0 settlement is recorded with no version and no points
    assert.equal((await ledger(db())).length, 0);
    const [s] = await db()`select rule_set_version, points from settlement_scores`;
    assert.equal(s!.rule_set_version, null);
  });
});

describe("engine: campaigns", () => {
  const db = useFreshDb();
  beforeEach(() => truncateAll(db()));
  afterEach(async () => assert.equal((await replayLedger(db())).mismatchCount, 0));

  for (const batchSize of [1, 100]) {
    it(`given a budget of 2.5 points and flat awards of 1, when four wallets settle (batches of ${batchSize}), then the third gets exactly 0.5 and the fourth nothing`, async () => {
      await given(
        db(),
        { earn: [earn(0)], campaigns: [{ id: "launch", type: "flat", points: 1000, budget: 2500, maxParticipants: 10, ...window }] },
        [pay("A", 1, 0), pay("B", 1, 0), pay("C", 1, 0), pay("D", 1, 0)],
      );
      await scoreAll(db(), batchSize);
      assert.deepEqual(
        (await ledger(db())).map((r) => `${r.account}:${r.delta}`),
        ["A:1000", "B:1000", "C:500"],
      );
      const [c] = await db()`select spent, participants from campaign_state where campaign_id = 'launch'`;
      assert.deepEqual([c!.spent, c!.participants], [2500n, 3]);
    });
  }

  it("given a 3-day streak campaign, when a wallet settles on days 0,1,1,2 then 4,5,6, then it is paid on day 2 and again on day 6", async () => {
    await given(
      db(),
      { earn: [earn(0)], campaigns: [{ id: "streak", type: "streak", days: 3, points: 700, budget: 1e9, ...window }] },
      [0, 1, 1, 2, 4, 5, 6].map((d) => pay("A", 1, d)),
    );
    await scoreAll(db(), 3);
    const paid = await db()`select s.seq from point_ledger l join settlement_scores s using (settlement_id) order by l.id`;
    assert.deepEqual(
      paid.map((r) => r.seq),
      [4n, 7n],
    );
  });

  it("given multiplier, threshold and milestone campaigns with per-wallet limits, when a wallet settles repeatedly, then each pays per its rule and limit", async () => {
    await given(
      db(),
      {
        earn: [earn(1000)],
        campaigns: [
          { id: "boost", type: "multiplier", multiplierBps: 15000, budget: 1e9, perWallet: { maxPoints: 1200 }, ...window },
          { id: "big-spender", type: "volumeThreshold", threshold: 5_000_000, points: 2000, budget: 1e9, ...window },
          { id: "third-visit", type: "milestone", on: "settlements", n: 3, points: 900, budget: 1e9, ...window },
          {
            id: "merchant-only",
            type: "flat",
            points: 10,
            budget: 1e9,
            scope: { merchants: ["SHOP"] },
            perWallet: { maxCount: 1 },
            ...window,
          },
        ],
      },
      [pay("A", 2, 0), pay("A", 2, 0, { payee: "SHOP" }), pay("A", 2, 0, { payee: "SHOP" })],
    );
    await scoreAll(db());
    const rows = (await ledger(db())).map((r) => `${r.reason}:${r.ref ?? ""}:${r.delta}`);
    assert.deepEqual(rows, [
      "earn::2000",
      "campaign:boost:1000",
      "earn::2000",
      "campaign:boost:200",
      "campaign:merchant-only:10",
      "earn::2000",
      "campaign:big-spender:2000",
      "campaign:third-visit:900",
    ]);
  });

  it("given a campaign requiring a referrer, when a wallet without one settles, then it gets nothing", async () => {
    await given(
      db(),
      { earn: [earn(0)], campaigns: [{ id: "referred", type: "flat", points: 10, budget: 1e9, requireReferrer: true, ...window }] },
      [pay("A", 1, 0)],
    );
    await scoreAll(db());
    assert.equal((await ledger(db())).length, 0);
  });
});
