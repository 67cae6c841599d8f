import assert from "node:assert/strict";
import { applyBps, dayOf, roundDiv, toVolume } from "./math.js";
import { basePoints, resolveEarnConfig } from "./earn.js";
import { pickTier, rollingVolume } from "./tiers.js";
import { globMatch } from "./glob.js";
import { parseRuleSetBody } from "../../rules/schema.js";

describe("points arithmetic", () => {
  it("rounds by policy: floor, nearest (halves up), ceil", () => {
    assert.deepEqual(
      ["floor", "nearest", "ceil"].map((m) => roundDiv(7n, 2n, m as "floor")),
      [3n, 4n, 4n],
    );
    assert.deepEqual(
      ["floor", "nearest", "ceil"].map((m) => roundDiv(7n, 3n, m as "floor")),
      [2n, 2n, 3n],
    );
    assert.deepEqual(
      ["floor", "nearest", "ceil"].map((m) => roundDiv(9n, 3n, m as "floor")),
      [3n, 3n, 3n],
    );
    assert.equal(applyBps(1001n, 15000, "floor"), 1501n);
    assert.equal(applyBps(1001n, 12500, "nearest"), 1251n);
  });

  it("normalises amounts of any decimals to micro-units of volume", () => {
    assert.equal(toVolume(1_500_000n, 6), 1_500_000n);
    assert.equal(toVolume(1_500_000_000n, 9), 1_500_000n);
    assert.equal(toVolume(1_999n, 9), 1n);
    assert.equal(toVolume(15n, 1), 1_500_000n);
  });

  it("buckets time by UTC day", () => {
    assert.equal(dayOf(new Date("1970-01-02T00:00:00Z")), 1);
    assert.equal(dayOf(new Date("2026-11-22T23:59:59.999Z")), dayOf(new Date("2026-11-22T00:00:00Z")));
  });

  it("picks the earn config by scope: merchant over mint over global, and rounds once", () => {
    const body = parseRuleSetBody({
      earn: [
        { scope: { kind: "global" }, pointsPerUnit: 1000 },
        { scope: { kind: "mint", mint: "MINT" }, pointsPerUnit: 2000 },
        { scope: { kind: "merchant", merchant: "SHOP" }, pointsPerUnit: 3000, multiplierBps: 15000, rounding: "ceil" },
      ],
    });
    assert.equal(resolveEarnConfig(body, "SHOP", "MINT")!.pointsPerUnit, 3000n);
    assert.equal(resolveEarnConfig(body, "OTHER", "MINT")!.pointsPerUnit, 2000n);
    assert.equal(resolveEarnConfig(body, "OTHER", "X")!.pointsPerUnit, 1000n);
    // 0.333333 units x 3 points x 1.5 = 1.4999985 points -> ceil in millipoints = 1500
    assert.equal(basePoints(resolveEarnConfig(body, "SHOP", "MINT")!, 333_333n), 1500n);
    assert.equal(basePoints(resolveEarnConfig(body, "OTHER", "X")!, 333_333n), 333n);
  });

  it("sums the rolling window inclusive of today and picks the highest tier reached", () => {
    const days = new Map([
      [10, 5n],
      [11, 7n],
      [20, 100n],
    ]);
    assert.equal(rollingVolume(days, 11, 2), 12n);
    assert.equal(rollingVolume(days, 12, 2), 7n);
    assert.equal(rollingVolume(days, 20, 10), 107n);
    assert.equal(rollingVolume(days, 20, 9), 100n);
    const tiers = {
      windowDays: 30,
      levels: [
        { name: "bronze", minVolume: 0n, multiplierBps: 10000 },
        { name: "gold", minVolume: 10n, multiplierBps: 12000 },
      ],
    };
    assert.deepEqual(pickTier(tiers, 9n), { name: "bronze", multiplierBps: 10000 });
    assert.deepEqual(pickTier(tiers, 10n), { name: "gold", multiplierBps: 12000 });
  });

  it("matches memo globs literally apart from * and ?", () => {
    assert.ok(globMatch("class:gold*", "class:gold/api"));
    assert.ok(globMatch("a?c", "abc"));
    assert.ok(!globMatch("a.c", "abc"));
    assert.ok(!globMatch("class:gold", "class:golden"));
  });

  it("refuses rule sets that are inconsistent", () => {
    assert.throws(
      () =>
        parseRuleSetBody({
          rules: [
            { id: "a", priority: 1, award: { kind: "flat", points: 1 } },
            { id: "a", priority: 2, award: { kind: "flat", points: 1 } },
          ],
        }),
      /duplicate rule id a/,
    );
    assert.throws(
      () =>
        parseRuleSetBody({
          tiers: {
            windowDays: 30,
            levels: [
              { name: "b", minVolume: 10, multiplierBps: 1 },
              { name: "a", minVolume: 5, multiplierBps: 1 },
            ],
          },
        }),
      /ascend/,
    );
    assert.throws(() => parseRuleSetBody({ earn: [{ scope: { kind: "global" }, pointsPerUnit: -1 }] }), /bad_rule_set|invalid rule set/);
  });
});
