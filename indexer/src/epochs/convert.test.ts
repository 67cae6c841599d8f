import assert from "node:assert/strict";
import { Keypair, PublicKey } from "@solana/web3.js";
import fc from "fast-check";
import { type Conversion, convert, type EpochPoints, parseConversion } from "./convert.js";

const wallets = Array.from({ length: 12 }, () => Keypair.generate().publicKey.toBase58());
const rowsArb = fc
  .uniqueArray(
    fc.record({
      w: fc.integer({ min: 0, max: wallets.length - 1 }),
      points: fc.bigInt({ min: -5_000n, max: 10n ** 12n }),
      pending: fc.bigInt({ min: 0n, max: 50n }),
    }),
    {
      selector: (r) => r.w,
      maxLength: wallets.length,
    },
  )
  .map((rs) => rs.map((r): EpochPoints => ({ claimant: wallets[r.w]!, points: r.points, pending: r.pending })));

const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);

describe("epochs/convert: points to token amounts", () => {
  it("given budget mode and any points, then the amounts add up to the budget exactly, each within one unit of its exact share", () => {
    fc.assert(
      fc.property(rowsArb, fc.bigInt({ min: 0n, max: 10n ** 15n }), (rows, budget) => {
        const out = convert(rows, { mode: "budget", budgetPerEpoch: budget, minClaimable: 0n });
        const positive = rows.filter((r) => r.points > 0n);
        const total = sum(positive.map((r) => r.points));
        assert.equal(sum(out.map((o) => o.allocated)), total === 0n ? 0n : budget);
        for (const o of out) {
          if (o.points <= 0n) assert.equal(o.allocated, 0n);
          else {
            const floor = (budget * o.points) / total;
            assert.ok(o.allocated === floor || o.allocated === floor + 1n, `${o.allocated} vs ${floor}`);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("given totals below and above 2^53 (remainders as doubles or as bigints), then the units go as a plain largest-remainder sort gives them", () => {
    const many = Array.from({ length: 40 }, () => Keypair.generate().publicKey);
    const reference = (rows: EpochPoints[], budget: bigint): bigint[] => {
      const total = sum(rows.filter((r) => r.points > 0n).map((r) => r.points));
      const out = rows.map((r) => (r.points > 0n && total > 0n ? (budget * r.points) / total : 0n));
      let left = total === 0n ? 0n : budget - sum(out);
      const rem = (i: number) => (budget * rows[i]!.points) % total;
      const byKey = (i: number) => new PublicKey(rows[i]!.claimant).toBuffer();
      const ranked = rows.map((_, i) => i).filter((i) => rows[i]!.points > 0n);
      ranked.sort((a, b) => (rem(a) > rem(b) ? -1 : rem(a) < rem(b) ? 1 : Buffer.compare(byKey(a), byKey(b))));
      for (const i of ranked) if (left-- > 0n) out[i]! += 1n;
      return out;
    };
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.bigInt({ min: -10n, max: 7n }), fc.bigInt({ min: 0n, max: 10n ** 17n })), {
          minLength: 1,
          maxLength: many.length,
        }),
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        (points, budget) => {
          const rows = points.map((p, i): EpochPoints => ({ claimant: many[i]!.toBase58(), points: p, pending: 0n }));
          const got = convert(rows, { mode: "budget", budgetPerEpoch: budget, minClaimable: 0n }).map((o) => o.allocated);
          assert.deepEqual(got, reference(rows, budget));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("given the same points in another order, then every wallet gets the same amount (ties go to the smaller claimant bytes)", () => {
    fc.assert(
      fc.property(rowsArb, fc.bigInt({ min: 1n, max: 1000n }), (rows, budget) => {
        const a = new Map(
          convert(rows, { mode: "budget", budgetPerEpoch: budget, minClaimable: 0n }).map((o) => [o.claimant, o.allocated]),
        );
        const b = new Map(
          convert([...rows].reverse(), { mode: "budget", budgetPerEpoch: budget, minClaimable: 0n }).map((o) => [o.claimant, o.allocated]),
        );
        assert.deepEqual(a, b);
      }),
      { numRuns: 200 },
    );
    // three equal shares of 2 units: the two smallest claimants by bytes (not by base58 text) get them
    const three = wallets.slice(0, 3);
    const byBytes = [...three].sort((p, q) => Buffer.compare(new PublicKey(p).toBuffer(), new PublicKey(q).toBuffer()));
    const out = convert(
      three.map((w) => ({ claimant: w, points: 1000n, pending: 0n })),
      { mode: "budget", budgetPerEpoch: 2n, minClaimable: 0n },
    );
    assert.deepEqual(
      out
        .filter((o) => o.allocated === 1n)
        .map((o) => o.claimant)
        .sort(),
      byBytes.slice(0, 2).sort(),
    );
  });

  it("given a minimum, then dust is carried, never lost: released + carried = carried before + allocated", () => {
    fc.assert(
      fc.property(rowsArb, fc.bigInt({ min: 0n, max: 10_000n }), fc.bigInt({ min: 1n, max: 100n }), (rows, min, rate) => {
        for (const c of [
          { mode: "budget", budgetPerEpoch: 12_345n, minClaimable: min },
          { mode: "fixed", unitsPerPoint: rate, rounding: "floor", minClaimable: min },
        ] satisfies Conversion[]) {
          for (const o of convert(rows, c)) {
            const before = rows.find((r) => r.claimant === o.claimant)!.pending;
            assert.equal(o.released + o.pending, before + o.allocated);
            assert.ok(o.released === 0n || o.released >= min);
            assert.ok(o.released >= 0n);
            if (o.released === 0n) assert.ok(o.pending < min || o.pending <= 0n);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("given fixed mode, then whole points pay unitsPerPoint and the fraction follows the rounding policy", () => {
    const w = wallets[0]!;
    const one = (points: bigint, rounding: "floor" | "half_up") =>
      convert([{ claimant: w, points, pending: 0n }], { mode: "fixed", unitsPerPoint: 10n, rounding, minClaimable: 0n })[0]!;
    assert.equal(one(2_000n, "floor").allocated, 20n);
    assert.equal(one(2_049n, "floor").allocated, 20n);
    assert.equal(one(2_050n, "floor").allocated, 20n);
    assert.equal(one(2_050n, "half_up").allocated, 21n);
    assert.equal(one(2_049n, "half_up").allocated, 20n);
    // a negative epoch (a correction) is a debt carried, never a negative leaf
    const neg = one(-1_001n, "floor");
    assert.deepEqual([neg.allocated, neg.released, neg.pending], [-11n, 0n, -11n]);
  });

  it("given a bad config, then it names the field", () => {
    assert.throws(() => parseConversion({ mode: "fixed" }), /conversion.unitsPerPoint is required/);
    assert.throws(() => parseConversion({ mode: "budget", budgetPerEpoch: "1.5" }), /conversion.budgetPerEpoch must be a whole number/);
    assert.throws(() => parseConversion({ mode: "fixed", unitsPerPoint: "1", rounding: "up" }), /conversion.rounding/);
    assert.throws(() => parseConversion({ mode: "linear" }), /conversion.mode must be "fixed" or "budget"/);
    assert.deepEqual(parseConversion({ mode: "budget", budgetPerEpoch: "1000", minClaimable: 5 }), {
      mode: "budget",
      budgetPerEpoch: 1000n,
      minClaimable: 5n,
    });
  });
});
