import type { Queryable } from "../db.js";
import { BugError } from "../errors.js";
import type { IngestSource, RawEncoding } from "./types.js";

export interface RawTransactionRow {
  signature: string;
  slot: bigint;
  source: IngestSource;
  encoding: RawEncoding;
  body: string;
  txIndex: number | null;
}

/**
 * A record separator no JSON text can contain: JSON escapes every control character inside
 * strings and allows none outside them.
 */
const RS = "\u001e";

/**
 * Once per transaction: a redelivered or re-polled transaction keeps its first recorded body.
 * The bodies travel as ONE text parameter split server-side: as a text[] parameter every quote in
 * the JSON is escaped by the client and unescaped by array_in, which measured 3-4x slower
 * (BENCHMARKS.md, bench:ingest).
 */
export async function insertRawTransactions(q: Queryable, rows: readonly RawTransactionRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  for (const r of rows) if (r.body.includes(RS)) throw new BugError("raw_body_separator", `raw body of ${r.signature} contains U+001E: not JSON text`);
  const result = await q`
    insert into raw_transactions (signature, slot, source, encoding, tx_index, body)
    select * from unnest(${rows.map((r) => r.signature)}::text[], ${rows.map((r) => r.slot.toString())}::int8[],
                         ${rows.map((r) => r.source)}::text[], ${rows.map((r) => r.encoding)}::text[],
                         ${rows.map((r) => (r.txIndex === null ? null : String(r.txIndex)))}::int4[],
                         string_to_array(${rows.map((r) => r.body).join(RS)}, ${RS}))
    on conflict on constraint raw_transactions_pkey do nothing`;
  return result.count;
}

export async function getRawTransaction(q: Queryable, signature: string): Promise<RawTransactionRow | undefined> {
  const [row] = await q<(Omit<RawTransactionRow, "txIndex"> & { tx_index: number | null })[]>`
    select signature, slot, source, encoding, body, tx_index from raw_transactions where signature = ${signature}`;
  return row && { signature: row.signature, slot: row.slot, source: row.source, encoding: row.encoding, body: row.body, txIndex: row.tx_index };
}
