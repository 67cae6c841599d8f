import type { Conditions, PointRule, Rounding } from "../../rules/schema.js";
import { evaluateCampaigns } from "../campaigns/evaluate.js";
import type { CompiledRuleSet } from "../compiled.js";
import { applyBps, dayOf, roundDiv, VOLUME_PER_UNIT } from "../points/math.js";
import { conditionsHold } from "../points/point-rules.js";
import { pickTier, rollingVolume } from "../points/tiers.js";
import { splitReferral } from "../referrals/split.js";
import { markFirst } from "../score.js";
import type { ScoringState } from "../state.js";
import type { LedgerRow } from "../types.js";

export type PropertyValue = string | number | boolean;

/** An accepted off-chain event as the engine reads it (a row of `events`). */
export interface OffchainEvent {
  id: bigint;
  /** the event's place among events (event_sequence), not the scoring seq */
  eventSeq: bigint;
  wallet: string;
  type: string;
  properties: Record<string, PropertyValue>;
  /** micro-units (6 decimals), 0 when the event carries no amount */
  value: bigint;
  occurredAt: Date;
  acceptedAt: Date;
}

/** One event_scores row. */
export interface EventScoreRow {
  eventId: bigint;
  seq: bigint;
  account: string;
  ruleSetVersion: bigint | null;
  points: bigint;
  eventTime: Date;
}

/**
 * An event's time: when the source says it happened, but never later than its acceptance (a
 * source's clock cannot move scoring time ahead) and never earlier than the stream's previous
 * time (windows and rule-set effectiveness read a time that only moves forward).
 */
export function eventTimeOf(e: OffchainEvent, previous: Date | null): Date {
  const own = e.occurredAt.getTime() <= e.acceptedAt.getTime() ? e.occurredAt : e.acceptedAt;
  return previous && previous.getTime() >= own.getTime() ? previous : own;
}

const same = (want: PropertyValue, got: PropertyValue | undefined) => got !== undefined && want === got;

/** The event conditions of a rule; the settlement conditions are read against an event with no merchant, mint or memo. */
export function eventMatches(c: Conditions, e: OffchainEvent): boolean {
  const ev = c.event;
  if (!ev) return true;
  if (ev.types && !ev.types.includes(e.type)) return false;
  for (const [key, want] of Object.entries(ev.properties ?? {})) {
    const got = e.properties[key];
    if (Array.isArray(want) ? !want.some((w) => same(w, got)) : !same(want, got)) return false;
  }
  return true;
}

function rawAward(rule: PointRule, e: OffchainEvent): bigint {
  const a = rule.award;
  if (a.kind === "flat") return a.points;
  if (a.kind === "perVolume") return roundDiv(e.value * a.pointsPerUnit, VOLUME_PER_UNIT, a.rounding);
  const v = e.properties[a.property];
  const hit = v === undefined ? undefined : a.points[String(v)];
  return hit ?? a.default ?? 0n;
}

/** Event rules in priority order, as settlement rules: `stop` ends the walk, the tier multiplier applies to each award. */
export function evaluateEventRules(
  sorted: readonly PointRule[],
  e: OffchainEvent,
  ctx: { settlementCount: bigint; referralCount: number; score: bigint },
  tierBps: number,
  rounding: Rounding,
): { ruleId: string; points: bigint }[] {
  const out: { ruleId: string; points: bigint }[] = [];
  const x = { merchant: "", mint: "", volume: e.value, memo: null, ...ctx };
  for (const rule of sorted) {
    if (!eventMatches(rule.when, e) || !conditionsHold(rule.when, x)) continue;
    const points = applyBps(rawAward(rule, e), tierBps, rounding);
    if (points > 0n) out.push({ ruleId: rule.id, points });
    if (rule.stop) break;
  }
  return out;
}

/**
 * Scores one off-chain event: rows in this order: event rules (reason "event", priority order),
 * campaigns (stacking order; streaks and settlement milestones do not count events), referral
 * splits of the event's own points. An event changes no settlement count, volume, streak or
 * tier; it marks the account's first activity. Rows of zero points are not written.
 */
export function scoreEvent(
  state: ScoringState,
  rs: CompiledRuleSet | undefined,
  e: OffchainEvent,
  seq: bigint,
  time: Date,
): { rows: LedgerRow[]; score: EventScoreRow } {
  const account = state.accountOf(e.wallet, seq);
  const version = rs?.version ?? null;
  const rows: LedgerRow[] = [];
  const score: EventScoreRow = { eventId: e.id, seq, account, ruleSetVersion: version, points: 0n, eventTime: time };
  const stats = state.statsFor(account);
  markFirst(stats, seq, time);
  if (!rs) return { rows, score };

  const push = (
    acct: string,
    delta: bigint,
    reason: LedgerRow["reason"],
    campaignId: string | null,
    ruleId: string | null,
    path: string[] | null,
  ) => {
    if (delta <= 0n) return;
    rows.push({
      seq,
      settlementId: null,
      eventId: e.id,
      account: acct,
      delta,
      reason,
      campaignId,
      ruleId,
      referralPath: path,
      ruleSetVersion: version,
      occurredAt: time,
    });
    const st = acct === account ? stats : state.statsFor(acct);
    st.score += delta;
    st.balance += delta;
    markFirst(st, seq, time);
  };

  const body = rs.body;
  const day = dayOf(time);
  const tier = body.tiers ? pickTier(body.tiers, rollingVolume(stats.days, day, body.tiers.windowDays)) : pickTier(undefined, 0n);
  const ruleAwards = evaluateEventRules(
    rs.eventRules,
    e,
    { settlementCount: stats.settlementCount, referralCount: stats.referralCount, score: stats.score },
    tier.multiplierBps,
    "floor",
  );
  const own = ruleAwards.reduce((a, r) => a + r.points, 0n);
  for (const r of ruleAwards) push(account, r.points, "event", null, r.ruleId, null);

  const referrer = state.referrerOf(account, seq);
  const awards = evaluateCampaigns(state, rs.stacked, {
    account,
    stats,
    merchant: "",
    time,
    volume: e.value,
    ownPoints: own,
    hasReferrer: referrer !== undefined,
    newDay: false,
    streakDays: stats.streakDays,
    eventType: e.type,
  });
  for (const a of awards) push(a.account, a.points, "campaign", a.campaignId, null, null);

  const chain = rs.depth > 0 ? state.chainOf(account, seq, rs.depth) : [];
  const split = splitReferral(body.referral, own, chain.length);
  if (split.user > 0n) push(account, split.user, "referral", null, null, [account]);
  split.levels.forEach((share, i) => push(chain[i]!, share, "referral", null, null, [account, ...chain.slice(0, i + 1)]));

  score.points = rows.reduce((a, r) => (r.account === account ? a + r.delta : a), 0n);
  return { rows, score };
}
