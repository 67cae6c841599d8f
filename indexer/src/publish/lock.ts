import type { ReservedSql, Sql } from "../db/connection.js";

/**
 * One publisher per distributor at a time: a session advisory lock on a reserved connection,
 * taken without waiting (a second publisher returns at once; the daemon tries again at its next
 * tick). The lock dies with the connection, so a killed publisher never leaves it behind. Every
 * query of the holder goes through `q`: the embedded database's pools have a single connection,
 * and it is reserved here.
 *
 * On the embedded PGlite every connection is the same Postgres session, so advisory locks do not
 * exclude there; the EpochRoot account still does (a second proposal of an epoch fails on-chain).
 */
export const BUSY = Symbol("busy");

export async function withPublisherLock<T>(sql: Sql, distributor: string, fn: (q: ReservedSql) => Promise<T>): Promise<T | typeof BUSY> {
  const q = await sql.reserve();
  const key = `merit:publish:${distributor}`;
  try {
    const [r] = await q<{ ok: boolean }[]>`select pg_try_advisory_lock(hashtext(${key})) as ok`;
    if (!r?.ok) return BUSY;
    try {
      return await fn(q);
    } finally {
      await q`select pg_advisory_unlock(hashtext(${key}))`;
    }
  } finally {
    q.release();
  }
}
