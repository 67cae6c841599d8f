import assert from "node:assert/strict";
import { parseRuleSetBody } from "./schema.js";

const campaign = { id: "c", type: "flat", points: 1, budget: 10, startsAt: "2026-06-01T00:00:00Z", endsAt: "2026-07-01T00:00:00Z" };

describe("rule set schema: unknown keys", () => {
  const cases: [string, object, string][] = [
    ["a misspelled part", { campains: [] }, "campains"],
    ["a misspelled earn field", { earn: [{ scope: { kind: "global" }, pointsPerUnit: 1, multiplerBps: 2 }] }, "earn.0.multiplerBps"],
    [
      "a key inside an earn scope",
      { earn: [{ scope: { kind: "merchant", merchant: "S", mint: "M" }, pointsPerUnit: 1 }] },
      "earn.0.scope.mint",
    ],
    [
      "a misspelled condition",
      { rules: [{ id: "r", priority: 1, when: { memmo: "x*" }, award: { kind: "flat", points: 1 } }] },
      "rules.0.when.memmo",
    ],
    [
      "a key inside an award",
      { rules: [{ id: "r", priority: 1, award: { kind: "flat", points: 1, rounding: "ceil" } }] },
      "rules.0.award.rounding",
    ],
    [
      "a key inside referralCount",
      { rules: [{ id: "r", priority: 1, when: { referralCount: { op: "eq", n: 1, m: 2 } }, award: { kind: "flat", points: 1 } }] },
      "rules.0.when.referralCount.m",
    ],
    [
      "a key inside a tier level",
      { tiers: { windowDays: 1, levels: [{ name: "a", minVolume: 0, multiplierBps: 1, color: "red" }] } },
      "tiers.levels.0.color",
    ],
    ["a key of tiers", { tiers: { windowDays: 1, window: 2, levels: [{ name: "a", minVolume: 0, multiplierBps: 1 }] } }, "tiers.window"],
    ["a key of a campaign", { campaigns: [{ ...campaign, budgett: 1 }] }, "campaigns.0.budgett"],
    ["a key of a campaign scope", { campaigns: [{ ...campaign, scope: { merchant: ["S"] } }] }, "campaigns.0.scope.merchant"],
    ["a key of perWallet", { campaigns: [{ ...campaign, perWallet: { maxCont: 1 } }] }, "campaigns.0.perWallet.maxCont"],
    ["a key of the referral model", { referral: { model: "fixed", levels: [1], userShareBps: 5 } }, "referral.userShareBps"],
  ];
  for (const [name, body, path] of cases) {
    it(`given ${name}, then the error names ${path}`, () => {
      assert.throws(
        () => parseRuleSetBody(body),
        (err: Error) => {
          assert.match(err.message, new RegExp(`${path.replace(/\./g, "\\.")}: unknown key`));
          return true;
        },
      );
    });
  }

  it("given only known keys, then the body parses with its defaults", () => {
    const body = parseRuleSetBody({ earn: [{ scope: { kind: "global" }, pointsPerUnit: 1 }], campaigns: [campaign] });
    assert.equal(body.campaigns[0]!.perWallet.maxCount, undefined);
    assert.deepEqual(body.referral, { model: "none" });
  });
});
