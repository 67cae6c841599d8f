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
 * (BENCHMARKS.md, bench:ingest). The unnests sit in the select list, where they are read row by
 * row in step, rather than in FROM, where Postgres first copies every row (all the bodies) into a
 * tuplestore: about 4 µs of server CPU less per row (bench:ingest, A/B on the same data).
 */
/** Base58 signatures, integers and fixed words: never a comma (see settlements-queries.ts). */
const j = (xs: readonly unknown[]) => xs.join(",");

export async function insertRawTransactions(q: Queryable, rows: readonly RawTransactionRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  for (const r of rows) if (r.body.includes(RS)) throw new BugError("raw_body_separator", `raw body of ${r.signature} contains U+001E: not JSON text`);
  const result = await q`
    insert into raw_transactions (signature, slot, source, encoding, tx_index, body)
    select unnest(string_to_array(${j(rows.map((r) => r.signature))}, ',')), unnest(string_to_array(${j(rows.map((r) => r.slot))}, ',')::int8[]),
           unnest(string_to_array(${j(rows.map((r) => r.source))}, ',')), unnest(string_to_array(${j(rows.map((r) => r.encoding))}, ',')),
           unnest(string_to_array(${j(rows.map((r) => r.txIndex ?? ""))}, ',', '')::int4[]),
           unnest(string_to_array(${rows.map((r) => r.body).join(RS)}, ${RS}))
    on conflict on constraint raw_transactions_pkey do nothing`;
  return result.count;
}

export async function getRawTransaction(q: Queryable, signature: string): Promise<RawTransactionRow | undefined> {
  const [row] = await q<(Omit<RawTransactionRow, "txIndex"> & { tx_index: number | null })[]>`
    select signature, slot, source, encoding, body, tx_index from raw_transactions where signature = ${signature}`;
  return row && { signature: row.signature, slot: row.slot, source: row.source, encoding: row.encoding, body: row.body, txIndex: row.tx_index };
}
