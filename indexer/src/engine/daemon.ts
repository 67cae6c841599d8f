import type { Sql } from "../db/connection.js";
import { scoreBatchDetailed, WorkerCache } from "./worker.js";

export interface EngineStats {
  running: boolean;
  batches: number;
  settlements: number;
  ledgerRows: number;
  errors: number;
  lastError: string | null;
  lastBatchMs: number;
}

export interface EngineOptions {
  sql: Sql;
  pollIntervalMs?: number;
  batchSize?: number;
  /** see ScoreBatchOptions.checkpointEvery */
  checkpointEvery?: number;
  /** called before each batch; return ingest's completed slot to hold scoring below it */
  maxSlot?: () => Promise<bigint | null>;
  log?: (line: string) => void;
}

/**
 * The daemon loop: full batches run back to back, a short one means caught up, so sleep. Errors
 * are logged and retried after the poll interval (the batch rolled back; nothing half-written).
 */
export async function startEngine(opts: EngineOptions): Promise<{ stop(): Promise<void>; stats(): EngineStats }> {
  const stats: EngineStats = { running: true, batches: 0, settlements: 0, ledgerRows: 0, errors: 0, lastError: null, lastBatchMs: 0 };
  const cache = new WorkerCache();
  const batchSize = opts.batchSize ?? 5000;
  const poll = opts.pollIntervalMs ?? 1000;
  let stopping = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });

  const loop = (async () => {
    while (!stopping) {
      let full = false;
      try {
        const started = performance.now();
        const r = await scoreBatchDetailed(opts.sql, {
          batchSize,
          cache,
          checkpointEvery: opts.checkpointEvery,
          maxSlot: opts.maxSlot ? await opts.maxSlot() : null,
        });
        if (r.settlements > 0) {
          stats.batches += 1;
          stats.settlements += r.settlements;
          stats.ledgerRows += r.ledgerRows;
          stats.lastBatchMs = performance.now() - started;
          opts.log?.(`engine: scored ${r.settlements} settlements, ${r.ledgerRows} ledger rows in ${stats.lastBatchMs.toFixed(0)} ms`);
        }
        // a batch that scored off-chain events may have stopped at their anchor: go on at once
        full = r.settlements === batchSize || (r.events ?? 0) > 0;
      } catch (err) {
        stats.errors += 1;
        stats.lastError = err instanceof Error ? err.message : String(err);
        opts.log?.(`engine: batch failed (rolled back), retrying in ${poll} ms: ${stats.lastError}`);
      }
      if (!full && !stopping) await sleep(poll);
    }
    stats.running = false;
  })();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
    stats: () => ({ ...stats }),
  };
}
