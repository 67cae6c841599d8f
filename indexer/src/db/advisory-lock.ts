import { createHash } from "node:crypto";
import type { Queryable } from "./connection.js";

/**
 * Session advisory locks, the one mechanism behind every "only one of these at a time" in merit:
 * role leadership (daemon/leadership.ts) and the publisher of a distributor (publish/lock.ts). A
 * session lock dies with its connection, so a killed holder never leaves one behind; the server
 * releases it when it notices the session is gone.
 *
 * (migrate.ts keeps a fixed key of its own: processes of every version must exclude each other
 * while the schema changes.)
 *
 * On the embedded PGlite every connection is the same Postgres session, so these locks do not
 * exclude there (one process holds that database anyway: its data directory is locked).
 */

/** The lock's 64-bit key: a name hashed, so unrelated names cannot collide in practice. */
export function advisoryKey(name: string): bigint {
  return createHash("sha256").update(name).digest().readBigInt64BE(0);
}

/** Takes the lock named `name` on `q`'s session without waiting; true when this session holds it. */
export async function tryAdvisoryLock(q: Queryable, name: string): Promise<boolean> {
  const [r] = await q<{ ok: boolean }[]>`select pg_try_advisory_lock(${advisoryKey(name).toString()}::bigint) as ok`;
  return r?.ok === true;
}

export async function advisoryUnlock(q: Queryable, name: string): Promise<void> {
  await q`select pg_advisory_unlock(${advisoryKey(name).toString()}::bigint)`;
}

/** Waits for the lock named `name` and holds it until `tx` ends. */
export async function advisoryXactLock(tx: Queryable, name: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(${advisoryKey(name).toString()}::bigint)`;
}
