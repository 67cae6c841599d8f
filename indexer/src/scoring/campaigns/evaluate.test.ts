import assert from "node:assert/strict";
import fc from "fast-check";
import { ScoringState } from "../state.js";
import { ruleSetBody } from "../../rules/schema.js";
import { evaluateCampaigns, evaluateReferralMilestones, isActive, stackCampaigns, type CampaignContext } from "./evaluate.js";

const window = { startsAt: "2026-06-01T00:00:00Z", endsAt: "2026-07-01T00:00:00Z" };
const campaignsOf = (...cs: object[]) =>
  stackCampaigns(ruleSetBody.parse({ campaigns: cs.map((c, i) => ({ id: `c${i}`, budget: 1_000_000_000, ...window, ...c })) }).campaigns);
const t0 = new Date("2026-06-10T12:00:00Z");
const base: CampaignContext = {
  account: "A",
  merchant: "SHOP",
  time: t0,
  volume: 5_000_000n,
  ownPoints: 1001n,
  hasReferrer: false,
  newDay: true,
  streakDays: 1,
};
const paid = (state: ScoringState, stacked: ReturnType<typeof campaignsOf>, x: Partial<CampaignContext> = {}) =>
  evaluateCampaigns(state, stacked, { ...base, ...x }).map((a) => [a.campaignId, a.points] as const);

describe("campaigns: activity window and scope", () => {
  const [c] = campaignsOf({ type: "flat", points: 1, scope: { merchants: ["SHOP"] } });

  it("given a June campaign, when a settlement comes at its start, then it is active; at its end, not (end exclusive)", () => {
    assert.equal(isActive(c!, new Date("2026-06-01T00:00:00Z"), "SHOP"), true);
    assert.equal(isActive(c!, new Date("2026-06-30T23:59:59.999Z"), "SHOP"), true);
    assert.equal(isActive(c!, new Date("2026-07-01T00:00:00Z"), "SHOP"), false);
    assert.equal(isActive(c!, new Date("2026-05-31T23:59:59.999Z"), "SHOP"), false);
  });

  it("given a campaign scoped to SHOP, when another merchant is paid, then it is not active; without scope, every merchant counts", () => {
    assert.equal(isActive(c!, t0, "OTHER"), false);
    const [g] = campaignsOf({ type: "flat", points: 1 });
    assert.equal(isActive(g!, t0, "OTHER"), true);
  });

  it("given campaigns in document order, when stacked, then a new array is returned and the document is untouched", () => {
    const doc = ruleSetBody.parse({
      campaigns: [
        { id: "b", type: "flat", points: 1, budget: 1, ...window },
        { id: "a", type: "multiplier", multiplierBps: 15000, budget: 1, ...window },
      ],
    }).campaigns;
    assert.deepEqual(
      stackCampaigns(doc).map((x) => x.id),
      ["a", "b"],
    );
    assert.deepEqual(
      doc.map((x) => x.id),
      ["b", "a"],
    );
  });
});

describe("campaigns: awards by type", () => {
  it("given a 1.5x campaign under each rounding policy, when own points are 1001, then the bonus is 500 (floor), 501 (nearest, halves up), 501 (ceil)", () => {
    const got = (["floor", "nearest", "ceil"] as const).map(
      (rounding) => paid(new ScoringState(), campaignsOf({ type: "multiplier", multiplierBps: 15000, rounding }))[0]![1],
    );
    assert.deepEqual(got, [500n, 501n, 501n]);
  });

  it("given 1.5x and 1.2x campaigns, when own points are 22,500, then they pay +11,250 and +4,500 (they add, not compound)", () => {
    const stacked = campaignsOf(
      { id: "x15", type: "multiplier", multiplierBps: 15000 },
      { id: "x12", type: "multiplier", multiplierBps: 12000 },
    );
    assert.deepEqual(paid(new ScoringState(), stacked, { ownPoints: 22_500n }), [
      ["x12", 4500n],
      ["x15", 11_250n],
    ]);
  });

  it("given a 1x or a 0.8x multiplier campaign, when own points are earned, then it pays nothing and spends nothing", () => {
    const state = new ScoringState();
    assert.deepEqual(
      paid(state, campaignsOf({ type: "multiplier", multiplierBps: 10000 }, { type: "multiplier", multiplierBps: 8000 })),
      [],
    );
    assert.equal(state.campaigns.size, 0);
  });

  it("given a flat campaign with a 1-unit minimum, when 0.999999 units are paid, then nothing; at exactly 1 unit, its points", () => {
    const stacked = campaignsOf({ type: "flat", points: 2000, minVolume: 1_000_000 });
    assert.deepEqual(paid(new ScoringState(), stacked, { volume: 999_999n }), []);
    assert.deepEqual(paid(new ScoringState(), stacked, { volume: 1_000_000n }), [["c0", 2000n]]);
  });

  it("given a flat campaign, when own points are 0, then it still pays its flat points (it does not read own points)", () => {
    assert.deepEqual(paid(new ScoringState(), campaignsOf({ type: "flat", points: 2000 }), { ownPoints: 0n }), [["c0", 2000n]]);
  });

  it("given a 10-unit volume threshold, when 4, 5, 1 and 3 units are paid, then it pays once, on the settlement that reaches 10", () => {
    const state = new ScoringState();
    const stacked = campaignsOf({ type: "volumeThreshold", threshold: 10_000_000, points: 300 });
    const got = [4, 5, 1, 3].map((u) => paid(state, stacked, { volume: BigInt(u) * 1_000_000n }).length);
    assert.deepEqual(got, [0, 0, 1, 0]);
    assert.equal(state.stats.get("A")!.parts!.get("c0")!.volume, 13_000_000n);
  });

  it("given a volume threshold, when volume is paid before the campaign starts, then it does not count towards the threshold", () => {
    const state = new ScoringState();
    const stacked = campaignsOf({ type: "volumeThreshold", threshold: 10_000_000, points: 300 });
    assert.deepEqual(paid(state, stacked, { volume: 20_000_000n, time: new Date("2026-05-31T00:00:00Z") }), []);
    assert.deepEqual(paid(state, stacked, { volume: 4_000_000n }), []);
  });

  it("given a 3rd-settlement milestone scoped to SHOP, when the account pays SHOP, OTHER, SHOP, SHOP, SHOP, then only the 3rd SHOP settlement pays", () => {
    const state = new ScoringState();
    const stacked = campaignsOf({ type: "milestone", on: "settlements", n: 3, points: 400, scope: { merchants: ["SHOP"] } });
    const got = ["SHOP", "OTHER", "SHOP", "SHOP", "SHOP"].map((merchant) => paid(state, stacked, { merchant }).length);
    assert.deepEqual(got, [0, 0, 0, 1, 0]);
  });

  it("given a referrals milestone, when the account's own settlements are evaluated, then it never pays there", () => {
    const state = new ScoringState();
    const stacked = campaignsOf({ type: "milestone", on: "referrals", n: 1, points: 400 });
    assert.deepEqual(
      [1, 2].flatMap(() => paid(state, stacked)),
      [],
    );
  });

  it("given a 3-day streak, when the run reaches 1..7 days on each day's first settlement, then it pays on days 3 and 6 only", () => {
    const state = new ScoringState();
    const stacked = campaignsOf({ type: "streak", days: 3, points: 700 });
    const got = [1, 2, 3, 4, 5, 6, 7].map((streakDays) => paid(state, stacked, { streakDays }).length);
    assert.deepEqual(got, [0, 0, 1, 0, 0, 1, 0]);
  });

  it("given a 3-day streak, when the third day's second settlement comes (not a new day), then it does not pay again", () => {
    assert.deepEqual(paid(new ScoringState(), campaignsOf({ type: "streak", days: 3, points: 700 }), { streakDays: 3, newDay: false }), []);
  });

  it("given a campaign requiring a referrer, when the account has none, then nothing; with one, it pays", () => {
    const stacked = campaignsOf({ type: "flat", points: 2000, requireReferrer: true });
    assert.deepEqual(paid(new ScoringState(), stacked), []);
    assert.deepEqual(paid(new ScoringState(), stacked, { hasReferrer: true }), [["c0", 2000n]]);
  });

  it("given a 700 budget on a 1.5x campaign beside a flat one, when own points are 1000 three times, then it pays 500, 200, 0 and the flat one is unaffected", () => {
    const state = new ScoringState();
    const stacked = campaignsOf({ id: "x", type: "multiplier", multiplierBps: 15000, budget: 700 }, { id: "f", type: "flat", points: 10 });
    const got = [1, 2, 3].map(() => paid(state, stacked, { ownPoints: 1000n }));
    assert.deepEqual(got, [
      [
        ["x", 500n],
        ["f", 10n],
      ],
      [
        ["x", 200n],
        ["f", 10n],
      ],
      [["f", 10n]],
    ]);
    assert.equal(state.campaigns.get("x")!.spent, 700n);
  });

  it("given a per-wallet count of 1 and no stats row passed, when the account earns twice, then the second is refused and the counter sits on the account's row", () => {
    const state = new ScoringState();
    const stacked = campaignsOf({ type: "flat", points: 2000, perWallet: { maxCount: 1 } });
    assert.equal(paid(state, stacked).length, 1);
    assert.equal(paid(state, stacked).length, 0);
    assert.equal(state.stats.get("A")!.parts!.get("c0")!.awards, 1);
  });

  it("for any own points and budget, a multiplier campaign pays in total exactly min(budget, sum of its raw bonuses)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 9n }), { maxLength: 30 }),
        fc.bigInt({ min: 0n, max: 10n ** 10n }),
        (owns, budget) => {
          const state = new ScoringState();
          const stacked = campaignsOf({ type: "multiplier", multiplierBps: 15000, budget });
          const total = owns.reduce((a, own) => a + (evaluateCampaigns(state, stacked, { ...base, ownPoints: own })[0]?.points ?? 0n), 0n);
          const raw = owns.reduce((a, own) => a + own / 2n, 0n);
          assert.equal(total, raw < budget ? raw : budget);
        },
      ),
    );
  });
});

describe("campaigns: referral milestones", () => {
  const stacked = campaignsOf(
    { id: "ref2", type: "milestone", on: "referrals", n: 2, points: 5000 },
    { id: "ref2-shop", type: "milestone", on: "referrals", n: 2, points: 1, scope: { merchants: ["SHOP"] } },
    { id: "ref2-chain", type: "milestone", on: "referrals", n: 2, points: 2, requireReferrer: true },
    { id: "settle2", type: "milestone", on: "settlements", n: 2, points: 3 },
  );
  const x = { referrer: "R", referrerHasReferrer: false, referralCount: 2, merchant: "OTHER", time: t0 };
  const got = (state: ScoringState, over: Partial<typeof x> = {}) =>
    evaluateReferralMilestones(state, stacked, { ...x, ...over }).map((a) => [a.campaignId, a.account, a.points] as const);

  it("given a 2nd-referral milestone, when the referrer's 2nd referee activates, then the referrer is paid (and no settlements milestone)", () => {
    assert.deepEqual(got(new ScoringState()), [["ref2", "R", 5000n]]);
  });

  it("given a 2nd-referral milestone, when the 1st or 3rd referee activates, then nothing pays", () => {
    assert.deepEqual(got(new ScoringState(), { referralCount: 1 }), []);
    assert.deepEqual(got(new ScoringState(), { referralCount: 3 }), []);
  });

  it("given scoped and referrer-requiring milestones, when the referee pays SHOP and the referrer has a referrer, then those pay too, in stacking order", () => {
    assert.deepEqual(got(new ScoringState(), { merchant: "SHOP", referrerHasReferrer: true }), [
      ["ref2", "R", 5000n],
      ["ref2-chain", "R", 2n],
      ["ref2-shop", "R", 1n],
    ]);
  });

  it("given the milestone window has ended, when the 2nd referee activates, then nothing pays", () => {
    assert.deepEqual(got(new ScoringState(), { time: new Date("2026-07-01T00:00:00Z") }), []);
  });

  it("given a 3000 budget, when a 5000 milestone is reached, then it pays exactly 3000", () => {
    const [c] = campaignsOf({ id: "m", type: "milestone", on: "referrals", n: 1, points: 5000, budget: 3000 });
    const state = new ScoringState();
    assert.deepEqual(
      evaluateReferralMilestones(state, [c!], { ...x, referralCount: 1 }).map((a) => a.points),
      [3000n],
    );
    assert.equal(state.campaigns.get("m")!.spent, 3000n);
  });
});
