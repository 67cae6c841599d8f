import assert from "node:assert/strict";
import { conditionsHold, evaluateRules, sortRules, type RuleContext } from "./point-rules.js";
import { parseRuleSetBody } from "../../rules/schema.js";

const ctx: RuleContext = {
  merchant: "SHOP",
  mint: "USDC",
  volume: 5_000_000n,
  memo: "class:gold/api",
  settlementCount: 1n,
  referralCount: 2,
  score: 7000n,
};

describe("point rule conditions", () => {
  const cases: [string, object, boolean][] = [
    ["merchant listed", { merchants: ["SHOP"] }, true],
    ["merchant not listed", { merchants: ["OTHER"] }, false],
    ["mint listed", { mints: ["USDC"] }, true],
    ["mint not listed", { mints: ["BONK"] }, false],
    ["amount inside range", { minVolume: 5_000_000, maxVolume: 5_000_000 }, true],
    ["amount under range", { minVolume: 5_000_001 }, false],
    ["amount over range", { maxVolume: 4_999_999 }, false],
    ["memo pattern", { memo: "class:gold*" }, true],
    ["memo pattern miss", { memo: "class:silver*" }, false],
    ["first settlement", { firstSettlement: true }, true],
    ["not first settlement", { firstSettlement: false }, false],
    ["nth settlement hit", { nthSettlement: 1 }, true],
    ["nth settlement miss", { nthSettlement: 2 }, false],
    ["referral count equals", { referralCount: { op: "eq", n: 2 } }, true],
    ["referral count equals miss", { referralCount: { op: "eq", n: 3 } }, false],
    ["referral count at least", { referralCount: { op: "gte", n: 2 } }, true],
    ["referral count at least miss", { referralCount: { op: "gte", n: 3 } }, false],
    ["score at least", { minScore: 7000 }, true],
    ["score at least miss", { minScore: 7001 }, false],
    ["all together", { merchants: ["SHOP"], memo: "*gold*", minScore: 1, referralCount: { op: "gte", n: 1 } }, true],
  ];
  for (const [name, when, expected] of cases) {
    it(`given ${name}, then the condition ${expected ? "holds" : "fails"}`, () => {
      const body = parseRuleSetBody({ rules: [{ id: "r", priority: 1, when, award: { kind: "flat", points: 1 } }] });
      assert.equal(conditionsHold(body.rules[0]!.when, ctx), expected);
    });
  }

  it("given no memo on the settlement, then a memo pattern never matches, not even *", () => {
    const body = parseRuleSetBody({ rules: [{ id: "r", priority: 1, when: { memo: "*" }, award: { kind: "flat", points: 1 } }] });
    assert.equal(conditionsHold(body.rules[0]!.when, { ...ctx, memo: null }), false);
  });
});

describe("point rule awards", () => {
  const body = parseRuleSetBody({
    rules: [
      { id: "bonus-any", priority: 50, award: { kind: "flat", points: 100 } },
      { id: "class-silver", priority: 20, when: { memo: "class:silver*" }, award: { kind: "flat", points: 3000 }, stop: true },
      { id: "class-gold", priority: 10, when: { memo: "class:gold*" }, award: { kind: "flat", points: 5000 }, stop: true },
      { id: "per-volume", priority: 5, award: { kind: "perVolume", pointsPerUnit: 333, rounding: "nearest" } },
    ],
  });
  const sorted = sortRules(body.rules);

  it("given tiered service classes, then the first matching class wins and stops lower priorities", () => {
    assert.deepEqual(evaluateRules(sorted, ctx, 10000, "floor"), [
      { ruleId: "per-volume", points: 1665n },
      { ruleId: "class-gold", points: 5000n },
    ]);
  });

  it("given no class matches, then evaluation runs through to the catch-all", () => {
    assert.deepEqual(
      evaluateRules(sorted, { ...ctx, memo: "x" }, 10000, "floor").map((a) => a.ruleId),
      ["per-volume", "bonus-any"],
    );
  });

  it("given a tier multiplier, then it applies to every award", () => {
    assert.deepEqual(
      evaluateRules(sorted, ctx, 15000, "floor").map((a) => a.points),
      [2497n, 7500n],
    );
  });
});
