import type { Conditions, PointRule, Rounding } from "../../rules/schema.js";
import { globMatch } from "./glob.js";
import { applyBps, roundDiv, VOLUME_PER_UNIT } from "./math.js";

/** What conditions can look at, as of this settlement (counts include it, score excludes it). */
export interface RuleContext {
  merchant: string;
  mint: string;
  volume: bigint;
  memo: string | null;
  /** the account's settlements so far, this one included */
  settlementCount: bigint;
  referralCount: number;
  /** engine points before this settlement */
  score: bigint;
}

export function conditionsHold(c: Conditions, x: RuleContext): boolean {
  if (c.merchants && !c.merchants.includes(x.merchant)) return false;
  if (c.mints && !c.mints.includes(x.mint)) return false;
  if (c.minVolume !== undefined && x.volume < c.minVolume) return false;
  if (c.maxVolume !== undefined && x.volume > c.maxVolume) return false;
  if (c.memo !== undefined && (x.memo === null || !globMatch(c.memo, x.memo))) return false;
  if (c.firstSettlement !== undefined && (x.settlementCount === 1n) !== c.firstSettlement) return false;
  if (c.nthSettlement !== undefined && x.settlementCount !== BigInt(c.nthSettlement)) return false;
  if (c.referralCount) {
    const { op, n } = c.referralCount;
    if (op === "eq" ? x.referralCount !== n : x.referralCount < n) return false;
  }
  if (c.minScore !== undefined && x.score < c.minScore) return false;
  return true;
}

export interface RuleAward {
  ruleId: string;
  points: bigint;
}

/** Rules sorted once per rule set: priority ascending, id as the tie-breaker, so order is total. */
export function sortRules(rules: readonly PointRule[]): PointRule[] {
  return [...rules].sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Matching rules award in priority order; a matching rule with `stop` ends the evaluation (first
 * match wins among e.g. service classes). The tier multiplier applies to each award separately.
 */
export function evaluateRules(sorted: readonly PointRule[], x: RuleContext, tierBps: number, tierRounding: Rounding): RuleAward[] {
  const out: RuleAward[] = [];
  for (const rule of sorted) {
    if (!conditionsHold(rule.when, x)) continue;
    const raw =
      rule.award.kind === "flat"
        ? rule.award.points
        : rule.award.kind === "perVolume"
          ? roundDiv(x.volume * rule.award.pointsPerUnit, VOLUME_PER_UNIT, rule.award.rounding)
          : 0n;
    const points = applyBps(raw, tierBps, tierRounding);
    if (points > 0n) out.push({ ruleId: rule.id, points });
    if (rule.stop) break;
  }
  return out;
}
