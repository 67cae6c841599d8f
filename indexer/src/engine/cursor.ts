import type { Queryable, Tx } from "../db/connection.js";
import type { EngineCursor } from "../scoring/types.js";

/**
 * The engine cursor is one row. Workers claim it with SKIP LOCKED (a busy cursor means another
 * worker is advancing chain order: return, do not queue); admin writes that must land between two
 * batches (rule sets, links, referral adoption) wait for it with a plain FOR UPDATE.
 */
type CursorRow = {
  seq: bigint;
  slot: bigint;
  tx_index: number;
  outer_index: number;
  inner_index: number;
  event_time: Date | null;
  generation: bigint;
  state_seq: bigint;
  event_seq: bigint;
};
const COLUMNS = "seq, slot, tx_index, outer_index, inner_index, event_time, generation, state_seq, event_seq";

const toCursor = (r: CursorRow): EngineCursor => ({
  seq: r.seq,
  slot: r.slot,
  txIndex: r.tx_index,
  outerIndex: r.outer_index,
  innerIndex: r.inner_index,
  eventTime: r.event_time,
  generation: r.generation,
  stateSeq: r.state_seq,
  eventSeq: r.event_seq,
});

export async function ensureCursor(q: Queryable): Promise<void> {
  await q`insert into engine_cursor (id, seq, slot, tx_index, outer_index, inner_index) values (1, 0, -1, -1, -1, -1) on conflict (id) do nothing`;
}

/** The cursor locked for this transaction, or null when another worker holds it. */
export async function claimCursor(tx: Tx): Promise<EngineCursor | null> {
  const rows = await tx<CursorRow[]>`select ${tx.unsafe(COLUMNS)} from engine_cursor where id = 1 for update skip locked`;
  return rows[0] ? toCursor(rows[0]) : null;
}

/**
 * Waits for any running batch, then holds the cursor until the transaction ends. Bumps the
 * generation: the caller is about to change state a worker may hold in memory.
 */
export async function lockCursor(tx: Tx): Promise<EngineCursor> {
  await ensureCursor(tx);
  const rows = await tx<CursorRow[]>`
    update engine_cursor set generation = generation + 1 where id = 1 returning ${tx.unsafe(COLUMNS)}`;
  return toCursor(rows[0]!);
}

export async function readCursor(q: Queryable): Promise<EngineCursor> {
  await ensureCursor(q);
  const rows = await q<CursorRow[]>`select ${q.unsafe(COLUMNS)} from engine_cursor where id = 1`;
  return toCursor(rows[0]!);
}

/** `eventSeq`: given when the batch scored off-chain events, the last one's; otherwise unchanged. */
export async function advanceCursor(
  tx: Tx,
  c: Omit<EngineCursor, "generation" | "stateSeq" | "eventSeq"> & { eventSeq?: bigint },
): Promise<void> {
  await tx`
    update engine_cursor set seq = ${c.seq}, slot = ${c.slot}, tx_index = ${c.txIndex}, outer_index = ${c.outerIndex},
      inner_index = ${c.innerIndex}, event_time = ${c.eventTime}, event_seq = coalesce(${c.eventSeq ?? null}::bigint, event_seq), updated_at = now()
    where id = 1`;
}

/** The state tables now reflect the scoring sequence `seq` (written in the same transaction). */
export async function markCheckpoint(tx: Tx, seq: bigint): Promise<void> {
  await tx`update engine_cursor set state_seq = ${seq} where id = 1`;
}
