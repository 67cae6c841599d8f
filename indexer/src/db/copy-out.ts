import type { Readable } from "node:stream";
import type { Queryable } from "./connection.js";

/**
 * The bytes of a `copy (…) to stdout` statement, chunk by chunk. postgres.js 3.4.9 pauses its
 * socket when the stream's buffer is full and resumes it only from the stream's read(); when the
 * last rows fill the buffer, the stream ends with the socket still paused and every later query
 * on the connection waits forever (the epoch closer hung behind its manifest's COPY). So once the
 * stream has ended, its read() runs once more: resuming a flowing socket does nothing.
 */
export async function* copyOut(q: Queryable, statement: string): AsyncGenerator<Buffer> {
  const stream = (await q.unsafe(statement).readable()) as unknown as Readable & { _read?: (size: number) => void };
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } finally {
    stream._read?.(0);
  }
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\" };

/** One field of COPY's text format: `\N` is NULL; a backslash escapes (octal and hex forms included). */
function field(buf: Buffer, from: number, to: number, escaped: boolean): string | null {
  if (!escaped) return buf.toString("utf8", from, to);
  if (to - from === 2 && buf[from + 1] === 0x4e) return null;
  return buf
    .toString("utf8", from, to)
    .replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, e: string) =>
      e[0] === "x"
        ? String.fromCharCode(Number.parseInt(e.slice(1), 16))
        : /^[0-7]/.test(e)
          ? String.fromCharCode(Number.parseInt(e, 8))
          : (ESCAPES[e] ?? e),
    );
}

/**
 * One row of COPY's text format, read where it lies in the received bytes: field i is bytes
 * [starts[i], ends[i]) of `buf`. Valid only inside the visit it is handed to.
 */
export class CopyRow {
  buf: Buffer = Buffer.alloc(0);
  count = 0;
  private starts = new Int32Array(16);
  private ends = new Int32Array(16);
  private escaped = new Uint8Array(16);

  /** @internal the scanner's: field `count` is [from, to). */
  push(from: number, to: number, escaped: boolean): void {
    if (this.count === this.starts.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts, (n) => new Int32Array(n));
      this.ends = grow(this.ends, (n) => new Int32Array(n));
      this.escaped = grow(this.escaped, (n) => new Uint8Array(n));
    }
    this.starts[this.count] = from;
    this.ends[this.count] = to;
    this.escaped[this.count] = escaped ? 1 : 0;
    this.count++;
  }

  text(i: number): string | null {
    return field(this.buf, this.starts[i]!, this.ends[i]!, this.escaped[i] === 1);
  }

  /** A whole number as the server prints it (int, bigint, numeric of scale 0); null for NULL. */
  bigint(i: number): bigint | null {
    const buf = this.buf;
    const s = this.starts[i]!;
    const e = this.ends[i]!;
    if (this.escaped[i] === 1) {
      const t = field(buf, s, e, true);
      return t === null ? null : BigInt(t);
    }
    const neg = buf[s] === MINUS;
    let p = neg ? s + 1 : s;
    // up to 15 digits a double holds exactly: no decimal string to make
    if (e - p > 15 || p === e) return BigInt(buf.toString("latin1", s, e));
    let n = 0;
    for (; p < e; p++) {
      const d = buf[p]! - 48;
      if (d < 0 || d > 9) return BigInt(buf.toString("latin1", s, e)); // BigInt names what is wrong
      n = n * 10 + d;
    }
    return BigInt(neg ? -n : n);
  }

  /**
   * Copies field i into `out` at `at` when its bytes are plain, printable ASCII with neither a
   * quote nor a backslash (what COPY and JSON both leave as they are: digits, base58), and returns
   * how many; -1 for any other field (NULL and escaped text hold a backslash; or text a JSON
   * string must escape).
   */
  copyPlain(i: number, out: Uint8Array, at: number): number {
    if (this.escaped[i] === 1) return -1;
    const buf = this.buf;
    const s = this.starts[i]!;
    const e = this.ends[i]!;
    for (let p = s, o = at; p < e; p++, o++) {
      const c = buf[p]!;
      if (c < 0x20 || c > 0x7e || c === QUOTE) return -1;
      out[o] = c;
    }
    return e - s;
  }

  /** The field's first byte (e.g. a boolean's t or f), or -1 when it is empty. */
  firstByte(i: number): number {
    return this.ends[i]! > this.starts[i]! ? this.buf[this.starts[i]!]! : -1;
  }
}

const MINUS = 0x2d;
const QUOTE = 0x22;

/**
 * The rows of a `copy (…) to stdout` statement in text format, each handed to `visit` as a CopyRow
 * over the bytes received (no string per field unless the visitor asks for one); yields once per
 * chunk received, after its rows.
 */
export async function* copyOutEach(q: Queryable, statement: string, visit: (row: CopyRow) => void): AsyncGenerator<void> {
  const row = new CopyRow();
  let rest: Buffer | undefined;
  for await (const chunk of copyOut(q, statement)) {
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    row.buf = buf;
    row.count = 0;
    let start = 0;
    let from = 0;
    let escaped = false;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i]!;
      if (c === TAB || c === NEWLINE) {
        row.push(from, i, escaped);
        from = i + 1;
        escaped = false;
        if (c === NEWLINE) {
          visit(row);
          row.count = 0;
          start = from;
        }
      } else if (c === BACKSLASH) escaped = true;
    }
    rest = start < buf.length ? buf.subarray(start) : undefined;
    yield;
  }
  if (rest) throw new Error(`COPY output ended inside a row (${rest.length} bytes after the last newline)`);
}
