import type { Queryable } from "../../db/connection.js";
import { arr } from "../../engine/write.js";
import { rollingVolume } from "../../scoring/points/tiers.js";
import { decodeDays } from "../../scoring/state.js";

/**
 * The API's one read of a wallet, in one round trip: its points (all, and those after the latest
 * epoch's cutoff), its tier window's volume, its cumulative amounts in the active and pending roots,
 * and the engine position the figures reflect. Every lookup goes through an index on the account.
 */
export interface WalletFigures {
  known: boolean;
  total: bigint;
  openEpoch: bigint;
  rollingVolume: bigint;
  activeCumulative: bigint | null;
  pendingCumulative: bigint | null;
  slot: bigint;
  updatedAt: Date | null;
}

/** What `walletFigures` reads against: the same for every wallet of a request burst. */
export interface FiguresAt {
  distributor: string | null;
  /** The latest epoch's cutoff: ledger rows after it are in no epoch yet (ledger/epoch-range.ts). */
  openAfter: { seq: bigint; otherId: bigint };
  activeEpoch: bigint | null;
  pendingEpoch: bigint | null;
  today: number;
  windowDays: number;
}

/**
 * The figures of several wallets in one statement (one row per wallet, by position), so
 * concurrent requests share a round trip and the server parses and plans once.
 */
export async function walletFiguresMany(q: Queryable, wallets: readonly string[], o: FiguresAt): Promise<WalletFigures[]> {
  const cumulativeAt = (epoch: bigint | null) => q`
    (select cumulative::text from epoch_wallets
     where distributor = ${o.distributor} and claimant = w.wallet and epoch <= ${epoch} order by epoch desc limit 1)`;
  const rows = await q<Record<string, string | Date | boolean | null>[]>`
    select
      w.ord::int as ord,
      l.n > 0 or exists (select 1 from account_stats where account = w.wallet)
        or exists (select 1 from epoch_wallets where distributor = ${o.distributor} and claimant = w.wallet) as known,
      l.total, l.open_epoch,
      (select recent_volume from account_stats where account = w.wallet) as recent_volume,
      ${o.activeEpoch === null ? q`null` : cumulativeAt(o.activeEpoch)} as active_cumulative,
      ${o.pendingEpoch === null ? q`null` : cumulativeAt(o.pendingEpoch)} as pending_cumulative,
      c.slot::text as slot, c.updated_at
    from engine_cursor c
    cross join unnest(${arr(wallets)}::text[]) with ordinality as w(wallet, ord)
    cross join lateral (
      select count(*) as n, coalesce(sum(delta), 0)::text as total,
        coalesce(sum(delta) filter (
          where (settlement_id is not null and seq > ${o.openAfter.seq}) or (settlement_id is null and id > ${o.openAfter.otherId})), 0)::text as open_epoch
      from point_ledger where hashtext(account) = hashtext(w.wallet) and account = w.wallet) l
    where c.id = 1`;
  const byOrd = new Map(rows.map((r) => [r.ord as unknown as number, r]));
  const big = (v: unknown) => (v === null || v === undefined ? null : BigInt(v as string));
  return wallets.map((_, i) => {
    const r = byOrd.get(i + 1);
    return {
      known: r?.known === true,
      total: big(r?.total) ?? 0n,
      openEpoch: big(r?.open_epoch) ?? 0n,
      // the tier window's day buckets, "day:volume,…", as the engine checkpointed them
      rollingVolume: r?.recent_volume ? rollingVolume(decodeDays(r.recent_volume as string), o.today, o.windowDays) : 0n,
      activeCumulative: big(r?.active_cumulative),
      pendingCumulative: big(r?.pending_cumulative),
      slot: big(r?.slot) ?? -1n,
      updatedAt: (r?.updated_at as Date | null) ?? null,
    };
  });
}
