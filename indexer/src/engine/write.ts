import type { Tx } from "../db/connection.js";
import { copyRows } from "../db/copy-pipe.js";
import { LEDGER_COPY_TARGET, SCORES_COPY_TARGET, writeLedgerRow, writeScoreRow } from "./copy-rows.js";
import { encodeCampaigns, encodeDays, newAccountStats, type ScoringState } from "../scoring/state.js";
import type { LedgerRow, ScoreRow } from "../scoring/types.js";

/**
 * Batch writes as multi-row `unnest` inserts (PGlite cannot COPY FROM STDIN; one statement per
 * table per batch). Each column travels as one array literal built here and cast in SQL, so bigint
 * never passes through a JS number, and the driver sends one string instead of encoding
 * 70,000 array elements one by one (that encoding was most of the writer's CPU).
 */
const s = (v: bigint | number | null) => (v === null ? null : v.toString());
const t = (v: Date | null) => (v === null ? null : v.toISOString());
const NEEDS_ESCAPE = /["\\]/;
const NEEDS_ARRAY_QUOTE = /["\\,{}\s]|^null$/i;

/** A text[] literal, element quoting only where the array syntax needs it. */
function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => (v === "" || NEEDS_ARRAY_QUOTE.test(v) ? `"${v.replace(/["\\]/g, "\\$&")}"` : v)).join(",")}}`;
}

/** A Postgres array literal: every element quoted (so commas, braces and spaces are safe), NULL for null. */
export function arr(values: readonly (string | null)[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    parts[i] = v === null || v === undefined ? "NULL" : NEEDS_ESCAPE.test(v) ? `"${v.replace(/["\\]/g, "\\$&")}"` : `"${v}"`;
  }
  return `{${parts.join(",")}}`;
}

/** `copy`: the server takes COPY FROM STDIN (any real PostgreSQL; not the embedded PGlite). */
export async function insertLedgerRows(tx: Tx, rows: readonly LedgerRow[], copy = false): Promise<void> {
  if (rows.length === 0) return;
  if (copy) return copyRows(tx, LEDGER_COPY_TARGET, rows, writeLedgerRow);
  await tx`
    insert into point_ledger (seq, settlement_id, account, delta, reason, campaign_id, rule_id, referral_path, rule_set_version, occurred_at)
    select seq, settlement_id, account, delta, reason, campaign_id, rule_id, path::text[], rule_set_version, occurred_at
    from unnest(
      ${arr(rows.map((r) => s(r.seq)))}::bigint[], ${arr(rows.map((r) => s(r.settlementId)))}::bigint[], ${arr(rows.map((r) => r.account))}::text[],
      ${arr(rows.map((r) => s(r.delta)))}::bigint[], ${arr(rows.map((r) => r.reason))}::text[], ${arr(rows.map((r) => r.campaignId))}::text[],
      ${arr(rows.map((r) => r.ruleId))}::text[], ${arr(rows.map((r) => (r.referralPath ? textArrayLiteral(r.referralPath) : null)))}::text[],
      ${arr(rows.map((r) => s(r.ruleSetVersion)))}::bigint[], ${arr(rows.map((r) => t(r.occurredAt)))}::timestamptz[]
    ) as x(seq, settlement_id, account, delta, reason, campaign_id, rule_id, path, rule_set_version, occurred_at)`;
}

export async function insertScores(tx: Tx, rows: readonly ScoreRow[], copy = false): Promise<void> {
  if (rows.length === 0) return;
  if (copy) return copyRows(tx, SCORES_COPY_TARGET, rows, writeScoreRow);
  await tx`
    insert into settlement_scores (settlement_id, seq, account, volume, tier, rule_set_version, points, event_time, counted)
    select * from unnest(
      ${arr(rows.map((r) => s(r.settlementId)))}::bigint[], ${arr(rows.map((r) => s(r.seq)))}::bigint[], ${arr(rows.map((r) => r.account))}::text[],
      ${arr(rows.map((r) => s(r.volume)))}::bigint[], ${arr(rows.map((r) => r.tier))}::text[], ${arr(rows.map((r) => s(r.ruleSetVersion)))}::bigint[],
      ${arr(rows.map((r) => s(r.points)))}::bigint[], ${arr(rows.map((r) => t(r.eventTime)))}::timestamptz[],
      ${arr(rows.map((r) => (r.counted ? "t" : "f")))}::boolean[])`;
}

/** Accounts per statement of a checkpoint: about 1 KB of text each. */
const STATE_PART = 2000;

/**
 * Writes back every state row the batch changed, with the values computed in memory. A checkpoint
 * rewrites about every account (100k in bench:engine), so it goes in parts, each sent as soon as it
 * is built: the server upserts one part while Node encodes the next.
 */
export async function writeState(tx: Tx, state: ScoringState, keepAfterDay: number): Promise<void> {
  const accounts = [...state.dirtyStats];
  const sent: Promise<unknown>[] = [];
  for (let i = 0; i < accounts.length; i += STATE_PART) {
    const part = upsertStats(tx, state, accounts.slice(i, i + STATE_PART), keepAfterDay).execute();
    part.catch(() => {}); // awaited below; a failure while later parts are built must not go unhandled
    sent.push(part);
    // a turn of the event loop lets the socket take this part before the next one is encoded
    if (i + STATE_PART < accounts.length) await new Promise(setImmediate);
  }
  await Promise.all(sent);
  const ids = [...state.dirtyCampaigns];
  if (ids.length > 0) {
    const c = ids.map((id) => state.campaigns.get(id)!);
    await tx`
      update campaign_state as cs set spent = x.spent, participants = x.participants
      from unnest(${arr(ids)}::text[], ${arr(c.map((x) => s(x.spent)))}::bigint[], ${arr(c.map((x) => s(x.participants)))}::int[]) as x(id, spent, participants)
      where cs.campaign_id = x.id`;
  }
}

function upsertStats(tx: Tx, state: ScoringState, accounts: readonly string[], keepAfterDay: number) {
  const st = accounts.map((a) => state.stats.get(a) ?? newAccountStats());
  return tx`
      insert into account_stats (account, settlement_count, volume_total, score, balance, first_seq, first_activity_at, last_day, streak_days, referral_count, recent_volume, campaigns)
      select * from unnest(
        ${arr(accounts)}::text[], ${arr(st.map((x) => s(x.settlementCount)))}::bigint[], ${arr(st.map((x) => s(x.volumeTotal)))}::bigint[],
        ${arr(st.map((x) => s(x.score)))}::bigint[], ${arr(st.map((x) => s(x.balance)))}::bigint[], ${arr(st.map((x) => s(x.firstSeq)))}::bigint[],
        ${arr(st.map((x) => t(x.firstActivityAt)))}::timestamptz[], ${arr(st.map((x) => s(x.lastDay)))}::int[], ${arr(st.map((x) => s(x.streakDays)))}::int[],
        ${arr(st.map((x) => s(x.referralCount)))}::int[], ${arr(st.map((x) => encodeDays(x.days, keepAfterDay)))}::text[],
        ${arr(st.map((x) => encodeCampaigns(x)))}::text[])
      on conflict (account) do update set settlement_count = excluded.settlement_count, volume_total = excluded.volume_total,
        score = excluded.score,
        -- admin adjustments move balance in the table while the engine holds the account in memory:
        -- add the engine's own change (score) to whatever the balance is now
        balance = account_stats.balance + excluded.score - account_stats.score,
        first_seq = least(account_stats.first_seq, excluded.first_seq),
        first_activity_at = least(account_stats.first_activity_at, excluded.first_activity_at),
        last_day = excluded.last_day, streak_days = excluded.streak_days, referral_count = excluded.referral_count,
        recent_volume = excluded.recent_volume, campaigns = excluded.campaigns`;
}
