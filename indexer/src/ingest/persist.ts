import type { Sql } from "../db.js";
import { setCursor, type Cursor } from "./cursors-queries.js";
import { insertRawTransactions, type RawTransactionRow } from "./raw-transactions-queries.js";
import { recordRejects } from "./rejects-queries.js";
import { insertSettlements } from "./settlements-queries.js";
import type { RejectRecord, SettlementRow } from "./types.js";

export interface Batch {
  settlements: SettlementRow[];
  raws: RawTransactionRow[];
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
  return sql.begin(async (tx) => {
    // Sent together (pipelined), not one round trip each: the server starts on the raw bodies while
    // the settlements' answer is still on its way. A failure in any of them rolls all back.
    const [inserted] = await Promise.all([
      insertSettlements(tx, batch.settlements),
      insertRawTransactions(tx, batch.raws),
      recordRejects(tx, batch.rejects),
      ...batch.cursors.map((c) => setCursor(tx, c)),
    ]);
    return { inserted };
  });
}
