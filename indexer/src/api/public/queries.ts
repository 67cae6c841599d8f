import type { Queryable } from "../../db/connection.js";
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

export async function walletFigures(
  q: Queryable,
  wallet: string,
  o: {
    distributor: string | null;
    /** The latest epoch's cutoff: ledger rows after it are in no epoch yet (ledger/epoch-range.ts). */
    openAfter: { seq: bigint; otherId: bigint };
    activeEpoch: bigint | null;
    pendingEpoch: bigint | null;
    today: number;
    windowDays: number;
  },
): Promise<WalletFigures> {
  const cumulativeAt = (epoch: bigint | null) => q`
    (select cumulative::text from epoch_wallets
     where distributor = ${o.distributor} and claimant = ${wallet} and epoch <= ${epoch} order by epoch desc limit 1)`;
  const [r] = await q<Record<string, string | Date | boolean | null>[]>`
    with l as (
      select delta, seq, id, settlement_id from point_ledger where hashtext(account) = hashtext(${wallet}) and account = ${wallet})
    select
      (select count(*) from l) > 0 or exists (select 1 from account_stats where account = ${wallet})
        or exists (select 1 from epoch_wallets where distributor = ${o.distributor} and claimant = ${wallet}) as known,
      (select coalesce(sum(delta), 0)::text from l) as total,
      (select coalesce(sum(delta), 0)::text from l
       where (settlement_id is not null and seq > ${o.openAfter.seq}) or (settlement_id is null and id > ${o.openAfter.otherId})) as open_epoch,
      (select recent_volume from account_stats where account = ${wallet}) as recent_volume,
      ${o.activeEpoch === null ? q`null` : cumulativeAt(o.activeEpoch)} as active_cumulative,
      ${o.pendingEpoch === null ? q`null` : cumulativeAt(o.pendingEpoch)} as pending_cumulative,
      c.slot::text as slot, c.updated_at
    from engine_cursor c where c.id = 1`;
  const big = (v: unknown) => (v === null || v === undefined ? null : BigInt(v as string));
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
}
