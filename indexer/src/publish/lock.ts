import type { ReservedSql, Sql } from "../db/connection.js";
import { advisoryUnlock, tryAdvisoryLock } from "../db/advisory-lock.js";

/**
 * One publisher per distributor at a time: a session advisory lock (db/advisory-lock.ts) on a
 * reserved connection, taken without waiting (a second publisher returns at once; the daemon tries
 * again at its next tick). Every query of the holder goes through `q`: the embedded database's
 * pools have a single connection, and it is reserved here. On the embedded PGlite the lock does not
 * exclude; the EpochRoot account still does (a second proposal of an epoch fails on-chain).
 */
export const BUSY = Symbol("busy");

export async function withPublisherLock<T>(sql: Sql, distributor: string, fn: (q: ReservedSql) => Promise<T>): Promise<T | typeof BUSY> {
  const q = await sql.reserve();
  const name = `merit:publish:${distributor}`;
  try {
    if (!(await tryAdvisoryLock(q, name))) return BUSY;
    try {
      return await fn(q);
    } finally {
      await advisoryUnlock(q, name);
    }
  } finally {
    q.release();
  }
}
