import assert from "node:assert/strict";
import fc from "fast-check";
import { splitReferral } from "./split.js";
import type { ReferralModel } from "../../rules/schema.js";

const diminishing: ReferralModel = { model: "diminishing", poolBps: 10000, userShareBps: 5000, levelShareBps: 8000, levels: 3 };

describe("referral splits", () => {
  it("given the issue's example (10 points, user 50%, 80% per level, three referrers), then it pays 5, 4, 0.8 and 0.2", () => {
    assert.deepEqual(splitReferral(diminishing, 10_000n, 3), { user: 5000n, levels: [4000n, 800n, 200n] });
  });

  it("given a chain shorter than the levels, then the last referrer present takes the remainder", () => {
    assert.deepEqual(splitReferral(diminishing, 10_000n, 1), { user: 5000n, levels: [5000n] });
    assert.deepEqual(splitReferral(diminishing, 10_000n, 2), { user: 5000n, levels: [4000n, 1000n] });
  });

  it("given no referrer, then nobody is paid, not even the user's share", () => {
    assert.deepEqual(splitReferral(diminishing, 10_000n, 0), { user: 0n, levels: [] });
  });

  it("given fixed 20% / 10% / 5%, then each level gets its rate of the referee's points", () => {
    assert.deepEqual(splitReferral({ model: "fixed", levels: [2000, 1000, 500] }, 10_000n, 3), { user: 0n, levels: [2000n, 1000n, 500n] });
  });

  it("given fixed rates whose floors lose a unit, then the last level gets what flooring lost", () => {
    // 7 x 33.33% floors to 2 per level and 7 x 99.99% to 6: nothing lost; 5 x 15% floors to 0 twice while 5 x 30% is 1
    const r = splitReferral({ model: "fixed", levels: [3333, 3333, 3333] }, 7n, 3);
    assert.deepEqual(r.levels, [2n, 2n, 2n]);
    const s = splitReferral({ model: "fixed", levels: [1500, 1500] }, 5n, 2);
    assert.deepEqual(s.levels, [0n, 1n]);
  });

  it("given more referrers than fixed levels, then only the configured levels are paid", () => {
    assert.equal(splitReferral({ model: "fixed", levels: [2000] }, 10_000n, 3).levels.length, 1);
  });

  it("for any points and rates, the diminishing parts sum to the pool and are never negative", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.integer({ min: 0, max: 10000 }),
        fc.integer({ min: 0, max: 10000 }),
        fc.integer({ min: 0, max: 10000 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        (points, poolBps, userShareBps, levelShareBps, levels, referrers) => {
          const r = splitReferral({ model: "diminishing", poolBps, userShareBps, levelShareBps, levels }, points, referrers);
          const pool = (points * BigInt(poolBps)) / 10000n;
          const total = r.user + r.levels.reduce((a, b) => a + b, 0n);
          assert.ok([r.user, ...r.levels].every((x) => x >= 0n));
          assert.equal(total, Math.min(levels, referrers) === 0 || points === 0n ? 0n : pool);
        },
      ),
    );
  });

  it("for any points and fixed rates, the parts sum to the summed rate applied once", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (points, levels, referrers) => {
          const r = splitReferral({ model: "fixed", levels }, points, referrers);
          const paid = levels.slice(0, Math.min(referrers, levels.length));
          const whole = (points * BigInt(paid.reduce((a, b) => a + b, 0))) / 10000n;
          assert.equal(
            r.levels.reduce((a, b) => a + b, 0n),
            whole,
          );
          assert.ok(r.levels.every((x) => x >= 0n));
        },
      ),
    );
  });
});
