import type { Queryable, Tx } from "../db/connection.js";
import { BugError } from "../errors.js";
import type { CompiledRuleSet } from "../scoring/compiled.js";
import { decodeCampaigns, decodeDays, ScoringState } from "../scoring/state.js";
import type { EngineCursor, Settlement } from "../scoring/types.js";

/** Times come as epoch milliseconds: parsing timestamp text into Dates was a fifth of replay's CPU. */
export const SETTLEMENT_COLUMNS = `id, slot, tx_index, outer_index, inner_index, floor(extract(epoch from block_time) * 1000)::float8 as block_ms,
  mint, amount::text as amount, decimals, payer, payee, memo`;
export const CHAIN_ORDER = "slot, tx_index, outer_index, inner_index";

type ScoringSettlementRow = {
  id: bigint;
  slot: bigint;
  tx_index: number;
  outer_index: number;
  inner_index: number;
  block_ms: number | null;
  mint: string;
  amount: string;
  decimals: number;
  payer: string;
  payee: string;
  memo: string | null;
};

export const toSettlement = (r: ScoringSettlementRow): Settlement => ({
  id: r.id,
  slot: r.slot,
  txIndex: r.tx_index,
  outerIndex: r.outer_index,
  innerIndex: r.inner_index,
  blockTime: r.block_ms === null ? null : new Date(r.block_ms),
  mint: r.mint,
  amount: BigInt(r.amount),
  decimals: r.decimals,
  payer: r.payer,
  payee: r.payee,
  memo: r.memo,
});

/** The next settlements after a chain position (the cursor, or the last settlement read) in chain order, up to `maxSlot`. */
export async function nextSettlements(
  q: Queryable,
  c: Pick<EngineCursor, "slot" | "txIndex" | "outerIndex" | "innerIndex">,
  limit: number,
  maxSlot: bigint | null,
): Promise<Settlement[]> {
  const rows = await q<ScoringSettlementRow[]>`
    select ${q.unsafe(SETTLEMENT_COLUMNS)} from settlements
    where (slot, tx_index, outer_index, inner_index) > (${c.slot}, ${c.txIndex}, ${c.outerIndex}, ${c.innerIndex})
      and (${maxSlot}::bigint is null or slot <= ${maxSlot}::bigint)
    order by ${q.unsafe(CHAIN_ORDER)}
    limit ${limit}`;
  return rows.map(toSettlement);
}

/**
 * Settlements already scored past the state checkpoint, (stateSeq, seq], with the sequence and
 * event time they were scored at: re-scoring them in memory brings a cold state up to the cursor.
 */
export async function scoredSince(
  q: Queryable,
  stateSeq: bigint,
  seq: bigint,
  /** seqs of the range taken by off-chain events (engine/events.ts) */
  events = 0,
): Promise<{ s: Settlement; seq: bigint; time: Date }[]> {
  if (stateSeq >= seq) return [];
  const rows = await q<(ScoringSettlementRow & { seq: bigint; event_ms: number })[]>`
    select sc.seq, floor(extract(epoch from sc.event_time) * 1000)::float8 as event_ms, ${q.unsafe(SETTLEMENT_COLUMNS)}
    from settlement_scores sc join settlements on settlements.id = sc.settlement_id
    where sc.seq > ${stateSeq} and sc.seq <= ${seq} order by sc.seq`;
  if (rows.length + events !== Number(seq - stateSeq)) {
    throw new BugError(
      "engine_state_tail",
      `engine state tail: expected ${seq - stateSeq} scored settlements and events after seq ${stateSeq}, found ${rows.length} and ${events}`,
    );
  }
  return rows.map((r) => ({ s: toSettlement(r), seq: r.seq, time: new Date(r.event_ms) }));
}

/**
 * Links and referrals adopted while a worker's state sat warm in memory: every admin write lands
 * between two batches under the cursor lock, stamped with the cursor's seq, so they are exactly
 * the rows with after_seq >= the seq the state is at. Setting a link twice is harmless.
 */
export async function refreshLinks(q: Queryable, state: ScoringState, seq: bigint): Promise<void> {
  let added = false;
  for (const r of await q<{ address: string; account: string; after_seq: bigint }[]>`
      select address, account, after_seq from linked_addresses where after_seq >= ${seq}`) {
    state.addressLinks.set(r.address, { to: r.account, afterSeq: r.after_seq });
    state.loaded.addresses.add(r.address);
    added = true;
  }
  for (const r of await q<{ referee: string; referrer: string; after_seq: bigint }[]>`
      select referee, referrer, after_seq from referral_links where after_seq >= ${seq}`) {
    state.referralLinks.set(r.referee, { to: r.referrer, afterSeq: r.after_seq });
    state.loaded.referees.add(r.referee);
    added = true;
  }
  // a payer's chain may now reach accounts not loaded yet: walk every payer again
  if (added) state.loaded.payers.clear();
}

const campaignIdsOf = (history: readonly CompiledRuleSet[]) =>
  [...new Set(history.flatMap((v) => [...v.body.campaigns, ...(v.body.sides?.provider?.campaigns ?? [])].map((c) => c.id)))].sort();

/**
 * Once per batch, inside its transaction: every campaign of the history gets its budget row, locked,
 * and its totals go into the state unless the state (warm, ahead of the checkpoint) has them.
 */
export async function lockCampaignBudgets(tx: Tx, history: readonly CompiledRuleSet[], state: ScoringState): Promise<void> {
  const campaignIds = campaignIdsOf(history);
  if (campaignIds.length === 0) return;
  await tx`insert into campaign_state (campaign_id) select unnest(${campaignIds}::text[]) on conflict do nothing`;
  // Sorted ids: every locker takes the budget rows in the same order, so no deadlock.
  for (const r of await tx<{ campaign_id: string; spent: bigint; participants: number }[]>`
      select campaign_id, spent, participants from campaign_state where campaign_id = any(${campaignIds}) order by campaign_id for update`) {
    if (!state.campaigns.has(r.campaign_id)) state.campaigns.set(r.campaign_id, { spent: r.spent, participants: r.participants });
  }
}

/**
 * Keys as one comma-joined text, split server-side: addresses and accounts are base58 (or 0x hex
 * for linked EVM addresses), never a comma. As a text[] parameter postgres.js escapes every element
 * with two regular expressions, which showed in bench:engine's CPU profile.
 */
export const keyList = (keys: readonly string[]) => keys.join(",");

export const unseen = (keys: Iterable<string>, seen: Set<string>) => {
  const out: string[] = [];
  for (const k of keys)
    if (!seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  return out;
};

/**
 * Loads every row of scoring state the batch can touch: links of the payers, referral chains
 * `depth` deep, stats of all those accounts (with their tier-window day buckets and campaign
 * counters). Reads only, so beside a streaming COPY they can go
 * through another pooled connection: while the cursor is held nothing else writes these rows.
 * Given the state a worker kept from its previous batch, it queries only keys it has not seen yet.
 */
export async function loadBatchState(
  q: Queryable,
  batch: readonly Settlement[],
  versions: readonly CompiledRuleSet[],
  warm?: ScoringState,
): Promise<ScoringState> {
  const state = warm ?? new ScoringState();
  const seen = state.loaded;
  // Two levels at least: a referral milestone asks whether the payer's referrer has a referrer
  // (requireReferrer), whatever the split depth; replay, which holds every link, would see it.
  const depth = Math.max(2, ...versions.map((v) => v.depth));
  if (depth > seen.depth) {
    seen.payers.clear();
    seen.depth = depth;
  }
  // Payers met before (most of them, once a worker is warm) need nothing: one lookup each. Payees
  // too when a version credits providers or screens linked addresses (their links and stats).
  const payees = versions.some((v) => v.body.sides?.provider || v.body.fraud?.linkedAddresses);
  const payers = unseen(payees ? batch.flatMap((s) => [s.payer, s.payee]) : batch.map((s) => s.payer), seen.payers);
  if (payers.length === 0) return state;
  const loadAddressLinks = async (addresses: Iterable<string>) => {
    const ask = unseen(addresses, seen.addresses);
    if (ask.length === 0) return;
    for (const r of await q<{ address: string; account: string; after_seq: bigint }[]>`
        select address, account, after_seq from linked_addresses where address = any(string_to_array(${keyList(ask)}, ','))`) {
      state.addressLinks.set(r.address, { to: r.account, afterSeq: r.after_seq });
    }
  };
  await loadAddressLinks(payers);
  // Both sides of a link that lands mid-history may score in this batch.
  const accounts = new Set(payers);
  for (const p of payers) {
    const link = state.addressLinks.get(p);
    if (link) accounts.add(link.to);
  }

  const everyone = new Set(accounts);
  let frontier = [...accounts];
  for (let level = 0; level < depth && frontier.length > 0; level++) {
    const ask = unseen(frontier, seen.referees);
    if (ask.length > 0) {
      for (const r of await q<{ referee: string; referrer: string; after_seq: bigint }[]>`
          select referee, referrer, after_seq from referral_links where referee = any(string_to_array(${keyList(ask)}, ','))`) {
        state.referralLinks.set(r.referee, { to: r.referrer, afterSeq: r.after_seq });
      }
    }
    // A referrer is the wallet a code was adopted from or, once that wallet is linked, its account
    // (ScoringState.referrerOf): both are loaded, as either may score in this batch.
    const ups = frontier.map((a) => state.referralLinks.get(a)?.to).filter((up) => up !== undefined);
    await loadAddressLinks(ups);
    const next: string[] = [];
    for (const up of ups) {
      for (const x of [up, state.addressLinks.get(up)?.to]) {
        if (x !== undefined && !everyone.has(x)) {
          everyone.add(x);
          next.push(x);
        }
      }
    }
    frontier = next;
  }

  const newAccountStats = unseen(everyone, seen.stats);
  if (newAccountStats.length > 0) {
    for (const r of await q<
      {
        account: string;
        settlement_count: bigint;
        volume_total: bigint;
        score: bigint;
        balance: bigint;
        first_seq: bigint | null;
        first_activity_at: Date | null;
        last_day: number | null;
        streak_days: number;
        referral_count: number;
        recent_volume: string;
        campaigns: string;
      }[]
    >`select * from account_stats where account = any(string_to_array(${keyList(newAccountStats)}, ','))`) {
      const parts = decodeCampaigns(r.account, r.campaigns);
      state.stats.set(r.account, {
        settlementCount: r.settlement_count,
        volumeTotal: r.volume_total,
        score: r.score,
        balance: r.balance,
        firstSeq: r.first_seq,
        firstActivityAt: r.first_activity_at,
        lastDay: r.last_day,
        streakDays: r.streak_days,
        referralCount: r.referral_count,
        dirty: false,
        days: r.recent_volume === "" ? undefined : decodeDays(r.recent_volume),
        parts: parts.length === 0 ? undefined : new Map(parts.map((p) => [p.campaignId, p])),
      });
    }
  }

  return state;
}
