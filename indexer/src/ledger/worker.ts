import type { Sql } from "../db.js";
import { dayOf } from "../points/math.js";
import { pickRuleSet, type CompiledRuleSet } from "../rules/compiled.js";
import { MAX_WINDOW_DAYS } from "../rules/schema.js";
import { advanceCursor, claimCursor, ensureCursor } from "./cursor.js";
import { loadBatchState, nextSettlements } from "./load.js";
import { RuleCache } from "./rule-cache.js";
import { eventTime, scoreSettlement } from "./score.js";
import type { LedgerRow, ScoreRow } from "./types.js";
import { insertLedgerRows, insertScores, writeState } from "./write.js";

export interface ScoreBatchOptions {
  batchSize?: number;
  /** highest slot ingest has completed; settlements above it wait (late arrivals below the cursor would break chain order) */
  maxSlot?: bigint | null;
  rules?: RuleCache;
  /** profiling hook: called with each phase's wall time (load, score, write, ...) */
  onPhase?: (phase: string, ms: number) => void;
}

export interface BatchResult {
  settlements: number;
  ledgerRows: number;
}

/**
 * One batch in one transaction: claim the cursor (SKIP LOCKED: if another worker holds it, return
 * 0 at once), read the next settlements in chain order, load their state, score in memory, write
 * ledger + state + cursor, commit. Holding the single cursor is what keeps chain order strict with
 * any number of workers; settlement_scores' primary key and the ledger's credit-once key make a
 * repeat impossible even if that ever failed.
 */
export async function scoreBatchDetailed(sql: Sql, opts: ScoreBatchOptions = {}): Promise<BatchResult> {
  const rules = opts.rules ?? new RuleCache();
  await ensureCursor(sql);
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    opts.onPhase?.(name, now - mark);
    mark = now;
  };
  return sql.begin(async (tx) => {
    // Large unnest statements cross the JIT cost threshold; compiling them costs more than it saves.
    await tx`set local jit = off`;
    const cursor = await claimCursor(tx);
    if (!cursor) return { settlements: 0, ledgerRows: 0 };
    const batch = await nextSettlements(tx, cursor, opts.batchSize ?? 5000, opts.maxSlot ?? null);
    if (batch.length === 0) return { settlements: 0, ledgerRows: 0 };
    const history = await rules.get(tx);
    phase("read");

    let prev = cursor.eventTime;
    const times = batch.map((s) => (prev = eventTime(s, prev)));
    const picks = batch.map((_s, i) => pickRuleSet(history, cursor.seq + BigInt(i + 1), times[i]!));
    const used = [...new Set(picks.filter((p): p is CompiledRuleSet => p !== undefined))];
    const state = await loadBatchState(tx, batch, used);
    phase("load");

    const rows: LedgerRow[] = [];
    const scores: ScoreRow[] = [];
    batch.forEach((s, i) => {
      const out = scoreSettlement(state, picks[i], s, cursor.seq + BigInt(i + 1), times[i]!);
      for (const r of out.rows) rows.push(r);
      scores.push(out.score);
    });
    phase("score");
    await insertScores(tx, scores);
    phase("write-scores");
    await insertLedgerRows(tx, rows);
    phase("write-ledger");
    await writeState(tx, state, dayOf(times[times.length - 1]!) - MAX_WINDOW_DAYS);
    phase("write-state");
    const last = batch[batch.length - 1]!;
    await advanceCursor(tx, {
      seq: cursor.seq + BigInt(batch.length), slot: last.slot, txIndex: last.txIndex, outerIndex: last.outerIndex,
      innerIndex: last.innerIndex, eventTime: times[times.length - 1]!,
    });
    return { settlements: batch.length, ledgerRows: rows.length };
  });
}

/** Processes pending settlements once (one batch); returns how many were scored. */
export async function scoreBatch(sql: Sql, opts: ScoreBatchOptions = {}): Promise<number> {
  return (await scoreBatchDetailed(sql, opts)).settlements;
}

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
  const rules = new RuleCache();
  const batchSize = opts.batchSize ?? 5000;
  const poll = opts.pollIntervalMs ?? 1000;
  let stopping = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) => new Promise<void>((r) => { const t = setTimeout(r, ms); wake = () => { clearTimeout(t); r(); }; });

  const loop = (async () => {
    while (!stopping) {
      let full = false;
      try {
        const started = performance.now();
        const r = await scoreBatchDetailed(opts.sql, { batchSize, rules, maxSlot: opts.maxSlot ? await opts.maxSlot() : null });
        if (r.settlements > 0) {
          stats.batches += 1;
          stats.settlements += r.settlements;
          stats.ledgerRows += r.ledgerRows;
          stats.lastBatchMs = performance.now() - started;
          opts.log?.(`engine: scored ${r.settlements} settlements, ${r.ledgerRows} ledger rows in ${stats.lastBatchMs.toFixed(0)} ms`);
        }
        full = r.settlements === batchSize;
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
