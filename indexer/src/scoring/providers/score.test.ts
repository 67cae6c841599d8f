import assert from "node:assert/strict";
import { providerSide } from "../../rules/schema.js";
import { sortRules } from "../points/point-rules.js";
import { scoreProvider } from "./score.js";
import { ProviderState } from "./state.js";

const T0 = Date.parse("2026-06-01T10:00:00Z");
const input = (volume: bigint, payerOwn = 0n, seconds = 0) => ({
  account: "SHOP",
  merchant: "SHOP",
  mint: "USDC",
  volume,
  memo: null,
  time: new Date(T0 + seconds * 1000),
  payerOwn,
});

describe("provider scoring", () => {
  it("given an earn rate of 0.5 point per unit, then the provider earns it and the payer its 10% share of it", () => {
    const side = providerSide.parse({ earn: [{ scope: { kind: "global" }, pointsPerUnit: 500 }], payerShareBps: 1000 });
    const ps = new ProviderState();
    const r = scoreProvider(ps, side, [], input(4_000_000n));
    assert.deepEqual(r.awards, [{ ruleId: "provider:earn", points: 2000n }]);
    assert.equal(r.payerShare, 200n);
    assert.deepEqual([ps.stats.get("SHOP")!.score, ps.stats.get("SHOP")!.settlementCount], [2000n, 1n]);
  });

  it("given tiers on served volume, then the provider's multiplier rises once its window reaches the level", () => {
    const side = providerSide.parse({
      earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
      tiers: {
        windowDays: 30,
        levels: [
          { name: "base", minVolume: 0, multiplierBps: 10000 },
          { name: "pro", minVolume: 10_000_000, multiplierBps: 15000 },
        ],
      },
    });
    const ps = new ProviderState();
    assert.equal(scoreProvider(ps, side, [], input(6_000_000n)).tier, "base");
    const second = scoreProvider(ps, side, [], input(6_000_000n, 0n, 10));
    assert.deepEqual([second.tier, second.awards[0]!.points], ["pro", 9000n]);
  });

  it("given a provider rule and a share of the payer's points, then rules carry provider: ids and the share is not shared back", () => {
    const side = providerSide.parse({
      rules: [{ id: "first-sale", priority: 1, when: { firstSettlement: true }, award: { kind: "flat", points: 5000 } }],
      shareOfPayerBps: 2000,
      payerShareBps: 5000,
    });
    const ps = new ProviderState();
    const r = scoreProvider(ps, side, sortRules(side.rules), input(1_000_000n, 3000n));
    assert.deepEqual(r.awards, [
      { ruleId: "provider:first-sale", points: 5000n },
      { ruleId: "provider:share", points: 600n },
    ]);
    assert.equal(r.payerShare, 2500n, "half of the provider's own 5000, not of its share of the payer's");
    assert.deepEqual(scoreProvider(ps, side, sortRules(side.rules), input(1_000_000n)).awards, [], "first sale only once");
  });

  it("given a settlement under the provider's minimum, then it earns nothing as a provider but still counts as served", () => {
    const side = providerSide.parse({ earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000, minVolume: 2_000_000 }] });
    const ps = new ProviderState();
    assert.deepEqual(scoreProvider(ps, side, [], input(1_000_000n)).awards, []);
    assert.equal(ps.stats.get("SHOP")!.volumeTotal, 1_000_000n);
  });
});
