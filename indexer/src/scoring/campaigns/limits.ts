import type { Campaign } from "../../rules/schema.js";
import type { AccountStats, ScoringState } from "../state.js";
import { minBig } from "../points/math.js";

/**
 * Caps a campaign award by every limit, in this order: per-wallet count, cooldown, participant
 * cap, per-wallet points, then the campaign budget. The award that would cross a points cap gets
 * exactly what is left; later ones get nothing. Records the grant in the state and returns it.
 *
 * `campaign_state.participants` and per-wallet award counters are kept only for campaigns with a
 * participant cap or a per-wallet limit; for the others the ledger itself says who was paid.
 *
 * Concurrency: the live worker holds the engine cursor and `for update` locks on the campaign_state
 * rows of the batch, so the in-memory budget here is the only writer of that budget.
 */
export function grant(state: ScoringState, campaign: Campaign, account: string, raw: bigint, time: Date, stats?: AccountStats): bigint {
  if (raw <= 0n) return 0n;
  const totals = state.campaigns.get(campaign.id) ?? { spent: 0n, participants: 0 };
  if (totals.spent >= campaign.budget) return 0n;
  const st = stats ?? state.statsFor(account);
  const p = st.parts?.get(campaign.id);
  const limits = campaign.perWallet;
  if (limits.maxCount !== undefined && (p?.awards ?? 0) >= limits.maxCount) return 0n;
  if (limits.cooldownSeconds !== undefined && p?.lastAwardAt && time.getTime() - p.lastAwardAt.getTime() < limits.cooldownSeconds * 1000)
    return 0n;
  const isNew = (p?.awards ?? 0) === 0;
  if (isNew && campaign.maxParticipants !== undefined && totals.participants >= campaign.maxParticipants) return 0n;
  let amount = raw;
  if (limits.maxPoints !== undefined) amount = minBig(amount, limits.maxPoints - (p?.points ?? 0n));
  amount = minBig(amount, campaign.budget - totals.spent);
  if (amount <= 0n) return 0n;

  const t = state.campaignFor(campaign.id);
  t.spent += amount;
  // Per-wallet state is only kept where a limit reads it: it is the costliest write of a batch.
  if (!tracksParticipants(campaign)) return amount;
  if (isNew) t.participants += 1;
  const part = state.participantFor(st, campaign.id, account);
  part.awards += 1;
  part.points += amount;
  part.lastAwardAt = time;
  return amount;
}

/** Whether any limit of this campaign needs per-wallet state (counters in account_stats.campaigns). */
export function tracksParticipants(c: Campaign): boolean {
  const w = c.perWallet;
  return c.maxParticipants !== undefined || w.maxCount !== undefined || w.maxPoints !== undefined || w.cooldownSeconds !== undefined;
}
