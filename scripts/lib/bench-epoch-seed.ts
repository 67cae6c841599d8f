// The ledger of bench:epoch and bench:api: N wallets with one scored settlement each (an earn row,
// and a campaign row for every tenth), written straight into the tables the engine fills.
import { randomBytes } from "node:crypto";
import { encodeKey58 } from "@merit/clients/merkle";
import type { Sql } from "../../indexer/src/db/connection.js";

/** Real 32-byte keys: accounts that are not Solana addresses are left out of an epoch. */
export const keys = (n: number) => Array.from({ length: n }, () => encodeKey58(randomBytes(32)));

export async function seed(sql: Sql, wallets: string[], log: (line: string) => void): Promise<void> {
  const CHUNK = 50_000;
  for (let i = 0; i < wallets.length; i += CHUNK) {
    const part = wallets.slice(i, i + CHUNK);
    const seqs = part.map((_, k) => String(i + k + 1));
    // one settlement each, scored: an earn row, and a campaign bonus for every tenth wallet
    await sql`
      with s as (
        insert into settlements (signature, outer_index, inner_index, slot, tx_index, block_time, mint, token_program, amount, decimals,
          payer, payee, source_account, destination_account, fee_payer, source)
        select 'bench-' || seq, 0, -1, seq, 0, now(), 'MINT', 'Tokenkeg', 1000000, 6, w, 'SHOP', w, 'SHOP', w, 'replay'
        from unnest(${part}::text[], ${seqs}::bigint[]) as x(w, seq)
        returning id, slot as seq, payer)
      insert into settlement_scores (settlement_id, seq, account, volume, points, event_time, counted)
      select id, seq, payer, 1000000, 1000 + (seq % 7) * 100, now(), true from s`;
    await sql`
      insert into point_ledger (seq, settlement_id, account, delta, reason, campaign_id, occurred_at)
      select ss.seq, ss.settlement_id, ss.account, ss.points, 'earn', null, now() from settlement_scores ss where ss.seq > ${i} and ss.seq <= ${i + part.length}
      union all
      select ss.seq, ss.settlement_id, ss.account, 250, 'campaign', 'launch', now() from settlement_scores ss where ss.seq > ${i} and ss.seq <= ${i + part.length} and ss.seq % 10 = 0`;
    if ((i / CHUNK) % 4 === 0) log(`seeded ${i + part.length} wallets`);
  }
  await sql`insert into engine_cursor (id, seq, slot, tx_index, outer_index, inner_index) values (1, ${wallets.length}, ${wallets.length}, 0, 0, -1)
    on conflict (id) do update set seq = excluded.seq, slot = excluded.slot, tx_index = 0, outer_index = 0, inner_index = -1`;
  await sql`insert into ingest_watermark (id, slot) values (1, ${wallets.length}) on conflict (id) do update set slot = excluded.slot`;
  // What a ledger that grew over days has had: vacuumed (else autovacuum takes up the three million
  // fresh rows during the measured close), its statistics current, its pages checkpointed.
  await sql`vacuum analyze`;
  await sql`checkpoint`;
}
