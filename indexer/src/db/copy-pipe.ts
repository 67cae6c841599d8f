import type { Writable } from "node:stream";
import { once } from "node:events";
import { finished } from "node:stream/promises";
import type { Tx } from "./connection.js";
import { UpstreamError } from "../errors.js";

/**
 * The engine's append-only tables through COPY FROM STDIN in binary format on a real server: no
 * statement to plan and nothing for the server to parse (text COPY spent much of the server's time
 * in timestamp, array and integer input functions: docs/performance-history.md, engine). The
 * embedded PGlite cannot take COPY over its socket; engine/write.ts keeps the `unnest` path for it.
 * Both produce identical rows (engine/copy-rows.test.ts and tests/engine-ledger.test.ts compare
 * them). Field encoders: binary-copy.ts; the engine's row shapes: engine/copy-rows.ts.
 */
const CHUNK = 1 << 18;
/** The binary format's signature, flags and header extension length. */
const HEADER = Buffer.from("PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0", "latin1");

/**
 * One COPY statement's rows, encoded into Buffers as they come: no strings to build and encode,
 * and nothing waiting on the JS heap for the young-generation GC to copy
 * (a batch's score rows used to wait there as objects until the batch ended).
 */
export class CopySegment {
  /** the field encoders (binary-copy.ts) write at `off` in `buf` (through `view`) after a row's `room()` */
  buf = Buffer.allocUnsafe(CHUNK);
  view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  off = 0;
  /** filled buffers waiting for the statement to open */
  private ready: Buffer[] = [];
  /** the open statement: filled buffers go straight to it, not through the event loop */
  private out: Writable | undefined;
  private ended = false;
  private wake: (() => void) | undefined;
  constructor(readonly target: string) {
    this.off = HEADER.copy(this.buf, 0);
  }

  /** Makes room for `n` more bytes at `off` (a row's upper bound: encoders never check again). */
  room(n: number): void {
    if (this.off + n > this.buf.length) this.spill(n);
  }

  /** No more rows: whatever is buffered goes out and the statement ends. */
  end(): void {
    if (this.ended) return;
    this.room(2);
    this.view.setInt16(this.off, -1); // the trailer
    this.off += 2;
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
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
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
 * keeps producing rows: it opens a segment (a table), writes, ends it, opens the next. Each
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
      const stream = (await this.tx.unsafe(`copy ${seg.target} from stdin with (format binary)`).writable()) as unknown as Writable;
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
      // CopyDone goes out in the stream's final step, which Node runs (in the same tick or the
      // next) once every buffered write has reached the socket; no statement may overtake it (a
      // query inside COPY mode is itself an error). Waiting for 'finish' instead would wait for the
      // server's reply, which never comes for a COPY it refuses (see below).
      while (stream.writableLength > 0 && !stream.destroyed) await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
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
      throw new UpstreamError(
        "copy_rejected",
        `the server refused the rows copied into ${[...this.targets].join(", ")} (the batch is rolled back): ${(err as Error).message}`,
        true,
        err,
      );
    }
  }
}

/** Streams `rows` to `copy <target> from stdin`, each encoded by `write`; resolves when the server has them all. */
export async function copyRows<R>(tx: Tx, target: string, rows: readonly R[], write: (seg: CopySegment, row: R) => void): Promise<void> {
  const pipe = new CopyPipe(tx);
  const seg = pipe.segment(target);
  for (const r of rows) write(seg, r);
  seg.end();
  await pipe.close();
}

/**
 * Streams `rows` to `copy <target> from stdin` at the pace the server takes them: encoding waits
 * whenever the socket's buffer is full, so a million rows never sit encoded in this process at
 * once (copyRows encodes a batch before its statement opens, which suits the engine's batches).
 */
export async function copyRowsPaced<R>(
  tx: Tx,
  target: string,
  rows: ArrayLike<R>,
  write: (seg: CopySegment, row: R, index: number) => void,
): Promise<void> {
  const stream = (await tx.unsafe(`copy ${target} from stdin with (format binary)`).writable()) as unknown as Writable;
  const failed = new Promise<never>((_, reject) => stream.once("error", reject));
  failed.catch(() => {});
  const done = finished(stream);
  done.catch(() => {});
  const seg = new CopySegment(target);
  const attached = seg.attach(stream);
  try {
    for (let i = 0; i < rows.length; i++) {
      write(seg, rows[i]!, i);
      if (stream.writableNeedDrain) await Promise.race([once(stream, "drain"), failed]);
    }
    seg.end();
    await attached;
    stream.end();
    // see CopyPipe.pump: CopyDone must reach the socket before the next statement, and a refused
    // COPY surfaces on the statement after it
    while (stream.writableLength > 0 && !stream.destroyed) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    await tx`select 1`;
    await done;
  } catch (err) {
    seg.end();
    stream.destroy(err as Error);
    throw new UpstreamError(
      "copy_rejected",
      `the server refused the rows copied into ${target.split(" ")[0]}: ${(err as Error).message}`,
      true,
      err,
    );
  }
}
