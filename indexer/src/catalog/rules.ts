import type { Tiers } from "../rules/schema.js";
import { formatPoints } from "../scoring/points/math.js";

/**
 * The pure part of a redemption: whether a wallet may redeem a reward now, given its balance, its
 * tier and its recent redemptions of that reward. No database: redeem.ts reads the inputs under
 * the wallet's lock and asks here; the unit tests pin each refusal.
 */
export type RewardKind = "item" | "voucher" | "entitlement";

export interface Reward {
  code: string;
  name: string;
  kind: RewardKind;
  active: boolean;
  /** millipoints */
  price: bigint;
  minTier: string | null;
  maxTier: string | null;
  /** millipoints the balance must hold before the debit */
  minBalance: bigint;
  perDay: number | null;
  perWeek: number | null;
  perMonth: number | null;
  cooldownSeconds: number | null;
  noteRequired: boolean;
  /** entitlements: tier name (or "*" for any other) -> what that tier gets */
  benefits: Record<string, unknown>;
  description: string | null;
}

/** The wallet's redemptions of the reward that are not voided, in the windows the limits use. */
export interface RecentRedemptions {
  today: number;
  thisWeek: number;
  thisMonth: number;
  last: Date | null;
}

export type Refusal =
  | "reward_inactive"
  | "note_required"
  | "tier_too_low"
  | "tier_too_high"
  | "min_balance"
  | "insufficient_points"
  | "daily_limit"
  | "weekly_limit"
  | "monthly_limit"
  | "cooldown";

export interface Check {
  reward: Reward;
  balance: bigint;
  tier: string | null;
  tiers: Tiers | undefined;
  recent: RecentRedemptions;
  note: string | null;
  now: Date;
}

/** A tier's place in the rule set's ascending levels; no tier is below every level; an unknown name is undefined. */
export function tierRank(tiers: Tiers | undefined, name: string | null): number | undefined {
  if (name === null) return -1;
  const i = tiers?.levels.findIndex((l) => l.name === name) ?? -1;
  return i < 0 ? undefined : i;
}

/** The first rule the redemption breaks, with a sentence for the wallet; undefined when it may redeem. */
export function refusal(c: Check): { code: Refusal; message: string } | undefined {
  const r = c.reward;
  if (!r.active) return { code: "reward_inactive", message: `the reward ${r.code} is not available (disabled)` };
  if (r.noteRequired && !c.note?.trim())
    return { code: "note_required", message: `the reward ${r.code} needs a note (e.g. where to deliver it)` };
  const have = tierRank(c.tiers, c.tier);
  if (r.minTier !== null) {
    const need = tierRank(c.tiers, r.minTier);
    if (need === undefined || have === undefined || have < need)
      return {
        code: "tier_too_low",
        message: `the reward ${r.code} needs tier ${r.minTier} or above; the wallet's tier is ${c.tier ?? "none"}`,
      };
  }
  if (r.maxTier !== null) {
    const cap = tierRank(c.tiers, r.maxTier);
    if (cap === undefined || have === undefined || have > cap)
      return {
        code: "tier_too_high",
        message: `the reward ${r.code} is for tier ${r.maxTier} or below; the wallet's tier is ${c.tier ?? "none"}`,
      };
  }
  if (c.balance < r.minBalance)
    return {
      code: "min_balance",
      message: `the reward ${r.code} needs a balance of at least ${formatPoints(r.minBalance)} points; the wallet has ${formatPoints(c.balance)}`,
    };
  if (c.balance < r.price)
    return {
      code: "insufficient_points",
      message: `the reward ${r.code} costs ${formatPoints(r.price)} points; the wallet has ${formatPoints(c.balance)}`,
    };
  const limits: [number | null, number, Refusal, string][] = [
    [r.perDay, c.recent.today, "daily_limit", "UTC day"],
    [r.perWeek, c.recent.thisWeek, "weekly_limit", "week (from Monday, UTC)"],
    [r.perMonth, c.recent.thisMonth, "monthly_limit", "calendar month (UTC)"],
  ];
  for (const [limit, used, code, period] of limits)
    if (limit !== null && used >= limit)
      return { code, message: `the reward ${r.code} can be redeemed ${limit} time(s) per ${period}; this wallet has reached it` };
  if (r.cooldownSeconds !== null && c.recent.last) {
    const until = c.recent.last.getTime() + r.cooldownSeconds * 1000;
    if (c.now.getTime() < until)
      return { code: "cooldown", message: `the reward ${r.code} can be redeemed again from ${new Date(until).toISOString()} (cooldown)` };
  }
  return undefined;
}

/** What an entitlement gives the wallet's tier: its own entry, else the "*" entry, else nothing. */
export function benefitFor(reward: Pick<Reward, "kind" | "benefits">, tier: string | null): unknown {
  if (reward.kind !== "entitlement") return null;
  if (tier !== null && Object.hasOwn(reward.benefits, tier)) return reward.benefits[tier];
  return Object.hasOwn(reward.benefits, "*") ? reward.benefits["*"] : null;
}

/**
 * The challenge's subject binds the reward, the price the wallet agreed to and its note:
 * `CODE@PRICE` or `CODE@PRICE NOTE` (codes have no spaces; notes are one line).
 */
export function redemptionSubject(code: string, price: bigint, note: string | null): string {
  return note ? `${code}@${price} ${note}` : `${code}@${price}`;
}

export function parseRedemptionSubject(subject: string): { code: string; price: bigint; note: string | null } | undefined {
  const m = /^([A-Za-z0-9_-]+)@(\d+)(?: (.+))?$/s.exec(subject);
  return m ? { code: m[1]!, price: BigInt(m[2]!), note: m[3] ?? null } : undefined;
}
