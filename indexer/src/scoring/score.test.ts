import assert from "node:assert/strict";
import fc from "fast-check";
import { compile, type CompiledRuleSet } from "./compiled.js";
import { eventTime, scoreSettlement, type Scored } from "./score.js";
import { ScoringState } from "./state.js";
import { ruleSetBody, type RuleSetInput } from "../rules/schema.js";
import type { LedgerRow, Settlement } from "./types.js";

// Everything here is in memory: rule sets are parsed with the zod schema (rules/schema.ts imports
// only zod), the state is a fresh ScoringState, nothing from db/, engine/ or ingest/ is loaded.
const UNIT = 1_000_000n;
let nextId = 0n;
const settlement = (o: Partial<Settlement> = {}): Settlement => {
  const id = ++nextId;
  return {
    id,
    slot: id,
    txIndex: 0,
    outerIndex: 0,
    innerIndex: 0,
    blockTime: null,
    mint: "USDC",
    amount: UNIT,
    decimals: 6,
    payer: "W",
    payee: "SHOP",
    memo: null,
    ...o,
  };
};
const ruleSet = (input: RuleSetInput, version = 1n): CompiledRuleSet =>
  compile({ version, effectiveFrom: new Date(0), afterSeq: 0n, body: ruleSetBody.parse(input) });
const at = (iso: string) => new Date(iso);

/** Scores settlements one after the other with seq 1, 2, ... (or the given seq). */
function scoreAll(state: ScoringState, rs: CompiledRuleSet | undefined, items: { s: Settlement; time: Date; seq?: bigint }[]): Scored[] {
  return items.map((x, i) => scoreSettlement(state, rs, x.s, x.seq ?? BigInt(i + 1), x.time));
}
/** "<account> <reason>[ <campaign or rule>] <delta>" */
const line = (r: LedgerRow) => `${r.account} ${r.reason}${(r.campaignId ?? r.ruleId) ? ` ${r.campaignId ?? r.ruleId}` : ""} ${r.delta}`;
const linkChain = (state: ScoringState, ...chain: string[]) => {
  for (let i = 0; i + 1 < chain.length; i++) state.referralLinks.set(chain[i]!, { to: chain[i + 1]!, afterSeq: 0n });
};

describe("scoring: event time", () => {
  const prev = at("2026-06-10T12:00:00Z");

  it("given a block time after the previous event time, when the event time is taken, then it is the block time", () => {
    assert.equal(eventTime(settlement({ blockTime: at("2026-06-10T12:00:01Z") }), prev).toISOString(), "2026-06-10T12:00:01.000Z");
  });

  it("given a block time before the previous event time, when the event time is taken, then it stays at the previous one", () => {
    assert.equal(eventTime(settlement({ blockTime: at("2026-06-10T11:59:59Z") }), prev), prev);
  });

  it("given no block time, when the event time is taken, then it inherits the previous one, or the epoch for the very first settlement", () => {
    assert.equal(eventTime(settlement(), prev), prev);
    assert.equal(eventTime(settlement(), null).getTime(), 0);
    assert.equal(eventTime(settlement({ blockTime: at("2026-06-10T12:00:00Z") }), null).toISOString(), "2026-06-10T12:00:00.000Z");
  });

  it("for any stream of block times (some missing), event times never go back and each is the latest block time so far", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 10 ** 12 }), { nil: null })), (times) => {
        let previous: Date | null = null;
        let latest = 0;
        for (const t of times) {
          const e: Date = eventTime(settlement({ blockTime: t === null ? null : new Date(t) }), previous);
          if (t !== null) latest = Math.max(latest, t);
          assert.equal(e.getTime(), latest);
          assert.ok(previous === null || e.getTime() >= previous.getTime());
          previous = e;
        }
      }),
    );
  });
});

describe("scoring: the worked example of the README", () => {
  // the rule set of README "Rewards engine" / docs/rewards-engine.md, verbatim
  const rs = ruleSet({
    earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000, rounding: "floor" }],
    tiers: {
      windowDays: 30,
      levels: [
        { name: "bronze", minVolume: 0, multiplierBps: 10000 },
        { name: "silver", minVolume: 100000000, multiplierBps: 12000 },
      ],
    },
    rules: [
      { id: "gold-class", priority: 10, when: { memo: "class:gold*" }, award: { kind: "perVolume", pointsPerUnit: 500 }, stop: true },
    ],
    campaigns: [
      {
        id: "launch",
        type: "multiplier",
        multiplierBps: 15000,
        budget: "1000000000",
        startsAt: "2026-06-01T00:00:00Z",
        endsAt: "2026-07-01T00:00:00Z",
      },
      {
        id: "welcome-week",
        type: "flat",
        points: 2000,
        budget: "1000000000",
        startsAt: "2026-06-01T00:00:00Z",
        endsAt: "2026-06-08T00:00:00Z",
      },
    ],
    referral: { model: "diminishing", userShareBps: 5000, levelShareBps: 8000, levels: 3 },
  });

  function run() {
    const state = new ScoringState();
    linkChain(state, "W", "R1", "R2", "R3");
    // W paid 95 units earlier in the 30-day window (a day before), then pays 12.5 USDC with a gold memo
    const [first, second] = scoreAll(state, rs, [
      { s: settlement({ amount: 95n * UNIT }), time: at("2026-06-02T10:00:00Z") },
      { s: settlement({ amount: 12_500_000n, memo: "class:gold/api" }), time: at("2026-06-03T10:00:00Z") },
    ]);
    return { state, first: first!, second: second! };
  }

  it("given W (chain W -> R1 -> R2 -> R3, 95 units in the window) paying 12.5 USDC with memo class:gold/api during both campaigns, then the rows are exactly the table's", () => {
    const { second } = run();
    assert.deepEqual(second.rows.map(line), [
      "W earn 15000", // floor(12.5 x 1000) = 12,500; silver 1.2x -> 15,000
      "W rule gold-class 7500", // floor(12.5 x 500) = 6,250; x 1.2 -> 7,500
      "W campaign launch 11250", // own 22,500 x 0.5
      "W campaign welcome-week 2000",
      "W referral 11250", // pool 22,500 (own, not the bonuses): user 50%
      "R1 referral 9000", // 80% of the rest 11,250
      "R2 referral 1800", // 80% of the rest 2,250
      "R3 referral 450", // the last takes what remains
    ]);
  });

  it("given the worked example, then W is credited 47,000 in five rows and the chain 11,250 in three, with the referral paths of the chain", () => {
    const { second } = run();
    const w = second.rows.filter((r) => r.account === "W");
    const chain = second.rows.filter((r) => r.account !== "W");
    assert.equal(w.length, 5);
    assert.equal(
      w.reduce((a, r) => a + r.delta, 0n),
      47_000n,
    );
    assert.equal(chain.length, 3);
    assert.equal(
      chain.reduce((a, r) => a + r.delta, 0n),
      11_250n,
    );
    assert.deepEqual(
      second.rows.filter((r) => r.reason === "referral").map((r) => r.referralPath),
      [["W"], ["W", "R1"], ["W", "R1", "R2"], ["W", "R1", "R2", "R3"]],
    );
    assert.deepEqual(
      second.rows.filter((r) => r.reason !== "referral").map((r) => r.referralPath),
      [null, null, null, null],
    );
  });

  it("given the worked example, then the score row says silver, 12.5 units, version 1, 47,000 points, counted", () => {
    const { second } = run();
    assert.deepEqual(second.score, {
      settlementId: second.rows[0]!.settlementId,
      seq: 2n,
      account: "W",
      volume: 12_500_000n,
      tier: "silver",
      ruleSetVersion: 1n,
      points: 47_000n,
      eventTime: at("2026-06-03T10:00:00Z"),
      counted: true,
    });
    for (const r of second.rows) {
      assert.equal(r.seq, 2n);
      assert.equal(r.ruleSetVersion, 1n);
      assert.equal(r.occurredAt.toISOString(), "2026-06-03T10:00:00.000Z");
    }
  });

  it("given the 95-unit settlement before it (bronze, no memo), then it paid 95,000 + 47,500 + 2,000 + 47,500 to W and 38,000 / 7,600 / 1,900 up the chain", () => {
    const { first, state } = run();
    assert.deepEqual(first.rows.map(line), [
      "W earn 95000",
      "W campaign launch 47500",
      "W campaign welcome-week 2000",
      "W referral 47500",
      "R1 referral 38000",
      "R2 referral 7600",
      "R3 referral 1900",
    ]);
    assert.equal(first.score.tier, "bronze");
    // balances after both: what the two settlements credited, nothing else
    assert.deepEqual(
      ["W", "R1", "R2", "R3"].map((a) => state.stats.get(a)!.balance),
      [192_000n + 47_000n, 38_000n + 9_000n, 7_600n + 1_800n, 1_900n + 450n],
    );
    assert.equal(state.stats.get("R1")!.referralCount, 1);
    assert.equal(state.stats.get("W")!.settlementCount, 2n);
    assert.equal(state.stats.get("W")!.volumeTotal, 107_500_000n);
  });

  it("given the same wallet whose 95 units were paid 30 days before (outside the window), then it is bronze and earns 12,500 + 6,250", () => {
    const state = new ScoringState();
    const [, second] = scoreAll(state, ruleSet({ earn: rs.body.earn, tiers: rs.body.tiers, rules: rs.body.rules }), [
      { s: settlement({ amount: 95n * UNIT }), time: at("2026-06-02T10:00:00Z") },
      { s: settlement({ amount: 12_500_000n, memo: "class:gold/api" }), time: at("2026-07-02T10:00:00Z") },
    ]);
    assert.equal(second!.score.tier, "bronze");
    assert.deepEqual(second!.rows.map(line), ["W earn 12500", "W rule gold-class 6250"]);
  });

  it("given the 95 units 29 days before (the window's first day), then it is still silver", () => {
    const state = new ScoringState();
    const [, second] = scoreAll(state, ruleSet({ earn: rs.body.earn, tiers: rs.body.tiers }), [
      { s: settlement({ amount: 95n * UNIT }), time: at("2026-06-02T23:59:59Z") },
      { s: settlement({ amount: 12_500_000n }), time: at("2026-07-01T00:00:00Z") },
    ]);
    assert.equal(second!.score.tier, "silver");
    assert.deepEqual(second!.rows.map(line), ["W earn 15000"]);
  });
});

describe("scoring: what counts", () => {
  it("given an earn minimum of 1 unit, when 0.5 units are paid, then no rows, not counted, and the state is untouched (no count, streak, tier volume or referral activation)", () => {
    const state = new ScoringState();
    linkChain(state, "W", "R");
    const rs = ruleSet({
      earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000, minVolume: 1_000_000 }],
      referral: { model: "fixed", levels: [2000] },
    });
    const [out] = scoreAll(state, rs, [{ s: settlement({ amount: 500_000n }), time: at("2026-06-03T10:00:00Z") }]);
    assert.deepEqual(out!.rows, []);
    assert.equal(out!.score.counted, false);
    assert.equal(out!.score.points, 0n);
    assert.equal(out!.score.volume, 500_000n);
    assert.equal(state.stats.size, 0);
  });

  it("given a dust settlement first, when the first real one follows, then that one is the first settlement (rule fires, referrer activated once)", () => {
    const state = new ScoringState();
    linkChain(state, "W", "R");
    const rs = ruleSet({
      earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000, minVolume: 1_000_000 }],
      rules: [{ id: "welcome", priority: 1, when: { firstSettlement: true }, award: { kind: "flat", points: 3000 } }],
      campaigns: [
        {
          id: "ref1",
          type: "milestone",
          on: "referrals",
          n: 1,
          points: 500,
          budget: 10_000,
          startsAt: "2026-01-01T00:00:00Z",
          endsAt: "2027-01-01T00:00:00Z",
        },
      ],
    });
    const out = scoreAll(state, rs, [
      { s: settlement({ amount: 999_999n }), time: at("2026-06-03T10:00:00Z") },
      { s: settlement({ amount: UNIT }), time: at("2026-06-03T10:00:01Z") },
      { s: settlement({ amount: UNIT }), time: at("2026-06-03T10:00:02Z") },
    ]);
    assert.deepEqual(
      out.map((o) => o.rows.map(line)),
      [[], ["W earn 1000", "W rule welcome 3000", "R campaign ref1 500"], ["W earn 1000"]],
    );
    assert.equal(state.stats.get("R")!.referralCount, 1);
    assert.equal(state.stats.get("W")!.settlementCount, 2n);
  });

  it("given the minimum of the merchant's config, when a settlement elsewhere falls under it, then it still counts under its own (global) config", () => {
    const rs = ruleSet({
      earn: [
        { scope: { kind: "global" }, pointsPerUnit: 1000 },
        { scope: { kind: "merchant", merchant: "SHOP" }, pointsPerUnit: 2000, minVolume: 10_000_000 },
      ],
    });
    const state = new ScoringState();
    const out = scoreAll(state, rs, [
      { s: settlement({ amount: 5n * UNIT, payee: "SHOP" }), time: at("2026-06-03T10:00:00Z") },
      { s: settlement({ amount: 5n * UNIT, payee: "OTHER" }), time: at("2026-06-03T10:00:01Z") },
      { s: settlement({ amount: 10n * UNIT, payee: "SHOP" }), time: at("2026-06-03T10:00:02Z") },
    ]);
    assert.deepEqual(
      out.map((o) => [o.score.counted, o.rows.map(line)]),
      [
        [false, []],
        [true, ["W earn 5000"]],
        [true, ["W earn 20000"]],
      ],
    );
  });

  it("given no rule-set version yet, when a settlement is scored, then it earns nothing, has no version or tier, but the activity counts", () => {
    const state = new ScoringState();
    const [out] = scoreAll(state, undefined, [{ s: settlement({ amount: 12n * UNIT }), time: at("2026-06-03T10:00:00Z") }]);
    assert.deepEqual(out!.rows, []);
    assert.deepEqual([out!.score.ruleSetVersion, out!.score.tier, out!.score.points, out!.score.counted], [null, null, 0n, true]);
    assert.equal(state.stats.get("W")!.settlementCount, 1n);
    assert.equal(state.stats.get("W")!.volumeTotal, 12n * UNIT);
  });

  it("given awards that come to zero, when scored, then no row of zero points is written", () => {
    const rs = ruleSet({
      earn: [{ scope: { kind: "global" }, pointsPerUnit: 0 }],
      rules: [
        { id: "nothing", priority: 1, award: { kind: "flat", points: 0 } },
        { id: "tiny", priority: 2, award: { kind: "perVolume", pointsPerUnit: 1 } },
      ],
      campaigns: [
        {
          id: "x",
          type: "multiplier",
          multiplierBps: 20000,
          budget: 1000,
          startsAt: "2026-01-01T00:00:00Z",
          endsAt: "2027-01-01T00:00:00Z",
        },
      ],
      referral: { model: "fixed", levels: [5000] },
    });
    const state = new ScoringState();
    linkChain(state, "W", "R");
    // 0.5 units at 1 millipoint per unit floors to 0
    const [out] = scoreAll(state, rs, [{ s: settlement({ amount: 500_000n }), time: at("2026-06-03T10:00:00Z") }]);
    assert.deepEqual(out!.rows, []);
    assert.equal(out!.score.counted, true);
  });

  it("given a mint with 9 decimals, when 2.5 tokens are paid, then the volume is 2.5 units in micro-units and earns 2,500", () => {
    const [out] = scoreAll(new ScoringState(), ruleSet({ earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }] }), [
      { s: settlement({ amount: 2_500_000_000n, decimals: 9 }), time: at("2026-06-03T10:00:00Z") },
    ]);
    assert.equal(out!.score.volume, 2_500_000n);
    assert.deepEqual(out!.rows.map(line), ["W earn 2500"]);
  });
});

describe("scoring: stacking details", () => {
  it("given rules with floor and nearest policies and an earn policy of ceil under a 1.5x tier, then each rule rounds by its own policy and the tier by the earn policy", () => {
    const rs = ruleSet({
      earn: [{ scope: { kind: "global" }, pointsPerUnit: 0, rounding: "ceil" }],
      tiers: { windowDays: 1, levels: [{ name: "all", minVolume: 0, multiplierBps: 15000 }] },
      rules: [
        { id: "r-floor", priority: 1, award: { kind: "perVolume", pointsPerUnit: 333, rounding: "floor" } },
        { id: "r-nearest", priority: 2, award: { kind: "perVolume", pointsPerUnit: 333, rounding: "nearest" } },
      ],
    });
    // 0.5 units x 333 = 166.5: floor 166 -> x 1.5 = 249 exactly; nearest 167 -> 250.5 -> ceil 251
    const [out] = scoreAll(new ScoringState(), rs, [{ s: settlement({ amount: 500_000n }), time: at("2026-06-03T10:00:00Z") }]);
    assert.deepEqual(out!.rows.map(line), ["W rule r-floor 249", "W rule r-nearest 251"]);
  });

  it("given minScore and nthSettlement rules, when the account settles three times, then minScore reads the points before the settlement", () => {
    const rs = ruleSet({
      earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
      rules: [
        { id: "loyal", priority: 1, when: { minScore: 1000 }, award: { kind: "flat", points: 100 } },
        { id: "second", priority: 2, when: { nthSettlement: 2 }, award: { kind: "flat", points: 10 } },
      ],
    });
    const state = new ScoringState();
    const t = at("2026-06-03T10:00:00Z");
    const out = scoreAll(state, rs, [
      { s: settlement(), time: t },
      { s: settlement(), time: t },
      { s: settlement(), time: t },
    ]);
    assert.deepEqual(
      out.map((o) => o.rows.map(line)),
      [["W earn 1000"], ["W earn 1000", "W rule loyal 100", "W rule second 10"], ["W earn 1000", "W rule loyal 100"]],
    );
    assert.equal(state.stats.get("W")!.score, 3210n);
  });

  it("given a referral-count rule, when the referrer settles after its referee's first settlement, then the rule sees the activated referral", () => {
    const rs = ruleSet({
      earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
      rules: [{ id: "recruiter", priority: 1, when: { referralCount: { op: "gte", n: 1 } }, award: { kind: "flat", points: 700 } }],
    });
    const state = new ScoringState();
    linkChain(state, "W", "R");
    const t = at("2026-06-03T10:00:00Z");
    const out = scoreAll(state, rs, [
      { s: settlement({ payer: "R" }), time: t },
      { s: settlement({ payer: "W" }), time: t },
      { s: settlement({ payer: "R" }), time: t },
    ]);
    assert.deepEqual(
      out.map((o) => o.rows.map(line)),
      [["R earn 1000"], ["W earn 1000"], ["R earn 1000", "R rule recruiter 700"]],
    );
  });

  it("given campaigns, a referral milestone and a referral split, when the referee first settles, then rows come earn, campaigns, milestone, split; the milestone pays once", () => {
    const window = { startsAt: "2026-01-01T00:00:00Z", endsAt: "2027-01-01T00:00:00Z", budget: 1_000_000 };
    const rs = ruleSet({
      earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
      campaigns: [
        { id: "ref1", type: "milestone", on: "referrals", n: 1, points: 5000, ...window },
        { id: "f", type: "flat", points: 100, ...window },
      ],
      referral: { model: "fixed", levels: [2000] },
    });
    const state = new ScoringState();
    linkChain(state, "W", "R", "R2");
    const t = at("2026-06-03T10:00:00Z");
    const out = scoreAll(state, rs, [
      { s: settlement({ amount: 10n * UNIT }), time: t },
      { s: settlement({ amount: 10n * UNIT }), time: t },
    ]);
    assert.deepEqual(
      out.map((o) => o.rows.map(line)),
      [
        ["W earn 10000", "W campaign f 100", "R campaign ref1 5000", "R referral 2000"],
        ["W earn 10000", "W campaign f 100", "R referral 2000"],
      ],
    );
    // the fixed model with one level pays R only, not R2; the score counts the payer's rows only
    assert.deepEqual(
      out.map((o) => o.score.points),
      [10_100n, 10_100n],
    );
    assert.equal(state.stats.get("R")!.referralCount, 1);
    assert.equal(state.stats.get("R2")?.referralCount ?? 0, 0);
  });

  it("given a diminishing model, when a wallet without referrer earns, then nobody is paid, not even the user share", () => {
    const rs = ruleSet({
      earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
      referral: { model: "diminishing", userShareBps: 5000, levelShareBps: 8000, levels: 3 },
    });
    const [out] = scoreAll(new ScoringState(), rs, [{ s: settlement({ amount: 10n * UNIT }), time: at("2026-06-03T10:00:00Z") }]);
    assert.deepEqual(out!.rows.map(line), ["W earn 10000"]);
  });

  it("given a diminishing model and one referrer, when the referee earns 10 points, then user 5 and the only referrer the other 5", () => {
    const rs = ruleSet({
      earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
      referral: { model: "diminishing", userShareBps: 5000, levelShareBps: 8000, levels: 3 },
    });
    const state = new ScoringState();
    linkChain(state, "W", "R1");
    const [out] = scoreAll(state, rs, [{ s: settlement({ amount: 10n * UNIT }), time: at("2026-06-03T10:00:00Z") }]);
    assert.deepEqual(out!.rows.map(line), ["W earn 10000", "W referral 5000", "R1 referral 5000"]);
  });

  it("given an address linked into account ACC after seq 1, when it pays at seq 1 and seq 2, then the first is the address's and the second the account's", () => {
    const rs = ruleSet({ earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }] });
    const state = new ScoringState();
    state.addressLinks.set("addr", { to: "ACC", afterSeq: 1n });
    const t = at("2026-06-03T10:00:00Z");
    const out = scoreAll(state, rs, [
      { s: settlement({ payer: "addr" }), time: t },
      { s: settlement({ payer: "addr", amount: 2n * UNIT }), time: t },
    ]);
    assert.deepEqual(
      out.map((o) => [o.score.account, o.rows.map(line)]),
      [
        ["addr", ["addr earn 1000"]],
        ["ACC", ["ACC earn 2000"]],
      ],
    );
    assert.equal(state.stats.get("ACC")!.settlementCount, 1n);
  });

  it("given a 2-day streak campaign, when the account settles on days 1, 2, 2, 3, 4 and 6, then the run is 1, 2, 2, 3, 4, 1 and the campaign pays on day 2 and day 4's first settlements", () => {
    const rs = ruleSet({
      campaigns: [
        {
          id: "s2",
          type: "streak",
          days: 2,
          points: 700,
          budget: 1_000_000,
          startsAt: "2026-01-01T00:00:00Z",
          endsAt: "2027-01-01T00:00:00Z",
        },
      ],
    });
    const state = new ScoringState();
    const days = [
      "2026-06-01T10:00:00Z",
      "2026-06-02T00:00:00Z",
      "2026-06-02T23:59:59Z",
      "2026-06-03T10:00:00Z",
      "2026-06-04T10:00:00Z",
      "2026-06-06T10:00:00Z",
    ];
    const runs: number[] = [];
    const paid = days.map((d, i) => {
      const out = scoreSettlement(state, rs, settlement(), BigInt(i + 1), at(d));
      runs.push(state.stats.get("W")!.streakDays);
      return out.rows.map(line);
    });
    assert.deepEqual(runs, [1, 2, 2, 3, 4, 1]);
    assert.deepEqual(paid, [[], ["W campaign s2 700"], [], [], ["W campaign s2 700"], []]);
  });

  it("given the event time passed in, when the block time differs, then the windows read the event time, not the block time", () => {
    const rs = ruleSet({
      campaigns: [{ id: "june", type: "flat", points: 5, budget: 100, startsAt: "2026-06-01T00:00:00Z", endsAt: "2026-07-01T00:00:00Z" }],
    });
    const [out] = scoreAll(new ScoringState(), rs, [
      { s: settlement({ blockTime: at("2026-05-01T00:00:00Z") }), time: at("2026-06-03T10:00:00Z") },
    ]);
    assert.deepEqual(out!.rows.map(line), ["W campaign june 5"]);
    assert.equal(out!.rows[0]!.occurredAt.toISOString(), "2026-06-03T10:00:00.000Z");
  });

  it("given first activity, when the account and its referrer are credited, then each one's first seq and time are set from the settlement that first credited it", () => {
    const rs = ruleSet({ earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }], referral: { model: "fixed", levels: [1000] } });
    const state = new ScoringState();
    linkChain(state, "W", "R");
    scoreAll(state, rs, [
      { s: settlement({ payer: "X" }), time: at("2026-06-01T00:00:00Z") },
      { s: settlement(), time: at("2026-06-02T00:00:00Z"), seq: 5n },
    ]);
    assert.deepEqual(
      [state.stats.get("W")!.firstSeq, state.stats.get("W")!.firstActivityAt?.toISOString()],
      [5n, "2026-06-02T00:00:00.000Z"],
    );
    assert.deepEqual([state.stats.get("R")!.firstSeq, state.stats.get("R")!.balance], [5n, 100n]);
  });
});

describe("scoring: properties over random settlement streams", () => {
  const window = { startsAt: "2026-06-01T00:00:00Z", endsAt: "2026-06-20T00:00:00Z" };
  const rs = ruleSet({
    earn: [
      { scope: { kind: "global" }, pointsPerUnit: 1000, minVolume: 10_000 },
      { scope: { kind: "mint", mint: "BONK" }, pointsPerUnit: 333, multiplierBps: 12500, rounding: "nearest" },
      { scope: { kind: "merchant", merchant: "SHOP" }, pointsPerUnit: 1500, rounding: "ceil", minVolume: 1_000_000 },
    ],
    tiers: {
      windowDays: 7,
      levels: [
        { name: "bronze", minVolume: 0, multiplierBps: 10000 },
        { name: "silver", minVolume: 50_000_000, multiplierBps: 12000 },
        { name: "gold", minVolume: 200_000_000, multiplierBps: 13333 },
      ],
    },
    rules: [
      {
        id: "gold-class",
        priority: 10,
        when: { memo: "class:gold*" },
        award: { kind: "perVolume", pointsPerUnit: 500, rounding: "nearest" },
        stop: true,
      },
      { id: "silver-class", priority: 20, when: { memo: "class:silver*" }, award: { kind: "flat", points: 300 }, stop: true },
      { id: "welcome", priority: 30, when: { firstSettlement: true }, award: { kind: "flat", points: 1000 } },
      { id: "loyal", priority: 40, when: { minScore: 50_000 }, award: { kind: "perVolume", pointsPerUnit: 77 } },
    ],
    campaigns: [
      { id: "boost", type: "multiplier", multiplierBps: 15000, budget: 200_000, ...window },
      {
        id: "boost2",
        type: "multiplier",
        multiplierBps: 11111,
        rounding: "ceil",
        budget: 1_000_000_000,
        perWallet: { maxPoints: 5000 },
        ...window,
      },
      {
        id: "hello",
        type: "flat",
        points: 2000,
        budget: 50_000,
        perWallet: { maxCount: 2, cooldownSeconds: 3600 },
        maxParticipants: 3,
        ...window,
      },
      { id: "big", type: "volumeThreshold", threshold: 100_000_000, points: 10_000, budget: 25_000, ...window },
      {
        id: "third",
        type: "milestone",
        on: "settlements",
        n: 3,
        points: 1500,
        budget: 1_000_000,
        scope: { merchants: ["SHOP"] },
        ...window,
      },
      { id: "ref2", type: "milestone", on: "referrals", n: 2, points: 4000, budget: 1_000_000, requireReferrer: true, ...window },
      { id: "streak", type: "streak", days: 2, points: 800, budget: 1_000_000, ...window },
      { id: "referred", type: "flat", points: 50, requireReferrer: true, budget: 1_000_000, ...window },
    ],
    referral: { model: "diminishing", userShareBps: 5000, levelShareBps: 8000, levels: 3 },
  });
  const freshState = () => {
    const state = new ScoringState();
    linkChain(state, "B", "A");
    linkChain(state, "C", "B");
    linkChain(state, "D", "C");
    linkChain(state, "E", "D");
    linkChain(state, "F", "C");
    state.addressLinks.set("e2", { to: "E", afterSeq: 4n });
    state.referralLinks.set("G", { to: "F", afterSeq: 6n });
    return state;
  };
  const T0 = Date.parse("2026-05-30T00:00:00Z");
  const arbSettlement = fc.record({
    payer: fc.constantFrom("A", "B", "C", "D", "E", "e2", "F", "G"),
    payee: fc.constantFrom("SHOP", "OTHER"),
    mint: fc.constantFrom("USDC", "BONK"),
    amount: fc.oneof(fc.bigInt({ min: 0n, max: 20_000n }), fc.bigInt({ min: 0n, max: 80_000_000n })),
    memo: fc.constantFrom(null, "class:gold/api", "class:silver", "other"),
    gapSeconds: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 * 86_400 })),
    missingTime: fc.boolean(),
  });
  const arbStream = fc.array(arbSettlement, { minLength: 1, maxLength: 60 });

  type Stream = typeof arbStream extends fc.Arbitrary<infer S> ? S : never;

  function scoreStream(stream: Stream) {
    const state = freshState();
    let t = T0;
    let prev: Date | null = null;
    const out = stream.map((x, i) => {
      t += x.gapSeconds * 1000;
      const s: Settlement = {
        id: BigInt(i + 1),
        slot: BigInt(i + 1),
        txIndex: 0,
        outerIndex: 0,
        innerIndex: 0,
        blockTime: x.missingTime ? null : new Date(t),
        mint: x.mint,
        amount: x.amount,
        decimals: 6,
        payer: x.payer,
        payee: x.payee,
        memo: x.memo,
      };
      const time = (prev = eventTime(s, prev));
      return scoreSettlement(state, rs, s, BigInt(i + 1), time);
    });
    return { state, out };
  }

  it("for any stream, scoring it twice from an empty state gives the same rows, scores and state (deterministic)", () => {
    fc.assert(
      fc.property(arbStream, (stream) => {
        const a = scoreStream(stream);
        const b = scoreStream(stream);
        assert.deepEqual(a.out, b.out);
        assert.deepEqual(a.state.stats, b.state.stats);
        assert.deepEqual(a.state.campaigns, b.state.campaigns);
      }),
      { numRuns: 150 },
    );
  });

  it("for any stream, every row is positive, the referral split of a settlement sums to its own points when it has a referrer (0 without), and the score is the payer's rows", () => {
    fc.assert(
      fc.property(arbStream, (stream) => {
        const { state, out } = scoreStream(stream);
        for (const { rows, score } of out) {
          assert.ok(
            rows.every((r) => r.delta > 0n),
            "no row of zero or negative points",
          );
          const own = rows
            .filter((r) => r.account === score.account && (r.reason === "earn" || r.reason === "rule"))
            .reduce((a, r) => a + r.delta, 0n);
          const referral = rows.filter((r) => r.reason === "referral").reduce((a, r) => a + r.delta, 0n);
          const chain = state.chainOf(score.account, score.seq, 3);
          // the diminishing model's pool is all of own points (poolBps 10000), shared only if a referrer exists
          assert.equal(referral, chain.length > 0 ? own : 0n);
          assert.ok(
            rows
              .filter((r) => r.reason === "referral")
              .every((r) => r.referralPath![0] === score.account && r.referralPath!.at(-1) === r.account),
          );
          assert.equal(
            score.points,
            rows.filter((r) => r.account === score.account).reduce((a, r) => a + r.delta, 0n),
          );
          if (!score.counted) assert.deepEqual(rows, []);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("for any stream, no campaign pays past its budget or per-wallet caps, and each account's balance is the sum of its rows", () => {
    fc.assert(
      fc.property(arbStream, (stream) => {
        const { state, out } = scoreStream(stream);
        const rows = out.flatMap((o) => o.rows);
        for (const c of rs.body.campaigns) {
          const paid = rows.filter((r) => r.campaignId === c.id);
          const total = paid.reduce((a, r) => a + r.delta, 0n);
          assert.ok(total <= c.budget, `${c.id} paid ${total} over its budget ${c.budget}`);
          assert.equal(total, state.campaigns.get(c.id)?.spent ?? 0n);
          const perWallet = new Map<string, bigint[]>();
          for (const r of paid) perWallet.set(r.account, [...(perWallet.get(r.account) ?? []), r.delta]);
          if (c.perWallet.maxPoints !== undefined)
            for (const ds of perWallet.values()) assert.ok(ds.reduce((a, d) => a + d, 0n) <= c.perWallet.maxPoints);
          if (c.perWallet.maxCount !== undefined) for (const ds of perWallet.values()) assert.ok(ds.length <= c.perWallet.maxCount);
          if (c.maxParticipants !== undefined) assert.ok(perWallet.size <= c.maxParticipants);
        }
        const byAccount = new Map<string, bigint>();
        for (const r of rows) byAccount.set(r.account, (byAccount.get(r.account) ?? 0n) + r.delta);
        for (const [acct, st] of state.stats) {
          assert.equal(st.balance, byAccount.get(acct) ?? 0n);
          assert.equal(st.score, st.balance);
        }
      }),
      { numRuns: 150 },
    );
  });
});
