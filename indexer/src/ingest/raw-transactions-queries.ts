import type { Queryable } from "../db.js";
import type { IngestSource, RawEncoding } from "./types.js";

export interface RawTransactionRow {
  signature: string;
  slot: bigint;
  source: IngestSource;
  encoding: RawEncoding;
  body: string;
}

/** Once per transaction: a redelivered or re-polled transaction keeps its first recorded body. */
export async function insertRawTransactions(q: Queryable, rows: readonly RawTransactionRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await q`
    insert into raw_transactions (signature, slot, source, encoding, body)
    select * from unnest(${rows.map((r) => r.signature)}::text[], ${rows.map((r) => r.slot.toString())}::int8[],
                         ${rows.map((r) => r.source)}::text[], ${rows.map((r) => r.encoding)}::text[], ${rows.map((r) => r.body)}::text[])
    on conflict on constraint raw_transactions_pkey do nothing`;
  return result.count;
}

export async function getRawTransaction(q: Queryable, signature: string): Promise<RawTransactionRow | undefined> {
  const [row] = await q<RawTransactionRow[]>`
    select signature, slot, source, encoding, body from raw_transactions where signature = ${signature}`;
  return row;
}
