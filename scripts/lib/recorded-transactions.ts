// The recorded-RPC source of the ingest and pipeline benchmarks: generated getTransaction results
// as NDJSON (one response body per line), read back at full speed.
import { createReadStream, readFileSync, writeFileSync } from "node:fs";
import { makeTransaction, makeWorld } from "../bench-ingest-data.js";

/** Writes `transactions` recorded results to `path`, and the watch rules of their world beside it (`<path>.rules.json`). */
export function recordTransactions(path: string, transactions: number): { settlements: number; bytes: number } {
  const world = makeWorld({ payers: 5_000, merchants: 200 });
  let settlements = 0;
  let bytes = 0;
  const lines: string[] = [];
  for (let i = 0; i < transactions; i++) {
    const { tx, settlements: n } = makeTransaction(world, i, 380_000_000 + Math.floor(i / 1000));
    settlements += n;
    const line = JSON.stringify(tx);
    bytes += line.length;
    lines.push(line);
  }
  writeFileSync(path, lines.join("\n") + "\n");
  writeFileSync(
    path + ".rules.json",
    JSON.stringify({
      mints: world.mints.map((m) => m.address),
      facilitators: world.facilitators,
      merchants: world.merchants.map((m) => m.owner),
    }),
  );
  return { settlements, bytes };
}

/**
 * NDJSON lines of a file, a chunk's worth at a time, each line decoded from the bytes on its own:
 * the way an RPC client gets one response body per batch request and decodes it. (One async
 * iteration per line cost several µs per transaction here; node:readline measured ~14 µs per
 * 3.5 KB line, decoding 4 MB chunks and slicing the text ~7 µs.)
 */
export async function* lines(file: string): AsyncGenerator<string[]> {
  let rest: Buffer | undefined;
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    const out: string[] = [];
    let start = 0;
    // Only the line that straddles two chunks is copied; the rest is decoded straight from the chunk.
    if (rest) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      out.push(Buffer.concat([rest, chunk.subarray(0, nl)]).toString("utf8"));
      rest = undefined;
      start = nl + 1;
    }
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      out.push(chunk.toString("utf8", start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) rest = chunk.subarray(start);
    yield out;
  }
  if (rest) yield [rest.toString("utf8")];
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}
