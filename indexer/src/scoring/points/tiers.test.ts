import assert from "node:assert/strict";
import fc from "fast-check";
import { pickTier, rollingVolume } from "./tiers.js";
import { ruleSetBody } from "../../rules/schema.js";

const tiersOf = (levels: { name: string; minVolume: number; multiplierBps: number }[], windowDays = 30) =>
  ruleSetBody.parse({ tiers: { windowDays, levels } }).tiers!;
const UNIT = 1_000_000n;

describe("tiers: rolling volume", () => {
  // day 100 is "today"; the window of 30 days is days 71..100
  const days = new Map<number, bigint>([
    [69, 1n],
    [70, 2n],
    [71, 4n],
    [85, 8n],
    [100, 16n],
    [101, 32n],
  ]);

  it("given day buckets around a 30-day window, when today is day 100, then days 71..100 count and day 70 (30 days ago) does not", () => {
    assert.equal(rollingVolume(days, 100, 30), 4n + 8n + 16n);
  });

  it("given a 1-day window, when today is day 100, then only today's volume counts", () => {
    assert.equal(rollingVolume(days, 100, 1), 16n);
  });

  it("given a bucket after today, when the window is computed, then the future bucket is not counted", () => {
    assert.equal(rollingVolume(days, 85, 90), 1n + 2n + 4n + 8n);
  });

  it("given no buckets, when the window is computed, then the volume is 0", () => {
    assert.equal(rollingVolume(undefined, 100, 30), 0n);
    assert.equal(rollingVolume(new Map(), 100, 30), 0n);
  });

  it("for any buckets, the rolling volume equals the sum over days day-window+1..day and never shrinks as the window grows", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.bigInt({ min: 0n, max: 10n ** 12n }))),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 89 }),
        (entries, day, w) => {
          const m = new Map(entries);
          let expected = 0n;
          for (let d = day - w + 1; d <= day; d++) expected += m.get(d) ?? 0n;
          assert.equal(rollingVolume(m, day, w), expected);
          assert.ok(rollingVolume(m, day, w + 1) >= expected);
        },
      ),
    );
  });
});

describe("tiers: which level applies", () => {
  const tiers = tiersOf([
    { name: "bronze", minVolume: 0, multiplierBps: 10000 },
    { name: "silver", minVolume: 100_000_000, multiplierBps: 12000 },
    { name: "gold", minVolume: 500_000_000, multiplierBps: 15000 },
  ]);

  it("given no tiers configured, when any volume is rolled, then there is no tier and the multiplier is 1x", () => {
    assert.deepEqual(pickTier(undefined, 10n ** 12n), { name: null, multiplierBps: 10000 });
  });

  it("given bronze/silver/gold, when the rolling volume is 95 units, then bronze 1x applies", () => {
    assert.deepEqual(pickTier(tiers, 95n * UNIT), { name: "bronze", multiplierBps: 10000 });
  });

  it("given silver from 100 units, when the rolling volume is exactly 100 units, then silver 1.2x applies (the minimum is inclusive)", () => {
    assert.deepEqual(pickTier(tiers, 100n * UNIT), { name: "silver", multiplierBps: 12000 });
    assert.deepEqual(pickTier(tiers, 100n * UNIT - 1n), { name: "bronze", multiplierBps: 10000 });
  });

  it("given the worked example's 107.5 units, when the tier is picked, then it is silver", () => {
    assert.equal(pickTier(tiers, 107_500_000n).name, "silver");
  });

  it("given a volume above every minimum, when the tier is picked, then the highest level reached applies", () => {
    assert.deepEqual(pickTier(tiers, 10n ** 15n), { name: "gold", multiplierBps: 15000 });
  });

  it("given a lowest level with a minimum above 0, when the volume is under it, then there is no tier and 1x", () => {
    const t = tiersOf([{ name: "silver", minVolume: 100_000_000, multiplierBps: 12000 }]);
    assert.deepEqual(pickTier(t, 99_999_999n), { name: null, multiplierBps: 10000 });
  });

  it("given a level with a multiplier below 1x, when it is reached, then its multiplier applies as configured", () => {
    const t = tiersOf([{ name: "probation", minVolume: 0, multiplierBps: 5000 }]);
    assert.deepEqual(pickTier(t, 0n), { name: "probation", multiplierBps: 5000 });
  });

  it("for any volume, the picked level is the last whose minimum is reached", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 10n }), (v) => {
        const reached = tiers.levels.filter((l) => v >= l.minVolume);
        assert.equal(pickTier(tiers, v).name, reached.at(-1)?.name ?? null);
      }),
    );
  });
});
