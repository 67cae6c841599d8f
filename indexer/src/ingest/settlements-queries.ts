import type { Queryable } from "../db.js";
import type { SettlementRow } from "./types.js";

/**
 * Settlement rows in one multi-row statement: columns travel as arrays and `unnest` turns them
 * back into rows, so 1,000 settlements cost one round trip and one parse whatever the batch size
 * (a VALUES list would need 18,000 parameters). Works the same on PGlite, where COPY does not.
 * Redelivery is a no-op: the unique (signature, path) key absorbs it.
 */
export async function insertSettlements(q: Queryable, rows: readonly SettlementRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const col = <T>(f: (r: SettlementRow) => T) => rows.map(f);
  const result = await q`
    insert into settlements (
      signature, outer_index, inner_index, slot, tx_index, block_time, mint, token_program, amount,
      decimals, payer, payee, source_account, destination_account, fee_payer, facilitator, memo, source)
    select * from unnest(
      ${col((r) => r.signature)}::text[], ${col((r) => String(r.outerIndex))}::int2[], ${col((r) => String(r.innerIndex))}::int2[],
      ${col((r) => r.slot.toString())}::int8[], ${col((r) => String(r.txIndex))}::int4[],
      ${col((r) => (r.blockTime ? r.blockTime.toISOString() : null))}::timestamptz[],
      ${col((r) => r.mint)}::text[], ${col((r) => r.tokenProgram)}::text[], ${col((r) => r.amount.toString())}::numeric[],
      ${col((r) => String(r.decimals))}::int2[], ${col((r) => r.payer)}::text[], ${col((r) => r.payee)}::text[],
      ${col((r) => r.sourceAccount)}::text[], ${col((r) => r.destinationAccount)}::text[], ${col((r) => r.feePayer)}::text[],
      ${col((r) => r.facilitator)}::text[], ${col((r) => r.memo)}::text[], ${col((r) => r.source)}::text[])
    on conflict on constraint settlements_signature_path_key do nothing`;
  return result.count;
}

export interface StoredSettlement {
  signature: string;
  outer_index: number;
  inner_index: number;
  slot: bigint;
  tx_index: number;
  block_time: Date | null;
  mint: string;
  token_program: string;
  amount: string;
  decimals: number;
  payer: string;
  payee: string;
  source_account: string;
  destination_account: string;
  fee_payer: string;
  facilitator: string | null;
  memo: string | null;
  source: string;
}

/** Every settlement in chain order (tests, replay checks). */
export async function listSettlements(q: Queryable): Promise<StoredSettlement[]> {
  const rows = await q<StoredSettlement[]>`
    select signature, outer_index, inner_index, slot, tx_index, block_time, mint, token_program,
           amount::text as amount, decimals, payer, payee, source_account, destination_account,
           fee_payer, facilitator, memo, source
    from settlements order by slot, tx_index, outer_index, inner_index`;
  return [...rows];
}

export async function countSettlements(q: Queryable): Promise<number> {
  const [row] = await q<{ n: number }[]>`select count(*)::int as n from settlements`;
  return row!.n;
}
