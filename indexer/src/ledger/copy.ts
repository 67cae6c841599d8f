import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type { Tx } from "../db.js";
import { UpstreamError } from "../errors.js";
import type { LedgerRow, ScoreRow } from "./types.js";

/**
 * The engine's append-only tables through COPY FROM STDIN (text format) on a real server: no
 * statement to plan, no array literals to parse, and about half the server CPU of the same rows as
 * one `unnest` insert. The embedded PGlite cannot take COPY over its socket; write.ts keeps the
 * `unnest` path for it. Both produce identical rows (tests/engine-ledger.test.ts compares them).
 */
const NEEDS_COPY_ESCAPE = /[\\\t\n\r]/;
const NEEDS_ARRAY_QUOTE = /["\\,{}\s]|^null$/i;

/** One text-format field: backslash, tab, newline and CR escaped; null as \N. */
export function copyField(v: string | null): string {
  if (v === null) return "\\N";
  return NEEDS_COPY_ESCAPE.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : v;
}

/** A text[] literal, element quoting only where the array syntax needs it. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => (v === "" || NEEDS_ARRAY_QUOTE.test(v) ? `"${v.replace(/["\\]/g, "\\$&")}"` : v)).join(",")}}`;
}

export function copyTextArray(values: readonly string[] | null): string {
  return values === null ? "\\N" : copyField(textArrayLiteral(values));
}

// A settlement's rows share one Date object: format it once, not once a row.
let lastDate: Date | undefined;
let lastIso = "";
const iso = (d: Date) => (d === lastDate ? lastIso : ((lastDate = d), (lastIso = d.toISOString())));
const CHUNK = 1 << 18;

/**
 * One COPY statement's text, encoded into Buffers as lines come: no string rope to flatten and
 * re-encode at each flush, and nothing waiting on the JS heap for the young-generation GC to copy
 * (a batch's score rows used to wait there as objects until the batch ended).
 */
export class CopySegment {
  private buf = Buffer.allocUnsafe(CHUNK);
  private off = 0;
  /** filled buffers waiting for the statement to open */
  private ready: Buffer[] = [];
  /** the open statement: filled buffers go straight to it, not through the event loop */
  private out: Writable | undefined;
  private ended = false;
  private wake: (() => void) | undefined;
  constructor(readonly target: string) {}

  /** `text` is one line with its "\n" (the line builders below add it). */
  write(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: never let Buffer.write truncate
    if (this.off + text.length * 3 > this.buf.length) this.spill(text.length * 3);
    this.off += this.buf.write(text, this.off);
  }

  /** No more lines: whatever is buffered goes out and the statement ends. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.spill(0);
    this.wake?.();
  }

  private spill(need: number): void {
    if (this.off > 0) {
      const full = this.buf.subarray(0, this.off);
      if (this.out) this.out.write(full);
      else this.ready.push(full);
    }
    if (this.ended) return;
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK, need));
    this.off = 0;
  }

  /** The statement is open: what is buffered goes now; resolves once the segment has ended. */
  async attach(stream: Writable): Promise<void> {
    for (const b of this.ready.splice(0)) stream.write(b);
    this.out = stream;
    while (!this.ended) await new Promise<void>((r) => (this.wake = r));
    this.out = undefined;
  }
}

/**
 * COPY FROM STDIN statements run one after another on the batch's connection while the caller
 * keeps producing lines: it opens a segment (a table), writes, ends it, opens the next. Each
 * statement is sent as soon as the one before it has handed its last bytes over, so the server
 * works through ledger rows and score rows of one chunk while this process scores the next, and a
 * segment opened while the server is busy just fills its buffers until its turn.
 */
export class CopyPipe {
  private readonly queue: CopySegment[] = [];
  private readonly all: CopySegment[] = [];
  /** table names, for the error message */
  private readonly targets = new Set<string>();
  private closed = false;
  private aborted = false;
  private current: Writable | undefined;
  private wake: (() => void) | undefined;
  private readonly pumping: Promise<void>;

  constructor(private readonly tx: Tx) {
    this.pumping = this.pump();
    this.pumping.catch(() => {}); // surfaced by close()
  }

  segment(target: string): CopySegment {
    const s = new CopySegment(target);
    this.targets.add(target.split(" ")[0]!);
    this.queue.push(s);
    this.all.push(s);
    this.wake?.();
    return s;
  }

  private async nextSegment(): Promise<CopySegment | undefined> {
    while (this.queue.length === 0 && !this.closed) await new Promise<void>((r) => (this.wake = r));
    this.wake = undefined;
    return this.queue.shift();
  }

  private async pump(): Promise<void> {
    for (let seg = await this.nextSegment(); seg && !this.aborted; seg = await this.nextSegment()) {
      const stream = (await this.tx.unsafe(`copy ${seg.target} from stdin`).writable()) as unknown as Writable;
      // aborted while the statement waited its turn: cancel it at once, or the rollback queued
      // behind it would wait for copy data that never comes
      if (this.aborted) return void stream.destroy(new Error("the batch failed"));
      this.current = stream;
      // a server error surfaces from close(); until then writes are dropped by the destroyed stream
      stream.on("error", () => {});
      const done = finished(stream);
      done.catch(() => {});
      await seg.attach(stream);
      if (this.aborted) return;
      stream.end();
      // CopyDone goes out in the stream's final step, after every buffered write reached the socket;
      // no statement may overtake it (a query inside COPY mode is itself an error).
      const state = (stream as unknown as { _writableState?: { finalCalled?: boolean } })._writableState;
      while (state && !state.finalCalled && !stream.destroyed) await new Promise((r) => setImmediate(r));
      this.current = undefined;
      // The next statement waits for this one to complete, for two reasons in postgres.js 3.4.9:
      // a finished COPY stream is auto-destroyed, which sends CopyFail, and that would cancel a COPY
      // already pipelined behind it; and a COPY the server refuses after CopyDone never settles
      // (porsager/postgres#1173), so a query queued behind it is what fails (the transaction is
      // aborted) instead of everything hanging. One round trip per segment; the caller keeps
      // filling the next segment's buffers meanwhile.
      await this.tx`select 1`;
      await done;
    }
  }

  /**
   * The caller failed mid-batch: the open COPY is cancelled (CopyFail) and nothing more is sent,
   * so the connection leaves COPY mode and the transaction can roll back.
   */
  abort(reason: Error): void {
    this.aborted = true;
    this.closed = true;
    for (const s of this.all) s.end();
    this.current?.destroy(reason);
    this.wake?.();
  }

  /**
   * Ends every open segment, waits until the server has every row, or throws if it refused any
   * (the server's own reason is lost on the way, see pump; the caller's batch rolls back).
   */
  async close(): Promise<void> {
    for (const s of this.all) s.end();
    this.closed = true;
    this.wake?.();
    try {
      await this.pumping;
    } catch (err) {
      throw new UpstreamError("copy_rejected", `the server refused the rows copied into ${[...this.targets].join(", ")} (the batch is rolled back): ${(err as Error).message}`, true, err);
    }
  }
}

/** Streams lines (each ending in "\n") to `copy <target> from stdin`; resolves when the server has them all. */
export async function copyLines(tx: Tx, target: string, lines: Iterable<string>): Promise<void> {
  const pipe = new CopyPipe(tx);
  const seg = pipe.segment(target);
  for (const line of lines) seg.write(line);
  seg.end();
  await pipe.close();
}

export const LEDGER_COPY_TARGET = "point_ledger (seq, settlement_id, account, delta, reason, campaign_id, rule_id, referral_path, rule_set_version, occurred_at)";

// A settlement's rows share their seq, settlement, rule set and time: those fields are formatted
// once per settlement (bigint to text is not cheap), not once a row.
let headOf: LedgerRow | undefined;
let head = "";
let tail = "";

/** One point_ledger line of COPY text, "\n" included. */
export function ledgerLine(r: LedgerRow): string {
  const h = headOf;
  if (!h || h.seq !== r.seq || h.settlementId !== r.settlementId || h.ruleSetVersion !== r.ruleSetVersion || h.occurredAt !== r.occurredAt) {
    headOf = r;
    head = `${r.seq}\t${r.settlementId}\t`;
    tail = `\t${r.ruleSetVersion ?? "\\N"}\t${iso(r.occurredAt)}\n`;
  }
  return `${head}${copyField(r.account)}\t${r.delta}\t${r.reason}\t${copyField(r.campaignId)}\t${copyField(r.ruleId)}\t${copyTextArray(r.referralPath)}${tail}`;
}

export function* ledgerLines(rows: readonly LedgerRow[]): Generator<string> {
  for (const r of rows) yield ledgerLine(r);
}

export const SCORES_COPY_TARGET = "settlement_scores (settlement_id, seq, account, volume, tier, rule_set_version, points, event_time, counted)";

/** One settlement_scores line of COPY text, "\n" included. */
export const scoreLine = (r: ScoreRow) =>
  `${r.settlementId}\t${r.seq}\t${copyField(r.account)}\t${r.volume}\t${copyField(r.tier)}\t${r.ruleSetVersion ?? "\\N"}\t${r.points}\t${iso(r.eventTime)}\t${r.counted ? "t" : "f"}\n`;

export function* scoreLines(rows: readonly ScoreRow[]): Generator<string> {
  for (const r of rows) yield scoreLine(r);
}
