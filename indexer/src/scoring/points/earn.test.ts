import assert from "node:assert/strict";
import fc from "fast-check";
import { basePoints, resolveEarnConfig } from "./earn.js";
import { ruleSetBody, type EarnConfig, type RuleSetInput } from "../../rules/schema.js";

// Rule sets are parsed with the zod schema itself (rules/schema.ts imports only zod), so these
// tests load nothing from db/, engine/ or rules/rule-sets.ts.
const bodyOf = (earn: RuleSetInput["earn"]) => ruleSetBody.parse({ earn });
const configOf = (c: Omit<NonNullable<RuleSetInput["earn"]>[number], "scope">): EarnConfig =>
  bodyOf([{ scope: { kind: "global" }, ...c }]).earn[0]!;

describe("earn: which config applies", () => {
  // listed least specific first, so the order of the document cannot be what makes the choice
  const body = bodyOf([
    { scope: { kind: "global" }, pointsPerUnit: 1 },
    { scope: { kind: "mint", mint: "BONK" }, pointsPerUnit: 2 },
    { scope: { kind: "merchant", merchant: "SHOP" }, pointsPerUnit: 3 },
    { scope: { kind: "global" }, pointsPerUnit: 4 },
    { scope: { kind: "mint", mint: "BONK" }, pointsPerUnit: 5 },
    { scope: { kind: "merchant", merchant: "SHOP" }, pointsPerUnit: 6 },
  ]);

  it("given a merchant, a mint and a global config, when the settlement pays that merchant in that mint, then the merchant config wins", () => {
    assert.equal(resolveEarnConfig(body, "SHOP", "BONK")!.pointsPerUnit, 3n);
  });

  it("given no config for the merchant, when the settlement is in a configured mint, then the mint config wins over global", () => {
    assert.equal(resolveEarnConfig(body, "OTHER", "BONK")!.pointsPerUnit, 2n);
  });

  it("given neither merchant nor mint configured, when a settlement comes, then the global config applies", () => {
    assert.equal(resolveEarnConfig(body, "OTHER", "USDC")!.pointsPerUnit, 1n);
  });

  it("given two configs of the same scope, when both match, then the first listed wins", () => {
    assert.deepEqual(
      [resolveEarnConfig(body, "SHOP", "X"), resolveEarnConfig(body, "X", "BONK"), resolveEarnConfig(body, "X", "X")].map(
        (c) => c!.pointsPerUnit,
      ),
      [3n, 2n, 1n],
    );
  });

  it("given a merchant config listed after the mint config, when both match, then the merchant config still wins", () => {
    const b = bodyOf([
      { scope: { kind: "mint", mint: "BONK" }, pointsPerUnit: 2 },
      { scope: { kind: "merchant", merchant: "SHOP" }, pointsPerUnit: 3 },
    ]);
    assert.equal(resolveEarnConfig(b, "SHOP", "BONK")!.pointsPerUnit, 3n);
  });

  it("given only merchant and mint configs, when a settlement matches neither, then there is no config", () => {
    const b = bodyOf([
      { scope: { kind: "mint", mint: "BONK" }, pointsPerUnit: 2 },
      { scope: { kind: "merchant", merchant: "SHOP" }, pointsPerUnit: 3 },
    ]);
    assert.equal(resolveEarnConfig(b, "OTHER", "USDC"), undefined);
    assert.equal(resolveEarnConfig(bodyOf([]), "SHOP", "USDC"), undefined);
  });

  it("given a merchant config, when the settlement's mint is named like the merchant, then scopes are not confused", () => {
    const b = bodyOf([{ scope: { kind: "merchant", merchant: "SAME" }, pointsPerUnit: 3 }]);
    assert.equal(resolveEarnConfig(b, "OTHER", "SAME"), undefined);
  });
});

describe("earn: base points", () => {
  it("given 1000 millipoints per unit, when 12.5 units are paid, then base is 12,500 (the worked example)", () => {
    assert.equal(basePoints(configOf({ pointsPerUnit: 1000 }), 12_500_000n), 12_500n);
  });

  it("given a 1.5x config multiplier, when 12.5 units are paid, then base is 18,750", () => {
    assert.equal(basePoints(configOf({ pointsPerUnit: 1000, multiplierBps: 15000 }), 12_500_000n), 18_750n);
  });

  it("given 3 millipoints per unit at 2x, when half a unit is paid, then it rounds once (3), not per step (floor(1.5) x 2 = 2)", () => {
    assert.equal(basePoints(configOf({ pointsPerUnit: 3, multiplierBps: 20000 }), 500_000n), 3n);
  });

  it("given each rounding policy, when the exact result is 0.5 millipoints, then floor gives 0, nearest 1 (halves up), ceil 1", () => {
    const got = (["floor", "nearest", "ceil"] as const).map((rounding) => basePoints(configOf({ pointsPerUnit: 1000, rounding }), 500n));
    assert.deepEqual(got, [0n, 1n, 1n]);
  });

  it("given each rounding policy, when the exact result is 0.499 millipoints, then floor 0, nearest 0, ceil 1", () => {
    const got = (["floor", "nearest", "ceil"] as const).map((rounding) => basePoints(configOf({ pointsPerUnit: 1000, rounding }), 499n));
    assert.deepEqual(got, [0n, 0n, 1n]);
  });

  it("given a 0x multiplier or 0 points per unit, when anything is paid, then base is 0", () => {
    assert.equal(basePoints(configOf({ pointsPerUnit: 1000, multiplierBps: 0, rounding: "ceil" }), 12_500_000n), 0n);
    assert.equal(basePoints(configOf({ pointsPerUnit: 0, rounding: "ceil" }), 12_500_000n), 0n);
  });

  it("for any volume, rate and multiplier: base is never negative, floor <= nearest <= ceil <= floor + 1, and floor is the exact quotient", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (volume, pointsPerUnit, multiplierBps) => {
          const [floor, nearest, ceil] = (["floor", "nearest", "ceil"] as const).map((rounding) =>
            basePoints(configOf({ pointsPerUnit, multiplierBps, rounding }), volume),
          ) as [bigint, bigint, bigint];
          assert.ok(floor >= 0n);
          assert.ok(floor <= nearest && nearest <= ceil && ceil <= floor + 1n);
          assert.equal(floor, (volume * pointsPerUnit * BigInt(multiplierBps)) / 10_000_000_000n);
        },
      ),
    );
  });

  it("for any two volumes, paying more never earns less", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.constantFrom("floor", "nearest", "ceil"),
        (a, b, rounding) => {
          const c = configOf({ pointsPerUnit: 777, multiplierBps: 13333, rounding });
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          assert.ok(basePoints(c, lo) <= basePoints(c, hi));
        },
      ),
    );
  });
});
