import type { Campaign } from "../../rules/schema.js";
import type { AccountStats, ScoringState } from "../state.js";
import { applyBps } from "../points/math.js";
import { grant } from "./limits.js";

/**
 * Stacking order of active campaigns (documented in docs/rewards-engine.md): multiplier, flat,
 * volume threshold, milestone, streak; ties by campaign id. Every campaign computes its award from
 * the settlement's own points (earn + rules, tier applied), never from another campaign's bonus,
 * so multipliers add (1.5x and 1.2x give +0.5 and +0.2) instead of compounding.
 */
const ORDER: Record<Campaign["type"], number> = { multiplier: 0, flat: 1, volumeThreshold: 2, milestone: 3, streak: 4 };

export function stackCampaigns(campaigns: readonly Campaign[]): Campaign[] {
  return [...campaigns].sort((a, b) => ORDER[a.type] - ORDER[b.type] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface CampaignContext {
  account: string;
  /** the account's state, when the caller holds it already (saves a lookup per campaign) */
  stats?: AccountStats;
  merchant: string;
  time: Date;
  volume: bigint;
  ownPoints: bigint;
  hasReferrer: boolean;
  /** first settlement of the account on this UTC day */
  newDay: boolean;
  streakDays: number;
  /** set when an off-chain event is scored (scoring/events): the event's type */
  eventType?: string;
}

export interface CampaignAward {
  campaignId: string;
  account: string;
  points: bigint;
}

export function isActive(c: Campaign, time: Date, merchant: string, eventType?: string): boolean {
  const t = time.getTime();
  if (t < c.startsAt.getTime() || t >= c.endsAt.getTime()) return false;
  // an event has no merchant: a campaign scoped to merchants takes events only when it names their types
  if (eventType !== undefined) return c.scope.eventTypes ? c.scope.eventTypes.includes(eventType) : !c.scope.merchants;
  // a campaign naming event types is for those events, unless it says settlements take part too
  if (!(c.scope.settlements ?? c.scope.eventTypes === undefined)) return false;
  return !c.scope.merchants || c.scope.merchants.includes(merchant);
}

/** Awards to the paying account for one settlement, in stacking order. */
export function evaluateCampaigns(state: ScoringState, stacked: readonly Campaign[], x: CampaignContext): CampaignAward[] {
  const out: CampaignAward[] = [];
  const st = x.stats ?? state.statsFor(x.account);
  for (const c of stacked) {
    if (!isActive(c, x.time, x.merchant, x.eventType)) continue;
    if (c.requireReferrer && !x.hasReferrer) continue;
    const raw = rawAward(state, c, x, st);
    const points = grant(state, c, x.account, raw, x.time, st);
    if (points > 0n) out.push({ campaignId: c.id, account: x.account, points });
  }
  return out;
}

function rawAward(state: ScoringState, c: Campaign, x: CampaignContext, st: AccountStats): bigint {
  switch (c.type) {
    case "multiplier":
      return c.multiplierBps > 10000 ? applyBps(x.ownPoints, c.multiplierBps - 10000, c.rounding) : 0n;
    case "flat":
      return x.volume >= c.minVolume ? c.points : 0n;
    case "volumeThreshold": {
      const p = state.participantFor(st, c.id, x.account);
      const before = p.volume;
      p.volume += x.volume;
      return before < c.threshold && p.volume >= c.threshold ? c.points : 0n;
    }
    case "milestone": {
      if (c.on !== "settlements" || x.eventType !== undefined) return 0n;
      const p = state.participantFor(st, c.id, x.account);
      p.seen += 1;
      return p.seen === c.n ? c.points : 0n;
    }
    case "streak":
      return x.newDay && x.streakDays > 0 && x.streakDays % c.days === 0 ? c.points : 0n;
  }
}

/**
 * "nth referral" milestones pay the referrer when a referee's first settlement is scored and the
 * referrer's activated-referral count reaches n inside the campaign window.
 */
export function evaluateReferralMilestones(
  state: ScoringState,
  stacked: readonly Campaign[],
  x: { referrer: string; referrerStats?: AccountStats; referrerHasReferrer: boolean; referralCount: number; merchant: string; time: Date },
): CampaignAward[] {
  const out: CampaignAward[] = [];
  for (const c of stacked) {
    if (c.type !== "milestone" || c.on !== "referrals" || c.n !== x.referralCount) continue;
    if (!isActive(c, x.time, x.merchant) || (c.requireReferrer && !x.referrerHasReferrer)) continue;
    const points = grant(state, c, x.referrer, c.points, x.time, x.referrerStats);
    if (points > 0n) out.push({ campaignId: c.id, account: x.referrer, points });
  }
  return out;
}
