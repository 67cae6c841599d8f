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
const CHUNK = 1 << 20;

/**
 * An open COPY that takes lines as they are produced. Written text goes to the socket at once, so
 * the server ingests one part while this process computes the next (two cores, both busy).
 */
export class CopySink {
  private buf = "";
  count = 0;
  private constructor(
    private readonly tx: Tx,
    private readonly target: string,
    private readonly stream: Writable,
  ) {}

  static async open(tx: Tx, target: string): Promise<CopySink> {
    const stream = (await tx.unsafe(`copy ${target} from stdin`).writable()) as unknown as Writable;
    // a server error surfaces from close(); until then writes are dropped by the destroyed stream
    stream.on("error", () => {});
    return new CopySink(tx, target, stream);
  }

  line(text: string): void {
    this.buf += `${text}\n`;
    this.count += 1;
    if (this.buf.length >= 1 << 18) this.flush();
  }

  flush(): void {
    if (this.buf === "") return;
    this.stream.write(this.buf);
    this.buf = "";
  }

  /**
   * Ends the COPY and resolves once the server has every row, or throws if it refused them.
   * postgres.js 3.4.9 never settles a COPY the server rejects after CopyDone (porsager/postgres#1173:
   * the stream's final callback waits for a CommandComplete that never comes), so a query is
   * queued right behind it: on a refused COPY it fails (the transaction is aborted) instead of
   * everything hanging. The server's own reason is lost on the way; the caller's batch rolls back.
   */
  async close(): Promise<number> {
    this.flush();
    const done = finished(this.stream);
    done.catch(() => {});
    this.stream.end();
    // CopyDone goes out in the stream's final step, after every buffered write reached the socket;
    // the probe must not overtake it (a query inside COPY mode is itself an error).
    const state = (this.stream as unknown as { _writableState?: { finalCalled?: boolean } })._writableState;
    while (state && !state.finalCalled && !this.stream.destroyed) await new Promise((r) => setImmediate(r));
    try {
      await this.tx`select 1`;
    } catch (err) {
      throw new UpstreamError("copy_rejected", `the server refused the rows copied into ${this.target.split(" ")[0]} (the batch is rolled back): ${(err as Error).message}`, true, err);
    }
    await done;
    return this.count;
  }
}

/** Streams lines to `copy <target> from stdin` and resolves when the server has them all. */
export async function copyLines(tx: Tx, target: string, lines: Iterable<string>): Promise<void> {
  const sink = await CopySink.open(tx, target);
  for (const line of lines) sink.line(line);
  await sink.close();
}

export const LEDGER_COPY_TARGET = "point_ledger (seq, settlement_id, account, delta, reason, campaign_id, rule_id, referral_path, rule_set_version, occurred_at)";

export const ledgerLine = (r: LedgerRow) =>
  `${r.seq}\t${r.settlementId}\t${copyField(r.account)}\t${r.delta}\t${r.reason}\t${copyField(r.campaignId)}\t${copyField(r.ruleId)}\t${copyTextArray(r.referralPath)}\t${r.ruleSetVersion ?? "\\N"}\t${iso(r.occurredAt)}`;

export function* ledgerLines(rows: readonly LedgerRow[]): Generator<string> {
  for (const r of rows) yield ledgerLine(r);
}

export const SCORES_COPY_TARGET = "settlement_scores (settlement_id, seq, account, volume, tier, rule_set_version, points, event_time, counted)";

export function* scoreLines(rows: readonly ScoreRow[]): Generator<string> {
  for (const r of rows) {
    yield `${r.settlementId}\t${r.seq}\t${copyField(r.account)}\t${r.volume}\t${copyField(r.tier)}\t${r.ruleSetVersion ?? "\\N"}\t${r.points}\t${iso(r.eventTime)}\t${r.counted ? "t" : "f"}`;
  }
}
