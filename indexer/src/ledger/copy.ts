import { Readable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import type { Tx } from "../db.js";
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

/** Streams lines to `copy <target> from stdin` in ~1 MB chunks; resolves when the server has them all. */
export async function copyLines(tx: Tx, target: string, lines: Iterable<string>): Promise<void> {
  const stream = await tx.unsafe(`copy ${target} from stdin`).writable();
  async function* chunks() {
    let buf = "";
    for (const line of lines) {
      buf += `${line}\n`;
      if (buf.length >= CHUNK) {
        yield buf;
        buf = "";
      }
    }
    if (buf !== "") yield buf;
  }
  await pipeline(Readable.from(chunks()), stream);
}

/**
 * An open COPY that takes lines as they are produced. Written text goes to the socket at once, so
 * the server ingests one part while this process computes the next (two cores, both busy).
 */
export class CopySink {
  private buf = "";
  count = 0;
  private constructor(private readonly stream: NodeJS.WritableStream) {}

  static async open(tx: Tx, target: string): Promise<CopySink> {
    const stream = await tx.unsafe(`copy ${target} from stdin`).writable();
    // a server error surfaces from close(); until then writes are dropped by the destroyed stream
    stream.on("error", () => {});
    return new CopySink(stream);
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

  async close(): Promise<number> {
    this.flush();
    this.stream.end();
    await finished(this.stream);
    return this.count;
  }
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
