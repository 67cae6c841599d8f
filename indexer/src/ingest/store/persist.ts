import type { Sql } from "../../db/connection.js";
import { setCursor, type AddressCursor } from "./cursors.js";
import { insertRawSegment, type RawTransactionRow } from "./raw-segments.js";
import { recordRejects } from "./rejects.js";
import { insertSettlements } from "./settlements.js";
import type { RejectRecord, SettlementRow } from "../types.js";
import { settlementsIngested } from "../../metrics/index.js";

export interface Batch {
  settlements: SettlementRow[];
  /** bodies of the batch's transactions with settlements; settlements[i].rawIndex points in here */
  raws: RawTransactionRow[];
  /** replay: the settlements' bodies are in this stored segment already (raws stays empty) */
  rawSegment?: bigint;
  rejects: RejectRecord[];
  /** Cursors that move past exactly the transactions of this batch. */
  cursors: AddressCursor[];
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
      const r = await persistOnce(sql, batch);
      settlementsIngested.inc(r.inserted);
      return r;
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

/** Client-side failures of postgres.js and Node's sockets: the server is unreachable or went away. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * The database is down, restarting, out of connections or resources, timed out, could not grant a
 * lock or rolled back a conflict: trying the same work later can succeed (SQLSTATE classes 08 and
 * 53, 57P01-57P03, 57014, 55P03, 40001, 40P01). Anything else (a constraint, a value the server
 * refuses) would fail again: a bug.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  return (
    CONNECTION_CODES.has(code) ||
    code.startsWith("08") ||
    code.startsWith("53") ||
    /^57P0[123]$/.test(code) ||
    code === "57014" ||
    code === "55P03" ||
    isTransientConflict(err)
  );
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
