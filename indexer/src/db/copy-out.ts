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
 * The rows of a `copy (…) to stdout` statement in text format, a batch per chunk received, each
 * row its fields as strings (null for NULL): a million rows without the driver's row objects.
 */
export async function* copyOutRows(q: Queryable, statement: string): AsyncGenerator<(string | null)[][]> {
  let rest: Buffer | undefined;
  for await (const chunk of copyOut(q, statement)) {
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    const rows: (string | null)[][] = [];
    let start = 0;
    let from = 0;
    let escaped = false;
    let row: (string | null)[] = [];
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i]!;
      if (c === TAB || c === NEWLINE) {
        row.push(field(buf, from, i, escaped));
        from = i + 1;
        escaped = false;
        if (c === NEWLINE) {
          rows.push(row);
          row = [];
          start = from;
        }
      } else if (c === BACKSLASH) escaped = true;
    }
    rest = start < buf.length ? buf.subarray(start) : undefined;
    if (rows.length > 0) yield rows;
  }
  if (rest) throw new Error(`COPY output ended inside a row (${rest.length} bytes after the last newline)`);
}
