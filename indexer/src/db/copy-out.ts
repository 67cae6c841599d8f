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
