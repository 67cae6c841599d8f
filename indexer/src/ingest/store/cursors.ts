import type { Queryable } from "../../db/connection.js";

export interface AddressCursor {
  address: string;
  stream: string;
  lastSignature: string;
  lastSlot: bigint;
}

export async function getCursor(q: Queryable, address: string, stream: string): Promise<AddressCursor | undefined> {
  const [row] = await q<{ last_signature: string; last_slot: bigint }[]>`
    select last_signature, last_slot from ingest_cursors where address = ${address} and stream = ${stream}`;
  return row && { address, stream, lastSignature: row.last_signature, lastSlot: row.last_slot };
}

/**
 * Must run inside the transaction that wrote the rows the cursor now covers (see persist.ts):
 * that is the whole exactly-once argument for the poller.
 */
export async function setCursor(q: Queryable, c: AddressCursor): Promise<void> {
  await q`
    insert into ingest_cursors (address, stream, last_signature, last_slot)
    values (${c.address}, ${c.stream}, ${c.lastSignature}, ${c.lastSlot.toString()})
    on conflict on constraint ingest_cursors_pkey
    do update set last_signature = excluded.last_signature, last_slot = excluded.last_slot, updated_at = now()`;
}

/** The slot up to which ingestion is complete (see migration 00005); undefined before the first pass. */
export async function getIngestWatermark(q: Queryable): Promise<bigint | undefined> {
  const [row] = await q<{ slot: bigint }[]>`select slot from ingest_watermark where id = 1`;
  return row?.slot;
}

/** Only ever moves forward: a slow pass finishing after a faster one must not pull it back. */
export async function advanceIngestWatermark(q: Queryable, slot: bigint): Promise<void> {
  await q`
    insert into ingest_watermark (id, slot) values (1, ${slot.toString()})
    on conflict on constraint ingest_watermark_pkey
    do update set slot = greatest(ingest_watermark.slot, excluded.slot), updated_at = now()`;
}

/** Every poller and backfill cursor, for `npx merit ingest status`. */
export async function listCursors(q: Queryable): Promise<(AddressCursor & { updatedAt: Date })[]> {
  const rows = await q<{ address: string; stream: string; last_signature: string; last_slot: bigint; updated_at: Date }[]>`
    select address, stream, last_signature, last_slot, updated_at from ingest_cursors order by stream, address`;
  return rows.map((r) => ({
    address: r.address,
    stream: r.stream,
    lastSignature: r.last_signature,
    lastSlot: r.last_slot,
    updatedAt: r.updated_at,
  }));
}
