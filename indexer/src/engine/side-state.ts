import type { Queryable, Tx } from "../db/connection.js";
import type { CompiledRuleSet } from "../scoring/compiled.js";
import { fraudKeys } from "../scoring/fraud/screen.js";
import { decodeDays, encodeDays, type ScoringState } from "../scoring/state.js";
import type { Exclusion, Settlement } from "../scoring/types.js";
import { settlementsExcluded } from "../metrics/index.js";
import { keyList, loadBatchState, unseen } from "./load.js";
import { arr } from "./write.js";

/**
 * The state of fraud screening (engine_side_state) and of the provider side (provider_stats),
 * loaded and written like account_stats: only the keys a batch can touch, only versions that use
 * them, so rule sets without `fraud` or `sides.provider` cost nothing here.
 */
/** loadBatchState, then the side state of the same settlements. */
export async function loadScoringState(
  q: Queryable,
  batch: readonly Settlement[],
  versions: readonly CompiledRuleSet[],
  warm?: ScoringState,
): Promise<ScoringState> {
  const state = await loadBatchState(q, batch, versions, warm);
  await loadSideState(q, state, batch, versions);
  return state;
}

export async function loadSideState(q: Queryable, state: ScoringState, batch: readonly Settlement[], versions: readonly CompiledRuleSet[]) {
  if (versions.some((v) => v.body.fraud)) {
    const ask = unseen(
      batch.flatMap((s) => fraudKeys(s.payer, s.payee)),
      state.fraud.loaded,
    );
    if (ask.length > 0)
      for (const r of await q<{ key: string; value: string }[]>`
          select key, value from engine_side_state where key = any(string_to_array(${keyList(ask)}, ','))`)
        state.fraud.decode(r.key, r.value);
  }
  if (versions.some((v) => v.body.sides?.provider)) {
    // the payee and, once linked, its account: either may be the provider account at a settlement's turn
    const accounts = batch.flatMap((s) => {
      const to = state.addressLinks.get(s.payee)?.to;
      return to ? [s.payee, to] : [s.payee];
    });
    const ask = unseen(accounts, state.providers.loaded);
    if (ask.length > 0)
      for (const r of await q<{ account: string; settlement_count: bigint; volume_total: bigint; score: bigint; recent_volume: string }[]>`
          select account, settlement_count, volume_total, score, recent_volume from provider_stats
          where account = any(string_to_array(${keyList(ask)}, ','))`)
        state.providers.stats.set(r.account, {
          settlementCount: r.settlement_count,
          volumeTotal: r.volume_total,
          score: r.score,
          days: decodeDays(r.recent_volume),
        });
  }
}

/** Writes back the side state the batch changed (before ScoringState.clearDirty). */
export async function writeSideState(tx: Tx, state: ScoringState, keepAfterDay: number): Promise<void> {
  const keys = [...state.fraud.dirty];
  const values = keys.map((k) => state.fraud.encode(k) ?? null);
  if (keys.length > 0)
    await tx`
      insert into engine_side_state (key, value) select k, v from unnest(${arr(keys)}::text[], ${arr(values)}::text[]) as x(k, v) where v is not null
      on conflict (key) do update set value = excluded.value`;
  const accounts = [...state.providers.dirty];
  if (accounts.length === 0) return;
  const st = accounts.map((a) => state.providers.stats.get(a)!);
  const s = (v: bigint) => v.toString();
  await tx`
    insert into provider_stats (account, settlement_count, volume_total, score, recent_volume)
    select * from unnest(${arr(accounts)}::text[], ${arr(st.map((x) => s(x.settlementCount)))}::bigint[],
      ${arr(st.map((x) => s(x.volumeTotal)))}::bigint[], ${arr(st.map((x) => s(x.score)))}::bigint[],
      ${arr(st.map((x) => encodeDays(x.days, keepAfterDay)))}::text[])
    on conflict (account) do update set settlement_count = excluded.settlement_count, volume_total = excluded.volume_total,
      score = excluded.score, recent_volume = excluded.recent_volume`;
  for (const x of st) for (const d of x.days.keys()) if (d <= keepAfterDay) x.days.delete(d);
}

/** The batch's caught settlements; a settlement is caught once (re-scoring a tail writes nothing). */
export async function insertExclusions(tx: Tx, rows: readonly Exclusion[]): Promise<void> {
  if (rows.length === 0) return;
  for (const r of rows) settlementsExcluded.inc({ reason: r.reason, status: r.status });
  const s = (v: bigint | null) => (v === null ? null : v.toString());
  await tx`
    insert into settlement_exclusions (settlement_id, seq, wallet, counterparty, account, reason, detail, status, held_points, rule_set_version, occurred_at)
    select * from unnest(${arr(rows.map((r) => s(r.settlementId)))}::bigint[], ${arr(rows.map((r) => s(r.seq)))}::bigint[],
      ${arr(rows.map((r) => r.wallet))}::text[], ${arr(rows.map((r) => r.counterparty))}::text[], ${arr(rows.map((r) => r.account))}::text[],
      ${arr(rows.map((r) => r.reason))}::text[], ${arr(rows.map((r) => r.detail))}::text[], ${arr(rows.map((r) => r.status))}::text[],
      ${arr(rows.map((r) => s(r.heldPoints)))}::bigint[], ${arr(rows.map((r) => s(r.ruleSetVersion)))}::bigint[],
      ${arr(rows.map((r) => r.occurredAt.toISOString()))}::timestamptz[])
    on conflict (settlement_id) do nothing`;
}

/**
 * Replay's check of fraud screening: every recomputed catch against settlement_exclusions up to
 * `untilSeq` (reason, held points, and excluded vs. queued: an approved or rejected row was queued).
 * The decisions themselves are inputs, not recomputed. Returns the settlement ids that differ.
 */
export async function compareExclusions(q: Queryable, recomputed: readonly Exclusion[], untilSeq: bigint): Promise<bigint[]> {
  const line = (id: bigint, reason: string, queued: boolean, held: bigint) => `${id}|${reason}|${queued}|${held}`;
  const stored = new Map<bigint, string>();
  for (const r of await q<{ settlement_id: bigint; reason: string; status: string; held_points: bigint }[]>`
      select settlement_id, reason, status, held_points from settlement_exclusions where seq <= ${untilSeq}`)
    stored.set(r.settlement_id, line(r.settlement_id, r.reason, r.status !== "excluded", r.held_points));
  const out: bigint[] = [];
  for (const e of recomputed) {
    if (stored.get(e.settlementId) !== line(e.settlementId, e.reason, e.status === "pending", e.heldPoints)) out.push(e.settlementId);
    stored.delete(e.settlementId);
  }
  out.push(...stored.keys());
  return out.slice(0, 20);
}
