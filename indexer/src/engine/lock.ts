import type { Sql, Tx } from "../db/connection.js";
import type { EngineCursor } from "../scoring/types.js";
import { lockCursor } from "./cursor.js";

/**
 * Runs an admin write (a rule set, a link, a referral adoption, an adjustment, a snapshot) in one
 * transaction that holds the engine cursor: it waits for the batch being scored, lands between two
 * batches, and `cursor.seq` is the scoring position it takes effect after. Workers holding state
 * in memory see the bumped generation and reload.
 */
export function withEngineLock<T>(sql: Sql, fn: (tx: Tx, cursor: EngineCursor) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => fn(tx, await lockCursor(tx))) as Promise<T>;
}
