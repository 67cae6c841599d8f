import type { ProviderSide, PointRule, RuleSetBody } from "../../rules/schema.js";
import { basePoints, resolveEarnConfig } from "../points/earn.js";
import { applyBps, dayOf } from "../points/math.js";
import { evaluateRules } from "../points/point-rules.js";
import { pickTier, rollingVolume } from "../points/tiers.js";
import type { ProviderState } from "./state.js";

/**
 * Provider rows carry a rule id of their own, `provider:earn`, `provider:<rule id>`,
 * `provider:share` (its share of the payer's points) and `provider:campaign` (with the campaign id); the payer's share of the provider's points is
 * `share:provider`. Rule ids of rule sets are [a-z0-9_-], so these never collide with them, and the
 * provider leaderboard is the rows whose rule id starts with `provider:`.
 */
export const PROVIDER_EARN = "provider:earn";
export const PROVIDER_FROM_PAYER = "provider:share";
export const PROVIDER_CAMPAIGN = "provider:campaign";
export const PAYER_FROM_PROVIDER = "share:provider";
export const providerRuleId = (id: string) => `provider:${id}`;

export interface ProviderAward {
  ruleId: string;
  points: bigint;
}

export interface ProviderResult {
  /** credited to the provider's account, in order: earn, rules (priority order), share of the payer's */
  awards: ProviderAward[];
  /** credited to the payer: its share of the provider's own points (earn + rules) */
  payerShare: bigint;
  /** the provider's own points (earn + rules): what its campaigns multiply */
  own: bigint;
  tier: string | null;
}

export interface ProviderInput {
  account: string;
  merchant: string;
  mint: string;
  volume: bigint;
  memo: string | null;
  time: Date;
  /** the payer's own points for this settlement (earn + rules, tier applied) */
  payerOwn: bigint;
}

/** Scores the provider side of one settlement and updates its state. */
export function scoreProvider(ps: ProviderState, side: ProviderSide, sortedRules: readonly PointRule[], x: ProviderInput): ProviderResult {
  const st = ps.statsFor(x.account);
  const scoreBefore = st.score;
  st.settlementCount += 1n;
  st.volumeTotal += x.volume;
  const day = dayOf(x.time);
  st.days.set(day, (st.days.get(day) ?? 0n) + x.volume);
  const tier = side.tiers ? pickTier(side.tiers, rollingVolume(st.days, day, side.tiers.windowDays)) : pickTier(undefined, 0n);
  const config = resolveEarnConfig({ earn: side.earn } as RuleSetBody, x.merchant, x.mint);
  const rounding = config?.rounding ?? "floor";
  const awards: ProviderAward[] = [];
  if (!config || x.volume >= config.minVolume) {
    const earn = config ? applyBps(basePoints(config, x.volume), tier.multiplierBps, rounding) : 0n;
    awards.push({ ruleId: PROVIDER_EARN, points: earn });
    const rules = evaluateRules(
      sortedRules,
      {
        merchant: x.merchant,
        mint: x.mint,
        volume: x.volume,
        memo: x.memo,
        settlementCount: st.settlementCount,
        referralCount: 0,
        score: scoreBefore,
      },
      tier.multiplierBps,
      rounding,
    );
    for (const r of rules) awards.push({ ruleId: providerRuleId(r.ruleId), points: r.points });
  }
  const own = awards.reduce((a, r) => a + r.points, 0n);
  awards.push({ ruleId: PROVIDER_FROM_PAYER, points: applyBps(x.payerOwn, side.shareOfPayerBps, rounding) });
  const kept = awards.filter((a) => a.points > 0n);
  st.score += kept.reduce((a, r) => a + r.points, 0n);
  return { awards: kept, payerShare: applyBps(own, side.payerShareBps, rounding), own, tier: tier.name };
}
