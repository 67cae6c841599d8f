import type { Sql } from "../../db/connection.js";
import { setCursor, type Cursor } from "./cursors.js";
import { insertRawSegment, type RawTransactionRow } from "./raw-segments.js";
import { recordRejects } from "./rejects.js";
import { insertSettlements } from "./settlements.js";
import type { RejectRecord, SettlementRow } from "../types.js";

export interface Batch {
  settlements: SettlementRow[];
  /** bodies of the batch's transactions with settlements; settlements[i].rawIndex points in here */
  raws: RawTransactionRow[];
  /** replay: the settlements' bodies are in this stored segment already (raws stays empty) */
  rawSegment?: bigint;
  rejects: RejectRecord[];
  /** Cursors that move past exactly the transactions of this batch. */
  cursors: Cursor[];
}

export function emptyBatch(): Batch {
  return { settlements: [], raws: [], rejects: [], cursors: [] };
}

/**
 * One database transaction per batch: settlements, their raw transactions, rejects and the cursor
 * move together or not at all. A crash before COMMIT leaves the cursor where it was, so the batch
 * is fetched again; after COMMIT the rows exist, so the unique key turns a re-fetch into a no-op.
 */
export async function persistBatch(sql: Sql, batch: Batch): Promise<{ inserted: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await persistOnce(sql, batch);
    } catch (err) {
      // Writers take locks in one order (lockOrder), so these should not happen; if another writer
      // (an admin script, a future stage) still collides, the whole transaction rolled back and
      // running it again is safe.
      if (attempt >= MAX_ATTEMPTS || !isTransientConflict(err)) throw err;
    }
  }
}

const MAX_ATTEMPTS = 3;

/** deadlock_detected, serialization_failure: Postgres rolled the transaction back; it may be rerun. */
export function isTransientConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "40P01" || code === "40001";
}

async function persistOnce(sql: Sql, batch: Batch): Promise<{ inserted: number }> {
  return sql.begin(async (tx) => {
    const raw = batch.rawSegment ?? (batch.raws.length > 0 ? "next" : undefined);
    // Sent together (pipelined): one round trip for all but the raw segment, which holds only the
    // bodies of transactions whose settlements are new. A failure in any of them rolls all back.
    const [inserted] = await Promise.all([
      insertSettlements(tx, batch.settlements, raw),
      recordRejects(tx, batch.rejects),
      ...batch.cursors.map((c) => setCursor(tx, c)),
    ]);
    if (inserted.segmentId !== null) await insertRawSegment(tx, inserted.segmentId, batch.raws, inserted.signatures);
    return { inserted: inserted.count };
  });
}
