import { supportsCopy, type Queryable, type ReservedSql, type Sql } from "../db/connection.js";
import { dayOf } from "../scoring/points/math.js";
import { pickRuleSet, type CompiledRuleSet } from "../scoring/compiled.js";
import { MAX_WINDOW_DAYS } from "../rules/schema.js";
import { advanceCursor, claimCursor, ensureCursor, markCheckpoint } from "./cursor.js";
import { loadBatchState, lockCampaignBudgets, nextSettlements, refreshLinks, scoredSince } from "./load.js";
import { RuleCache } from "./rule-cache.js";
import { eventTime, scoreSettlement } from "../scoring/score.js";
import { ScoringState } from "../scoring/state.js";
import type { Exclusion, LedgerRow, ScoreRow, Settlement } from "../scoring/types.js";
import { insertLedgerRows, insertScores, writeState } from "./write.js";
import { insertExclusions, loadScoringState, loadSideState, writeSideState } from "./side-state.js";
import { CopyPipe } from "../db/copy-pipe.js";
import { LEDGER_COPY_TARGET, SCORES_COPY_TARGET, writeLedgerRow, writeScoreRow } from "./copy-rows.js";
import { settlementsScored } from "../metrics/index.js";
import { eventTimeOf, scoreEvent, type EventScoreRow } from "../scoring/events/score-event.js";
import {
  asPayers,
  eventPosition,
  insertEventLedgerRows,
  insertEventScores,
  pendingEvents,
  type Position,
  scoredEventsSince,
} from "./events.js";

export interface ScoreBatchOptions {
  batchSize?: number;
  /** highest slot ingest has completed; settlements above it wait (late arrivals below the cursor would break chain order) */
  maxSlot?: bigint | null;
  /** one per worker: compiled rules and the warm scoring state between its batches */
  cache?: WorkerCache;
  /** profiling hook: called with each phase's wall time (load, score, write, ...) */
  onPhase?: (phase: string, ms: number) => void;
  /** a batch is read and scored in chunks of this many (the next read overlaps the scoring) */
  chunkSize?: number;
  /** write the state tables back at least every this many settlements (always when caught up) */
  checkpointEvery?: number;
  /** a worker starting cold reads and re-scores its tail (settlements after the checkpoint) this many at a time */
  tailPart?: number;
}

/**
 * A restarted worker re-scores at most this many settlements in memory, at about replay's pace;
 * each checkpoint rewrites every account touched since the last one, so fewer, larger checkpoints
 * cost less per settlement than the former 250,000 did (docs/performance-history.md, engine).
 * A worker that catches up checkpoints every batch anyway.
 */
export const DEFAULT_CHECKPOINT_EVERY = 1_000_000;
const DEFAULT_TAIL_PART = 50_000;
const DEFAULT_CHUNK = 5000;
/**
 * Settlements scored between two turns of the event loop. The next chunk's reads and the COPY
 * statements' turns are answered there, and between two statements the server idles until this
 * process has replied. Every 100 left the server idle long enough to show in the rate; more often
 * than every 10 gained nothing, and a turn is cheap next to a settlement's scoring
 * (docs/performance-history.md, engine).
 */
const YIELD_EVERY = 10;

export interface BatchResult {
  settlements: number;
  ledgerRows: number;
  /** off-chain events scored (engine/events.ts) */
  events?: number;
}

/** Off-chain events scored per batch at most. */
const EVENT_BATCH = 1000;

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
 * exactly at the cursor (restart, another worker advanced, a rollback) loads the checkpoint and
 * re-scores the settlements after it in memory before scoring new ones. Admin writes in between
 * do not cost that: their links are folded into the warm state (refreshLinks).
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
  let reserved: ReservedSql | undefined;
  const out = await sql
    .begin(async (tx) => {
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
      // The next off-chain event goes after every settlement of its anchor slot and before any later
      // one: settlements are read up to that slot this batch, and the events of it follow them.
      const events = await pendingEvents(tx, cursor.eventSeq, EVENT_BATCH);
      const ingestSlot = opts.maxSlot ?? null;
      const firstAnchor = events[0]?.anchorSlot;
      const eventsDue = firstAnchor !== undefined && (ingestSlot === null || firstAnchor <= ingestSlot);
      const maxSlot = eventsDue ? firstAnchor : ingestSlot;
      const chunkSize = Math.min(size, opts.chunkSize ?? DEFAULT_CHUNK);
      const chunk = await nextSettlements(tx, cursor, chunkSize, maxSlot);
      const behind = cursor.stateSeq < cursor.seq;
      if (chunk.length === 0 && !behind && !eventsDue) return idle;
      // Until this batch commits, nothing is warm: a rollback must not leave half-applied state behind.
      cache.state = undefined;
      phase("read");

      let state = warm ?? new ScoringState();
      await lockCampaignBudgets(tx, history, state);
      if (!warm) {
        // The tail's ledger rows are committed already; re-scoring only moves the state to the cursor.
        // In parts, so memory stays flat however long the tail is.
        const part = BigInt(opts.tailPart ?? DEFAULT_TAIL_PART);
        for (let from = cursor.stateSeq; from < cursor.seq; from += part) {
          const to = from + part < cursor.seq ? from + part : cursor.seq;
          const tailEvents = await scoredEventsSince(tx, from, to);
          const tail = await scoredSince(tx, from, to, tailEvents.length);
          const tailPicks = tail.map((t) => pickRuleSet(history, t.seq, t.time));
          const eventPicks = tailEvents.map((t) => pickRuleSet(history, t.seq, t.time));
          state = await loadBatchState(
            tx,
            [...tail.map((t) => t.s), ...asPayers(tailEvents.map((t) => t.e))],
            usedVersions([...tailPicks, ...eventPicks]),
            state,
          );
          // fraud screening and the provider side concern settlements only
          await loadSideState(
            tx,
            state,
            tail.map((t) => t.s),
            usedVersions(tailPicks),
          );
          // both in scoring order: settlements and events interleave by seq
          let k = 0;
          tail.forEach((t, i) => {
            for (; k < tailEvents.length && tailEvents[k]!.seq < t.seq; k++)
              scoreEvent(state, eventPicks[k], tailEvents[k]!.e, tailEvents[k]!.seq, tailEvents[k]!.time);
            scoreSettlement(state, tailPicks[i], t.s, t.seq, t.time);
          });
          for (; k < tailEvents.length; k++) scoreEvent(state, eventPicks[k], tailEvents[k]!.e, tailEvents[k]!.seq, tailEvents[k]!.time);
        }
        phase("tail");
      }

      // On a real server each chunk's ledger and score rows stream out through COPY while the batch is
      // scored, and the next chunk is read on another pooled connection meanwhile: Node and the server
      // work side by side. A pool of one connection has none to spare for the reads: it writes after scoring.
      const stream = copy && chunk.length > 0 && (sql.options as { max?: number }).max !== 1;
      reserved = stream ? await sql.reserve() : undefined;
      // the same custom-plans-only rule as the batch transaction (see above), for the whole session
      if (reserved) await reserved`set plan_cache_mode = force_custom_plan`;
      const pipe = stream ? new CopyPipe(tx) : undefined;
      const reader: Queryable = reserved ?? tx;
      const rows: LedgerRow[] = [];
      const scores: ScoreRow[] = [];
      const exclusions: Exclusion[] = [];
      let ledgerRows = 0;
      let seq = cursor.seq;
      let prev = cursor.eventTime;
      let last: Settlement | undefined;
      let read = chunk.length;
      let readSeq = seq;
      // Times and rule-set picks follow chain order only; the state rows a chunk needs are loaded
      // while the chunk before it is scored (below), for keys no earlier chunk touched: every key a
      // chunk scores is in its own load, so the two never write the same entries.
      const prepare = async (c: Settlement[]) => {
        const start = readSeq;
        readSeq += BigInt(c.length);
        const times = c.map((s) => (prev = eventTime(s, prev)));
        const picks = c.map((_s, i) => pickRuleSet(history, start + BigInt(i + 1), times[i]!));
        state = await loadScoringState(reader, c, usedVersions(picks), state);
        return { c, times, picks };
      };
      type Prepared = Promise<Awaited<ReturnType<typeof prepare>> | undefined>;
      let current: Prepared | undefined = chunk.length > 0 ? prepare(chunk) : undefined;
      try {
        while (current) {
          const prepared = await current;
          if (!prepared) break;
          const { c, times, picks } = prepared;
          phase("load");
          // The next chunk is read, and its state loaded, on the reader connection meanwhile.
          let upcoming: Prepared | undefined;
          if (c.length === chunkSize && read < size) {
            upcoming = nextSettlements(reader, c[c.length - 1]!, Math.min(chunkSize, size - read), maxSlot).then((n) => {
              read += n.length;
              return n.length > 0 ? prepare(n) : undefined;
            });
            upcoming.catch(() => {}); // awaited below; an error while this chunk scores must not go unhandled
          }
          // The chunk's score rows follow its ledger rows: the server copies them while the next chunk scores.
          const ledgerOut = pipe?.segment(LEDGER_COPY_TARGET);
          const scoresOut = pipe?.segment(SCORES_COPY_TARGET);
          for (let i = 0; i < c.length; i++) {
            const out = scoreSettlement(state, picks[i], c[i]!, seq + BigInt(i + 1), times[i]!);
            if (ledgerOut && scoresOut) {
              for (const r of out.rows) writeLedgerRow(ledgerOut, r);
              writeScoreRow(scoresOut, out.score);
            } else {
              for (const r of out.rows) rows.push(r);
              scores.push(out.score);
            }
            ledgerRows += out.rows.length;
            if (out.exclusion) exclusions.push(out.exclusion);
            // Let the reader's answers in (the next chunk's state queries go out while this one scores),
            // and the server's, so it starts the next COPY statement as soon as it is done with one.
            if ((upcoming || pipe) && i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise(setImmediate);
          }
          ledgerOut?.end();
          scoresOut?.end();
          seq += BigInt(c.length);
          last = c[c.length - 1];
          phase("score");
          current = upcoming;
        }
      } catch (err) {
        // the COPY in progress is cancelled, so the rollback can reach the server
        pipe?.abort(err instanceof Error ? err : new Error(String(err)));
        throw err;
      }
      if (pipe) await pipe.close();
      else await insertLedgerRows(tx, rows, copy);
      await insertExclusions(tx, exclusions);
      phase("write-ledger");
      if (!pipe) {
        await insertScores(tx, scores, copy);
        phase("write-scores");
      }
      let at: Position = last ?? cursor;
      let scoredEvents = 0;
      let lastEventSeq: bigint | undefined;
      // Every settlement up to the anchor is scored once the read came up short of the batch size.
      if (eventsDue && read < size) {
        // a prefix in sequence order: the cursor's event_seq says every event up to it is scored
        const end = events.findIndex((e) => e.anchorSlot > firstAnchor);
        const due = end < 0 ? events : events.slice(0, end);
        state = await loadBatchState(tx, asPayers(due), usedVersions(history), state);
        const eventRows: LedgerRow[] = [];
        const eventScores: (EventScoreRow & { position: Position })[] = [];
        for (const e of due) {
          seq += 1n;
          const time = (prev = eventTimeOf(e, prev));
          const out = scoreEvent(state, pickRuleSet(history, seq, time), e, seq, time);
          at = eventPosition(e.anchorSlot, at);
          for (const r of out.rows) eventRows.push(r);
          eventScores.push({ ...out.score, position: at });
          lastEventSeq = e.eventSeq;
        }
        await insertEventLedgerRows(tx, eventRows);
        await insertEventScores(tx, eventScores);
        ledgerRows += eventRows.length;
        scoredEvents = due.length;
        phase("events");
      }
      if (last || lastEventSeq !== undefined) {
        await advanceCursor(tx, {
          seq,
          slot: at.slot,
          txIndex: at.txIndex,
          outerIndex: at.outerIndex,
          innerIndex: at.innerIndex,
          eventTime: prev!,
          eventSeq: lastEventSeq,
        });
      }
      if (read < size || seq - cursor.stateSeq >= BigInt(opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY)) {
        const keepAfterDay = dayOf(prev ?? new Date(0)) - MAX_WINDOW_DAYS;
        await writeState(tx, state, keepAfterDay);
        await writeSideState(tx, state, keepAfterDay);
        for (const a of state.dirtyStats) state.pruneDays(a, keepAfterDay + 1);
        state.clearDirty();
        await markCheckpoint(tx, seq);
        phase("write-state");
      }
      return { settlements: read, ledgerRows, events: scoredEvents, state, seq, generation: cursor.generation };
    })
    .finally(() => reserved?.release());
  if (out.state && out.seq !== undefined && out.generation !== undefined && out.state.stats.size <= cache.maxAccounts) {
    cache.state = out.state;
    cache.seq = out.seq;
    cache.generation = out.generation;
  }
  settlementsScored.inc(out.settlements);
  return { settlements: out.settlements, ledgerRows: out.ledgerRows, events: out.events ?? 0 };
}

const usedVersions = (picks: readonly (CompiledRuleSet | undefined)[]) => [
  ...new Set(picks.filter((p): p is CompiledRuleSet => p !== undefined)),
];

const EMPTY: BatchResult & { state?: ScoringState; seq?: bigint; generation?: bigint } = { settlements: 0, ledgerRows: 0 };

/** Processes pending settlements and off-chain events once (one batch); returns how many were scored. */
export async function scoreBatch(sql: Sql, opts: ScoreBatchOptions = {}): Promise<number> {
  const r = await scoreBatchDetailed(sql, opts);
  return r.settlements + (r.events ?? 0);
}
