import { stackCampaigns } from "./campaigns/evaluate.js";
import { sortRules } from "./points/point-rules.js";
import { referralDepth } from "./referrals/split.js";
import type { Campaign, PointRule, RuleSet } from "../rules/schema.js";

/** A rule set with its orderings computed once, as the scorer walks thousands of settlements per version. */
export interface CompiledRuleSet extends RuleSet {
  /** rules with trigger "settlement" */
  sortedRules: PointRule[];
  /** rules with trigger "event" (scoring/events) */
  eventRules: PointRule[];
  stacked: Campaign[];
  depth: number;
  /** the provider side's rules (sides.provider), sorted likewise */
  providerRules: PointRule[];
  providerStacked: Campaign[];
}

export function compile(rs: RuleSet): CompiledRuleSet {
  return {
    ...rs,
    sortedRules: sortRules(rs.body.rules.filter((r) => r.trigger !== "event")),
    eventRules: sortRules(rs.body.rules.filter((r) => r.trigger === "event")),
    stacked: stackCampaigns(rs.body.campaigns),
    depth: referralDepth(rs.body.referral),
    providerRules: sortRules(rs.body.sides?.provider?.rules ?? []),
    providerStacked: stackCampaigns(rs.body.sides?.provider?.campaigns ?? []),
  };
}

/**
 * The version that scores a settlement: the newest one published before the settlement's turn in
 * chain order (afterSeq < seq) whose effective_from has passed at the settlement's event time.
 * `history` is ascending by version.
 */
export function pickRuleSet<T extends RuleSet>(history: readonly T[], seq: bigint, time: Date): T | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const rs = history[i]!;
    if (rs.afterSeq < seq && rs.effectiveFrom.getTime() <= time.getTime()) return rs;
  }
  return undefined;
}
