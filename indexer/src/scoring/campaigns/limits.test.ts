import assert from "node:assert/strict";
import { ScoringState } from "../state.js";
import { parseRuleSetBody } from "../../rules/schema.js";
import { evaluateCampaigns, stackCampaigns, type CampaignContext } from "./evaluate.js";
import { grant } from "./limits.js";

const window = { startsAt: "2026-01-01T00:00:00Z", endsAt: "2027-01-01T00:00:00Z" };
const campaignOf = (c: object) =>
  parseRuleSetBody({ campaigns: [{ id: "c", type: "flat", points: 1000, budget: 10_000, ...window, ...c }] }).campaigns[0]!;
const t0 = new Date("2026-06-01T00:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe("campaign limits", () => {
  it("given a budget of 2500 and awards of 1000, then the third award gets exactly the remaining 500 and later ones nothing", () => {
    const state = new ScoringState();
    const c = campaignOf({ budget: 2500 });
    assert.deepEqual(
      ["a", "b", "c", "d"].map((acct, i) => grant(state, c, acct, 1000n, at(i))),
      [1000n, 1000n, 500n, 0n],
    );
    assert.equal(state.campaigns.get("c")!.spent, 2500n);
  });

  it("given a per-wallet count of 2, then the third award to the same wallet is refused", () => {
    const state = new ScoringState();
    const c = campaignOf({ perWallet: { maxCount: 2 } });
    assert.deepEqual(
      [0, 1, 2].map((i) => grant(state, c, "a", 1000n, at(i))),
      [1000n, 1000n, 0n],
    );
    assert.equal(grant(state, c, "b", 1000n, at(3)), 1000n);
  });

  it("given per-wallet points of 1500, then the wallet's second award is cut to 500", () => {
    const state = new ScoringState();
    const c = campaignOf({ perWallet: { maxPoints: 1500 } });
    assert.deepEqual(
      [0, 1, 2].map((i) => grant(state, c, "a", 1000n, at(i))),
      [1000n, 500n, 0n],
    );
  });

  it("given a cooldown of 60 s, then an award 59 s later is refused and one 60 s later is paid", () => {
    const state = new ScoringState();
    const c = campaignOf({ perWallet: { cooldownSeconds: 60 } });
    assert.deepEqual(
      [0, 59, 60, 61].map((s) => grant(state, c, "a", 1000n, at(s))),
      [1000n, 0n, 1000n, 0n],
    );
  });

  it("given at most 2 participants, then a third wallet gets nothing while the first two keep earning", () => {
    const state = new ScoringState();
    const c = campaignOf({ maxParticipants: 2 });
    assert.deepEqual(
      ["a", "b", "c", "a"].map((acct, i) => grant(state, c, acct, 1000n, at(i))),
      [1000n, 1000n, 0n, 1000n],
    );
    assert.equal(state.campaigns.get("c")!.participants, 2);
  });
});

describe("campaign types and stacking", () => {
  const body = parseRuleSetBody({
    campaigns: [
      { id: "streak3", type: "streak", days: 3, points: 700, budget: 1e9, ...window },
      { id: "ms2", type: "milestone", on: "settlements", n: 2, points: 400, budget: 1e9, ...window },
      { id: "vol10", type: "volumeThreshold", threshold: 10_000_000, points: 300, budget: 1e9, ...window },
      { id: "flat", type: "flat", points: 200, minVolume: 1_000_000, budget: 1e9, ...window },
      { id: "x2", type: "multiplier", multiplierBps: 20000, budget: 1e9, ...window },
      { id: "x15", type: "multiplier", multiplierBps: 15000, budget: 1e9, ...window },
      { id: "shop-only", type: "flat", points: 1, budget: 1e9, scope: { merchants: ["SHOP"] }, ...window },
      { id: "referred", type: "flat", points: 2, budget: 1e9, requireReferrer: true, ...window },
      { id: "later", type: "flat", points: 3, budget: 1e9, startsAt: "2027-01-01T00:00:00Z", endsAt: "2028-01-01T00:00:00Z" },
    ],
  });
  const stacked = stackCampaigns(body.campaigns);
  const base: CampaignContext = {
    account: "a",
    merchant: "OTHER",
    time: t0,
    volume: 6_000_000n,
    ownPoints: 1000n,
    hasReferrer: false,
    newDay: true,
    streakDays: 1,
  };

  it("stacks multiplier, flat, volume threshold, milestone, streak; ties by id", () => {
    assert.deepEqual(
      stacked.map((c) => c.id),
      ["x15", "x2", "flat", "later", "referred", "shop-only", "vol10", "ms2", "streak3"],
    );
  });

  it("given a day-one settlement, then multipliers add on own points (not compounding) and only matching types pay", () => {
    const state = new ScoringState();
    const got = evaluateCampaigns(state, stacked, base).map((a) => [a.campaignId, a.points]);
    assert.deepEqual(got, [
      ["x15", 500n],
      ["x2", 1000n],
      ["flat", 200n],
    ]);
  });

  it("given the second settlement crossing 10 units on the third streak day, then threshold, milestone and streak pay once each", () => {
    const state = new ScoringState();
    evaluateCampaigns(state, stacked, base);
    const second = evaluateCampaigns(state, stacked, { ...base, streakDays: 3, merchant: "SHOP", hasReferrer: true }).map(
      (a) => a.campaignId,
    );
    assert.deepEqual(second, ["x15", "x2", "flat", "referred", "shop-only", "vol10", "ms2", "streak3"]);
    const third = evaluateCampaigns(state, stacked, { ...base, streakDays: 3, newDay: false }).map((a) => a.campaignId);
    assert.deepEqual(third, ["x15", "x2", "flat"]);
  });

  it("given a settlement outside every window, then nothing pays", () => {
    assert.deepEqual(evaluateCampaigns(new ScoringState(), stacked, { ...base, time: new Date("2025-01-01T00:00:00Z") }), []);
  });
});
