import { supportsCopy, type Sql } from "../db.js";
import { dayOf } from "../points/math.js";
import { pickRuleSet, type CompiledRuleSet } from "../rules/compiled.js";
import { MAX_WINDOW_DAYS } from "../rules/schema.js";
import { advanceCursor, claimCursor, ensureCursor, markCheckpoint } from "./cursor.js";
import { loadBatchState, nextSettlements, refreshLinks, scoredSince } from "./load.js";
import { RuleCache } from "./rule-cache.js";
import { eventTime, scoreSettlement } from "./score.js";
import type { ScoringState } from "./state.js";
import type { LedgerRow, ScoreRow } from "./types.js";
import { insertLedgerRows, insertScores, writeState } from "./write.js";
import { CopySink, LEDGER_COPY_TARGET, ledgerLine } from "./copy.js";

export interface ScoreBatchOptions {
  batchSize?: number;
  /** highest slot ingest has completed; settlements above it wait (late arrivals below the cursor would break chain order) */
  maxSlot?: bigint | null;
  /** one per worker: compiled rules and the warm scoring state between its batches */
  cache?: WorkerCache;
  /** profiling hook: called with each phase's wall time (load, score, write, ...) */
  onPhase?: (phase: string, ms: number) => void;
  /** write the state tables back at least every this many settlements (always when caught up) */
  checkpointEvery?: number;
}

/**
 * A restarted worker re-scores at most this many settlements (seconds of work); a checkpoint
 * rewrites every account and campaign participant touched since the last one (seconds too).
 */
export const DEFAULT_CHECKPOINT_EVERY = 250_000;

export interface BatchResult {
  settlements: number;
  ledgerRows: number;
}

/**
 * What one worker keeps between its batches: the compiled rule history, and the scoring state of
 * its last batch. That state is reused only if the cursor is exactly where this worker left it at
 * the same generation (no other worker advanced it, no admin write since); otherwise the batch
 * loads from the tables as if cold.
 */
export class WorkerCache {
  readonly rules = new RuleCache();
  state: ScoringState | undefined;
  seq = -1n;
  generation = -1n;
  /** beyond this many accounts the warm state is dropped rather than grown (memory bound) */
  constructor(readonly maxAccounts = 2_000_000) {}
}

/**
 * One batch in one transaction: claim the cursor (SKIP LOCKED: if another worker holds it, return
 * 0 at once), read the next settlements in chain order, bring the scoring state up to the cursor,
 * score in memory, write scores + ledger + cursor, commit. Holding the single cursor is what keeps
 * chain order strict with any number of workers; settlement_scores' primary key makes a second
 * credit of a settlement impossible even if that ever failed.
 *
 * The state tables are a checkpoint (engine_cursor.state_seq): written every `checkpointEvery`
 * settlements and whenever the worker catches up, not every batch. A worker whose memory is not
 * exactly at the cursor (restart, another worker, an admin write, a rollback) loads the checkpoint
 * and re-scores the settlements after it in memory before scoring new ones.
 */
export async function scoreBatchDetailed(sql: Sql, opts: ScoreBatchOptions = {}): Promise<BatchResult> {
  const cache = opts.cache ?? new WorkerCache();
  const size = opts.batchSize ?? 5000;
  const copy = supportsCopy(sql);
  await ensureCursor(sql);
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    opts.onPhase?.(name, now - mark);
    mark = now;
  };
  const out = await sql.begin(async (tx) => {
    // Large unnest statements cross the JIT cost threshold; compiling them costs more than it saves.
    // Custom plans only: a generic plan cached while the state tables were empty (before the first
    // checkpoint) seq-scans them with `= any(10,000 keys)` once they hold a million rows.
    await tx`set local jit = off; set local plan_cache_mode = force_custom_plan`.simple();
    const cursor = await claimCursor(tx);
    if (!cursor) return EMPTY;
    // The memory of this worker's last batch is good only if no other batch ran since.
    const warm = cache.state && cache.seq === cursor.seq ? cache.state : undefined;
    // Admin writes since then (links, referrals) are stamped with this seq: fold them in.
    if (warm && cache.generation !== cursor.generation) await refreshLinks(tx, warm, cursor.seq);
    const history = await cache.rules.get(tx);
    // Before the first rule set is published nothing is consumed: scoring is permanent, and a
    // daemon started ahead of its admin must not burn settlements at zero points.
    const idle = { ...EMPTY, state: warm, seq: cursor.seq, generation: cursor.generation };
    if (history.length === 0) return idle;
    const batch = await nextSettlements(tx, cursor, size, opts.maxSlot ?? null);
    const behind = cursor.stateSeq < cursor.seq;
    if (batch.length === 0 && !behind) return idle;
    // Until this batch commits, nothing is warm: a rollback must not leave half-applied state behind.
    cache.state = undefined;
    phase("read");

    const tail = warm ? [] : await scoredSince(tx, cursor.stateSeq, cursor.seq);
    if (!warm) phase("tail");
    let prev = cursor.eventTime;
    const times = batch.map((s) => (prev = eventTime(s, prev)));
    const picks = batch.map((_s, i) => pickRuleSet(history, cursor.seq + BigInt(i + 1), times[i]!));
    const tailPicks = tail.map((t) => pickRuleSet(history, t.seq, t.time));
    const used = [...new Set([...tailPicks, ...picks].filter((p): p is CompiledRuleSet => p !== undefined))];
    const state = await loadBatchState(tx, tail.length > 0 ? [...tail.map((t) => t.s), ...batch] : batch, history, used, warm);
    // The tail's ledger rows are committed already; re-scoring only moves the state to the cursor.
    tail.forEach((t, i) => scoreSettlement(state, tailPicks[i], t.s, t.seq, t.time));
    phase("load");

    // On a real server the ledger streams out while the batch is scored; otherwise one insert after.
    const sink = copy && batch.length > 0 ? await CopySink.open(tx, LEDGER_COPY_TARGET) : undefined;
    const rows: LedgerRow[] = [];
    const scores: ScoreRow[] = [];
    batch.forEach((s, i) => {
      const out = scoreSettlement(state, picks[i], s, cursor.seq + BigInt(i + 1), times[i]!);
      if (sink) for (const r of out.rows) sink.line(ledgerLine(r));
      else for (const r of out.rows) rows.push(r);
      scores.push(out.score);
    });
    phase("score");
    const ledgerRows = sink ? await sink.close() : rows.length;
    if (!sink) await insertLedgerRows(tx, rows, false);
    phase("write-ledger");
    await insertScores(tx, scores, copy);
    phase("write-scores");
    const seq = cursor.seq + BigInt(batch.length);
    const last = batch[batch.length - 1];
    if (last) {
      await advanceCursor(tx, {
        seq, slot: last.slot, txIndex: last.txIndex, outerIndex: last.outerIndex, innerIndex: last.innerIndex, eventTime: times[times.length - 1]!,
      });
    }
    if (batch.length < size || seq - cursor.stateSeq >= BigInt(opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY)) {
      const keepAfterDay = dayOf(times[times.length - 1] ?? cursor.eventTime ?? new Date(0)) - MAX_WINDOW_DAYS;
      await writeState(tx, state, keepAfterDay);
      for (const a of state.dirtyStats) state.pruneDays(a, keepAfterDay + 1);
      state.clearDirty();
      await markCheckpoint(tx, seq);
      phase("write-state");
    }
    return { settlements: batch.length, ledgerRows, state, seq, generation: cursor.generation };
  });
  if (out.state && out.seq !== undefined && out.generation !== undefined && out.state.stats.size <= cache.maxAccounts) {
    cache.state = out.state;
    cache.seq = out.seq;
    cache.generation = out.generation;
  }
  return { settlements: out.settlements, ledgerRows: out.ledgerRows };
}

const EMPTY: BatchResult & { state?: ScoringState; seq?: bigint; generation?: bigint } = { settlements: 0, ledgerRows: 0 };

/** Processes pending settlements once (one batch); returns how many were scored. */
export async function scoreBatch(sql: Sql, opts: ScoreBatchOptions = {}): Promise<number> {
  return (await scoreBatchDetailed(sql, opts)).settlements;
}
