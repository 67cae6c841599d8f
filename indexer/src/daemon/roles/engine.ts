import { supportsCopy } from "../../db/connection.js";
import { startEngine } from "../../engine/index.js";
import { getIngestWatermark } from "../../ingest/index.js";
import { componentLog } from "../../log.js";
import type { DaemonContext } from "./context.js";
import type { RoleHandle } from "./types.js";

/** One engine writer per database: the engine cursor is one row. */
export const ENGINE_LOCK = "merit:engine";

/** The rewards engine, scoring what ingest stored. */
export async function startEngineRole(ctx: DaemonContext): Promise<RoleHandle> {
  // One line per scored batch is debug detail; the status line summarises.
  const logger = componentLog("engine");
  const log = (line: string) => (line.startsWith("engine: scored") ? logger.debug(line) : logger.line(line));
  const engine = await startEngine({
    sql: ctx.sql,
    pollIntervalMs: ctx.cfg.POLL_INTERVAL_MS,
    // The embedded PGlite takes the batch's ledger as one multi-row insert (no COPY): keep it small.
    batchSize: supportsCopy(ctx.sql) ? ctx.cfg.ENGINE_BATCH_SIZE : Math.min(ctx.cfg.ENGINE_BATCH_SIZE, 5000),
    checkpointEvery: ctx.cfg.ENGINE_CHECKPOINT_EVERY,
    // Scoring stays below ingest's completed slot (read from the database: ingest may run in
    // another process), so a late-arriving earlier settlement is never scored after a later one.
    maxSlot: async () => (await getIngestWatermark(ctx.sql)) ?? -1n,
    log,
  });
  return {
    stop: engine.stop,
    health: engine.stats,
    status: () => {
      const e = engine.stats();
      return `${e.settlements} scored into ${e.ledgerRows} ledger rows`;
    },
  };
}
