import { evaluateCampaigns, evaluateReferralMilestones, type CampaignAward } from "./campaigns/evaluate.js";
import { basePoints, resolveEarnConfig } from "./points/earn.js";
import { applyBps, dayOf, toVolume } from "./points/math.js";
import { evaluateRules } from "./points/point-rules.js";
import { pickTier, rollingVolume } from "./points/tiers.js";
import { splitReferral } from "./referrals/split.js";
import type { CompiledRuleSet } from "./compiled.js";
import type { AccountStats, ScoringState } from "./state.js";
import type { Exclusion, LedgerRow, ScoreRow, Settlement } from "./types.js";
import { type Caught, screenSettlement } from "./fraud/screen.js";
import { PAYER_FROM_PROVIDER, PROVIDER_CAMPAIGN, PROVIDER_EARN, scoreProvider } from "./providers/score.js";

/**
 * Event time: the settlement's block time, never earlier than the previous settlement's in chain
 * order (block times are only roughly monotone and may be missing). Windows, tiers, streaks and
 * rule-set effectiveness all read this, never the wall clock.
 */
export function eventTime(s: Settlement, previous: Date | null): Date {
  if (!s.blockTime) return previous ?? new Date(0);
  return previous && previous.getTime() >= s.blockTime.getTime() ? previous : s.blockTime;
}

/**
 * First activity is the minimum, not the first write: an admin adjustment may create the stats row
 * at a later seq while earlier settlements are still being re-scored after the checkpoint.
 */
export function markFirst(st: AccountStats, seq: bigint, time: Date): void {
  // Both move together; getTime() because comparing Dates directly goes through valueOf (slow).
  if (st.firstSeq !== null && seq >= st.firstSeq) return;
  st.firstSeq = seq;
  if (st.firstActivityAt === null || time.getTime() < st.firstActivityAt.getTime()) st.firstActivityAt = time;
}

export interface Scored {
  rows: LedgerRow[];
  score: ScoreRow;
  /** set when fraud screening caught the settlement: it then has no rows and counts for nothing */
  exclusion?: Exclusion;
}

/**
 * Scores one settlement: updates `state` and returns the ledger rows, in this order: earn, rules
 * (priority order), campaigns (stacking order), referral milestones, referral splits (user share,
 * then level 1..n). Rows of zero points are not written.
 */
export function scoreSettlement(state: ScoringState, rs: CompiledRuleSet | undefined, s: Settlement, seq: bigint, time: Date): Scored {
  const account = state.accountOf(s.payer, seq);
  const volume = toVolume(s.amount, s.decimals);
  const version = rs?.version ?? null;
  const rows: LedgerRow[] = [];
  const score: ScoreRow = {
    settlementId: s.id,
    seq,
    account,
    volume,
    tier: null,
    ruleSetVersion: version,
    points: 0n,
    eventTime: time,
    counted: true,
  };
  const config = rs && resolveEarnConfig(rs.body, s.payee, s.mint);
  const fraud = rs?.body.fraud;
  if (fraud) {
    const payeeAccount = state.accountOf(s.payee, seq);
    const caught = screenSettlement(fraud, state.fraud, {
      payer: s.payer,
      payee: s.payee,
      payerAccount: account,
      payeeAccount,
      volume,
      time,
    });
    if (caught) return excluded(state, rs, s, score, caught);
  }
  // Below the minimum a settlement is ignored entirely: no points, and it feeds no count, streak or tier.
  if (config && volume < config.minVolume) {
    score.counted = false;
    return { rows, score };
  }

  const push = (
    acct: string,
    delta: bigint,
    reason: LedgerRow["reason"],
    campaignId: string | null = null,
    ruleId: string | null = null,
    referralPath: string[] | null = null,
  ) => {
    if (delta <= 0n) return;
    rows.push({
      seq,
      settlementId: s.id,
      account: acct,
      delta,
      reason,
      campaignId,
      ruleId,
      referralPath,
      ruleSetVersion: version,
      occurredAt: time,
    });
    // most rows credit the payer, whose stats are already in hand (and marked dirty)
    const st = acct === account ? stats : state.statsFor(acct);
    st.score += delta;
    st.balance += delta;
    markFirst(st, seq, time);
  };

  const stats = state.statsFor(account);
  const scoreBefore = stats.score;
  const firstEver = stats.settlementCount === 0n;
  stats.settlementCount += 1n;
  stats.volumeTotal += volume;
  markFirst(stats, seq, time);
  const day = dayOf(time);
  const newDay = stats.lastDay !== day;
  if (newDay) stats.streakDays = stats.lastDay === day - 1 ? stats.streakDays + 1 : 1;
  stats.lastDay = day;
  state.addDayVolume(stats, day, volume);

  const referrer = state.referrerOf(account, seq);
  let milestones: CampaignAward[] = [];
  if (firstEver && referrer !== undefined) {
    const rStats = state.statsFor(referrer);
    rStats.referralCount += 1;
    if (rs) {
      const referrerHasReferrer = state.referrerOf(referrer, seq) !== undefined;
      milestones = evaluateReferralMilestones(state, rs.stacked, {
        referrer,
        referrerStats: rStats,
        referrerHasReferrer,
        referralCount: rStats.referralCount,
        merchant: s.payee,
        time,
      });
    }
  }
  if (!rs) return { rows, score };

  const body = rs.body;
  const tier = body.tiers ? pickTier(body.tiers, rollingVolume(stats.days, day, body.tiers.windowDays)) : pickTier(undefined, 0n);
  score.tier = tier.name;
  const rounding = config?.rounding ?? "floor";
  // sides.payer.enabled false: the payer's settlement still counts (tiers, campaigns) but earns no own points
  const payerEarns = body.sides?.payer.enabled !== false;
  const earn = config && payerEarns ? applyBps(basePoints(config, volume), tier.multiplierBps, rounding) : 0n;
  const ruleAwards = evaluateRules(
    payerEarns ? rs.sortedRules : [],
    {
      merchant: s.payee,
      mint: s.mint,
      volume,
      memo: s.memo,
      settlementCount: stats.settlementCount,
      referralCount: stats.referralCount,
      score: scoreBefore,
    },
    tier.multiplierBps,
    rounding,
  );
  const own = ruleAwards.reduce((a, r) => a + r.points, earn);
  push(account, earn, "earn");
  for (const r of ruleAwards) push(account, r.points, "rule", null, r.ruleId);

  const awards = evaluateCampaigns(state, rs.stacked, {
    account,
    stats,
    merchant: s.payee,
    time,
    volume,
    ownPoints: own,
    hasReferrer: referrer !== undefined,
    newDay,
    streakDays: stats.streakDays,
  });
  for (const a of awards) push(a.account, a.points, "campaign", a.campaignId);
  for (const a of milestones) push(a.account, a.points, "campaign", a.campaignId);

  const chain = rs.depth > 0 ? state.chainOf(account, seq, rs.depth) : [];
  const split = splitReferral(body.referral, own, chain.length);
  if (split.user > 0n) push(account, split.user, "referral", null, null, [account]);
  split.levels.forEach((share, i) => push(chain[i]!, share, "referral", null, null, [account, ...chain.slice(0, i + 1)]));

  const provider = body.sides?.provider;
  const providerAccount = provider && state.accountOf(s.payee, seq);
  // a wallet paying its own account earns nothing as its provider
  if (provider && providerAccount && providerAccount !== account) {
    const p = scoreProvider(state.providers, provider, rs.providerRules, {
      account: providerAccount,
      merchant: s.payee,
      mint: s.mint,
      volume,
      memo: s.memo,
      time,
      payerOwn: own,
    });
    for (const a of p.awards) push(providerAccount, a.points, a.ruleId === PROVIDER_EARN ? "earn" : "rule", null, a.ruleId);
    push(account, p.payerShare, "rule", null, PAYER_FROM_PROVIDER);
    if (rs.providerStacked.length > 0) {
      // participants live in the provider account's own stats row, under campaign ids unique across sides
      const pAwards = evaluateCampaigns(state, rs.providerStacked, {
        account: providerAccount,
        stats: state.statsFor(providerAccount),
        merchant: s.payee,
        time,
        volume,
        ownPoints: p.own,
        hasReferrer: false,
        newDay: false,
        streakDays: 0,
      });
      const pst = state.providers.statsFor(providerAccount);
      for (const a of pAwards) {
        push(providerAccount, a.points, "campaign", a.campaignId, PROVIDER_CAMPAIGN);
        pst.score += a.points;
      }
    }
  }

  score.points = rows.reduce((a, r) => (r.account === account ? a + r.delta : a), 0n);
  return { rows, score };
}

/**
 * A caught settlement: no rows and no change to the payer's counts, tier volume or streak. One held
 * for review carries the payer's earn and rule points as they would have been (tier with this
 * settlement's volume, counts including it), which an approval credits.
 */
function excluded(state: ScoringState, rs: CompiledRuleSet, s: Settlement, score: ScoreRow, caught: Caught): Scored {
  score.counted = false;
  let held = 0n;
  if (caught.action === "review") {
    const body = rs.body;
    const stats = state.stats.get(score.account);
    const day = dayOf(score.eventTime);
    const rolling = body.tiers ? rollingVolume(stats?.days, day, body.tiers.windowDays) + score.volume : 0n;
    const tier = pickTier(body.tiers, rolling);
    const config = resolveEarnConfig(body, s.payee, s.mint);
    const rounding = config?.rounding ?? "floor";
    if (body.sides?.payer.enabled !== false && (!config || score.volume >= config.minVolume)) {
      held = config ? applyBps(basePoints(config, score.volume), tier.multiplierBps, rounding) : 0n;
      const rules = evaluateRules(
        rs.sortedRules,
        {
          merchant: s.payee,
          mint: s.mint,
          volume: score.volume,
          memo: s.memo,
          settlementCount: (stats?.settlementCount ?? 0n) + 1n,
          referralCount: stats?.referralCount ?? 0,
          score: stats?.score ?? 0n,
        },
        tier.multiplierBps,
        rounding,
      );
      for (const r of rules) held += r.points;
    }
  }
  const exclusion: Exclusion = {
    settlementId: s.id,
    seq: score.seq,
    wallet: s.payer,
    counterparty: s.payee,
    account: score.account,
    reason: caught.reason,
    detail: caught.detail,
    status: caught.action === "review" ? "pending" : "excluded",
    heldPoints: held,
    ruleSetVersion: rs.version,
    occurredAt: score.eventTime,
  };
  return { rows: [], score, exclusion };
}
