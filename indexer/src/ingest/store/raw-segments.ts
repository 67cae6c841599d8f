import type { Queryable } from "../../db/connection.js";
import type { IngestSource, RawEncoding } from "../types.js";

/** One received transaction's JSON text, stored for audit and replay. */
export interface RawTransactionRow {
  signature: string;
  slot: bigint;
  source: IngestSource;
  encoding: RawEncoding;
  body: string;
  txIndex: number | null;
}

/**
 * Separates the bodies of a segment. JSON text cannot contain it: JSON escapes every control
 * character inside strings and allows none outside them, and every body here is either a text
 * JSON.parse accepted or JSON.stringify's output.
 */
export const RS = "\u001e";

/**
 * One row for a whole batch's raw transactions (migration 00017): `keep` names the transactions
 * whose settlements this batch inserted; the others were stored before (a redelivery, a re-poll)
 * and keep their place in the lists with an empty body, so the positions the settlements point at
 * do not move. Nothing is written when nothing is kept: a redelivered batch stays a no-op.
 */
export async function insertRawSegment(
  q: Queryable,
  id: bigint,
  rows: readonly RawTransactionRow[],
  keep: ReadonlySet<string>,
): Promise<boolean> {
  if (rows.length === 0 || keep.size === 0) return false;
  const n = rows.length;
  const sigs = new Array<string>(n),
    slots = new Array<string>(n),
    txIndexes = new Array<string>(n),
    encodings = new Array<string>(n),
    bodies = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    sigs[i] = r.signature;
    slots[i] = r.slot.toString();
    txIndexes[i] = r.txIndex === null ? "" : String(r.txIndex);
    encodings[i] = r.encoding;
    bodies[i] = keep.has(r.signature) ? r.body : "";
  }
  await q`
    insert into raw_segments (id, source, signatures, slots, tx_indexes, encodings, bodies) overriding system value
    values (${id}, ${rows[0]!.source}, ${sigs.join(",")}, ${slots.join(",")}, ${txIndexes.join(",")}, ${encodings.join(",")}, ${bodies.join(RS)})`;
  return true;
}

/** The stored body of a transaction that produced settlements (audit), through its settlements' pointer. */
export async function getRawTransaction(q: Queryable, signature: string): Promise<RawTransactionRow | undefined> {
  const [row] = await q<{ signature: string; slot: string; source: IngestSource; encoding: RawEncoding; tx_index: string; body: string }[]>`
    select s.signature, split_part(g.slots, ',', s.raw_index + 1) as slot, g.source, split_part(g.encodings, ',', s.raw_index + 1) as encoding,
           split_part(g.tx_indexes, ',', s.raw_index + 1) as tx_index, split_part(g.bodies, ${RS}, s.raw_index + 1) as body
    from settlements s join raw_segments g on g.id = s.raw_segment_id
    where s.signature = ${signature} limit 1`;
  if (!row) return undefined;
  return {
    signature: row.signature,
    slot: BigInt(row.slot),
    source: row.source,
    encoding: row.encoding,
    body: row.body,
    txIndex: row.tx_index === "" ? null : Number(row.tx_index),
  };
}

export interface StoredSegment {
  id: bigint;
  source: IngestSource;
  /** Position in the segment -> the transaction; entries whose body was stored elsewhere are absent. */
  entries: { index: number; signature: string; encoding: RawEncoding; txIndex: number | null; body: string }[];
}

/**
 * Every segment in the order it was stored, `batch` rows at a time (replay). Pages by id rather than
 * through a server-side cursor: replay writes between pages, and on the embedded PGlite (one session
 * for every connection) a write's statement replaced the cursor's unnamed portal
 * (`portal "" does not exist`).
 */
export async function* readRawSegments(q: Queryable, batch = 4): AsyncGenerator<StoredSegment> {
  for (let after = -1n; ; ) {
    const rows = await q<{ id: bigint; source: IngestSource; signatures: string; tx_indexes: string; encodings: string; bodies: string }[]>`
      select id, source, signatures, tx_indexes, encodings, bodies from raw_segments where id > ${after} order by id limit ${batch}`;
    if (rows.length === 0) return;
    after = rows.at(-1)!.id;
    for (const r of rows) {
      const sigs = r.signatures.split(","),
        txIndexes = r.tx_indexes.split(","),
        encodings = r.encodings.split(","),
        bodies = r.bodies.split(RS);
      const entries: StoredSegment["entries"] = [];
      for (let i = 0; i < sigs.length; i++) {
        if (bodies[i] === "") continue;
        entries.push({
          index: i,
          signature: sigs[i]!,
          encoding: encodings[i] as RawEncoding,
          txIndex: txIndexes[i] === "" ? null : Number(txIndexes[i]),
          body: bodies[i]!,
        });
      }
      yield { id: r.id, source: r.source, entries };
    }
  }
}
