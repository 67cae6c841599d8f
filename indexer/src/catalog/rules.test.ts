import assert from "node:assert/strict";
import type { Tiers } from "../rules/schema.js";
import { benefitFor, parseRedemptionSubject, type Reward, redemptionSubject, refusal, tierRank } from "./rules.js";

const TIERS: Tiers = {
  windowDays: 30,
  levels: [
    { name: "bronze", minVolume: 0n, multiplierBps: 10000 },
    { name: "silver", minVolume: 10n, multiplierBps: 10000 },
    { name: "gold", minVolume: 100n, multiplierBps: 10000 },
  ],
} as unknown as Tiers;
const NOW = new Date("2026-12-05T12:00:00Z");
const reward = (over: Partial<Reward> = {}): Reward => ({
  code: "R",
  name: "r",
  kind: "item",
  active: true,
  price: 10_000n,
  minTier: null,
  maxTier: null,
  minBalance: 0n,
  perDay: null,
  perWeek: null,
  perMonth: null,
  cooldownSeconds: null,
  noteRequired: false,
  benefits: {},
  description: null,
  ...over,
});
const check = (r: Reward, over: Partial<Parameters<typeof refusal>[0]> = {}) =>
  refusal({
    reward: r,
    balance: 50_000n,
    tier: "silver",
    tiers: TIERS,
    recent: { today: 0, thisWeek: 0, thisMonth: 0, last: null },
    note: null,
    now: NOW,
    ...over,
  })?.code;

describe("catalog rules: who may redeem what, now", () => {
  it("given a wallet within every rule, then no refusal", () => {
    assert.equal(check(reward({ minTier: "bronze", maxTier: "gold", minBalance: 50_000n, perDay: 1, perWeek: 1, perMonth: 1 })), undefined);
  });

  it("given each rule broken alone, then the refusal names that rule", () => {
    assert.equal(check(reward({ active: false })), "reward_inactive");
    assert.equal(check(reward({ noteRequired: true }), { note: " " }), "note_required");
    assert.equal(check(reward({ minTier: "gold" })), "tier_too_low");
    assert.equal(check(reward({ minTier: "bronze" }), { tier: null }), "tier_too_low", "no tier is below every level");
    assert.equal(check(reward({ maxTier: "bronze" })), "tier_too_high");
    assert.equal(check(reward({ minTier: "platinum" })), "tier_too_low", "a tier the rule set no longer has admits nobody");
    assert.equal(check(reward({ minBalance: 50_001n })), "min_balance");
    assert.equal(check(reward({ price: 50_001n })), "insufficient_points");
    assert.equal(check(reward({ perDay: 2 }), { recent: { today: 2, thisWeek: 2, thisMonth: 2, last: null } }), "daily_limit");
    assert.equal(check(reward({ perWeek: 3 }), { recent: { today: 0, thisWeek: 3, thisMonth: 3, last: null } }), "weekly_limit");
    assert.equal(check(reward({ perMonth: 4 }), { recent: { today: 0, thisWeek: 0, thisMonth: 4, last: null } }), "monthly_limit");
  });

  it("given a cooldown, then it refuses until exactly its end", () => {
    const r = reward({ cooldownSeconds: 60 });
    const at = (secondsAgo: number) => ({
      recent: { today: 1, thisWeek: 1, thisMonth: 1, last: new Date(NOW.getTime() - secondsAgo * 1000) },
    });
    assert.equal(check(r, at(59)), "cooldown");
    assert.equal(check(r, at(60)), undefined);
  });

  it("given tiers, then ranks follow the rule set's ascending levels and an unknown name has none", () => {
    assert.deepEqual(
      [tierRank(TIERS, null), tierRank(TIERS, "bronze"), tierRank(TIERS, "gold"), tierRank(TIERS, "x"), tierRank(undefined, "bronze")],
      [-1, 0, 2, undefined, undefined],
    );
  });

  it("given an entitlement, then the tier's own benefit, else the '*' one; other kinds have none", () => {
    const r = reward({ kind: "entitlement", benefits: { gold: "lounge", "*": "coffee" } });
    assert.deepEqual([benefitFor(r, "gold"), benefitFor(r, "silver"), benefitFor(r, null)], ["lounge", "coffee", "coffee"]);
    assert.equal(benefitFor({ ...r, kind: "item" }, "gold"), null);
  });

  it("given a subject with and without a note, then it parses back to the same reward, price and note", () => {
    for (const note of [null, "ship to: 1 Main St, Springfield"]) {
      assert.deepEqual(parseRedemptionSubject(redemptionSubject("TEE-1", 250_000n, note)), { code: "TEE-1", price: 250_000n, note });
    }
    assert.equal(parseRedemptionSubject("no price"), undefined);
  });
});
