import type { Sql } from "../db/connection.js";
import { withEngineLock } from "../engine/lock.js";
import { getIngestWatermark } from "../ingest/store/cursors.js";
import { lastOtherRowId } from "../ledger/epoch-range.js";

export interface Cutoff {
  /** Every settlement of a slot at or before this one is ingested and scored; none after it counts. */
  slot: bigint;
  /** The scoring sequence of the last settlement of `slot` or before (0: none yet). */
  seq: bigint;
  /** The newest adjustment row at the moment of the cutoff. */
  otherId: bigint;
}

/**
 * Where an epoch closed now ends: the newest slot that is both complete in the database (at or
 * below ingest's watermark, which only passes a slot once every watched address is read past it)
 * and completely scored. When the engine stopped inside a slot, the cutoff is the slot before it,
 * never half of one. Read under the engine lock, so no batch or adjustment lands in between.
 */
export async function findCutoff(sql: Sql): Promise<Cutoff | undefined> {
  return withEngineLock(sql, async (tx, cursor) => {
    const watermark = await getIngestWatermark(tx);
    if (watermark === undefined || watermark < 0n) return undefined;
    const [next] = await tx<{ slot: bigint }[]>`
      select slot from settlements
      where (slot, tx_index, outer_index, inner_index) > (${cursor.slot}, ${cursor.txIndex}, ${cursor.outerIndex}, ${cursor.innerIndex})
      order by slot, tx_index, outer_index, inner_index limit 1`;
    const slot = next && next.slot <= watermark ? next.slot - 1n : watermark;
    let seq = cursor.seq;
    if (cursor.slot > slot) {
      // the engine has scored past the cutoff (inside its next slot): stop before the first of those
      const [first] = await tx<{ seq: bigint }[]>`
        select ss.seq from settlements s join settlement_scores ss on ss.settlement_id = s.id
        where s.slot > ${slot} order by s.slot, s.tx_index, s.outer_index, s.inner_index limit 1`;
      if (first) seq = first.seq - 1n;
    }
    return { slot, seq, otherId: await lastOtherRowId(tx) };
  });
}
