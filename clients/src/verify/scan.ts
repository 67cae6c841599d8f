// What verify needs of a dataset, read at the byte level: its sha256, the header (parsed and
// checked in full), and every record's (claimant, cumulative amount) into packed arrays, in one
// pass. Records are not parsed as JSON: each line must start with the canonical
// `{"claimant":"…","cumulativeAmount":"…",` (the rest of a record is provenance, which --replay
// proves byte for byte, and `loadDataset` record by record). A million records scan in about a
// second where loading them as objects takes ten (BENCHMARKS.md, verify).
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Worker } from "node:worker_threads";
import { DatasetError, type DatasetHeader } from "../dataset/index.js";
import { parseHeader } from "../dataset/parse.js";
import { allocEntries, decodeKey58, encodeKey58, U64_MAX } from "../merkle/index.js";

export interface ScannedDataset {
  header: DatasetHeader;
  /** Claimants (32 bytes each, strictly ascending) and cumulative amounts, `header.leafCount` of them; shared memory, ready for buildTree. */
  claimants: Buffer<ArrayBufferLike>;
  amounts: BigUint64Array<ArrayBufferLike>;
  /** Σ cumulative amounts of the records. */
  total: bigint;
  /** Hex sha256 of the file. */
  datasetHash: string;
}

const PREFIX = Buffer.from('{"claimant":"');
const AMOUNT = Buffer.from('","cumulativeAmount":"');
const NL = 0x0a;
const QUOTE = 0x22;

export const claimantAt = (d: Pick<ScannedDataset, "claimants">, i: number) => encodeKey58(d.claimants, i * 32);

export async function scanDataset(path: string): Promise<ScannedDataset> {
  const hash = createHash("sha256");
  let header: DatasetHeader | undefined;
  let claimants: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  let amounts: BigUint64Array<ArrayBufferLike> = new BigUint64Array(0);
  let n = 0;
  let line = 0;
  let total = 0n;
  let rest: Buffer | undefined;
  const bad = (
    code: "MALFORMED_RECORD" | "OUT_OF_ORDER" | "DUPLICATE_CLAIMANT" | "COUNT_MISMATCH",
    message: string,
    claimant?: string,
  ): never => {
    throw new DatasetError(code, message, line, claimant);
  };
  const record = (b: Buffer, start: number, end: number) => {
    if (b.compare(PREFIX, 0, PREFIX.length, start, start + PREFIX.length) !== 0)
      bad("MALFORMED_RECORD", 'a record must start with {"claimant":"');
    const c0 = start + PREFIX.length;
    const c1 = b.indexOf(QUOTE, c0);
    if (c1 < 0 || c1 > end) bad("MALFORMED_RECORD", "unterminated claimant");
    const name = b.toString("latin1", c0, c1);
    const key = decodeKey58(name);
    if (!key) bad("MALFORMED_RECORD", "claimant is not a canonical base58 32-byte key", name);
    if (b.compare(AMOUNT, 0, AMOUNT.length, c1, c1 + AMOUNT.length) !== 0)
      bad("MALFORMED_RECORD", "cumulativeAmount must follow the claimant", name);
    const a0 = c1 + AMOUNT.length;
    let a1 = a0;
    while (a1 < end && b[a1]! >= 0x30 && b[a1]! <= 0x39) a1++;
    if (a1 === a0 || b[a1] !== QUOTE || a1 - a0 > 20 || (b[a0] === 0x30 && a1 - a0 > 1))
      bad("MALFORMED_RECORD", "cumulativeAmount is not a canonical decimal", name);
    const amount = BigInt(b.toString("latin1", a0, a1));
    if (amount > U64_MAX) bad("MALFORMED_RECORD", "cumulativeAmount exceeds u64", name);
    if (n === header!.leafCount) bad("COUNT_MISMATCH", `more records than the header's leafCount ${header!.leafCount}`, name);
    claimants.set(key!, n * 32);
    amounts[n] = amount;
    if (n > 0) {
      // the previous record's claimant against this one's: below it, as they must be
      const order = claimants.compare(claimants, n * 32, n * 32 + 32, (n - 1) * 32, n * 32);
      if (order === 0) bad("DUPLICATE_CLAIMANT", "claimant appears twice", name);
      if (order > 0) bad("OUT_OF_ORDER", "claimant sorts before the previous record's", name);
    }
    total += amount;
    n++;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    const b = rest ? Buffer.concat([rest, bytes]) : bytes;
    let start = 0;
    for (let nl = b.indexOf(NL, start); nl >= 0; nl = b.indexOf(NL, start)) {
      line++;
      if (!header) {
        header = parseHeader(b.toString("utf8", start, nl));
        ({ claimants, amounts } = allocEntries(header.leafCount));
      } else record(b, start, nl);
      start = nl + 1;
    }
    rest = start < b.length ? b.subarray(start) : undefined;
  }
  if (rest) throw new DatasetError("MALFORMED_RECORD", "the file does not end with a newline", line + 1);
  if (!header) throw new DatasetError("MALFORMED_HEADER", "the file is empty", 1);
  if (n !== header.leafCount) throw new DatasetError("COUNT_MISMATCH", `${n} records but the header's leafCount is ${header.leafCount}`);
  return { header, claimants, amounts, total, datasetHash: hash.digest("hex") };
}

/**
 * scanDataset in a worker thread, so two datasets are read on two cores at once; in this thread
 * when no worker can start (e.g. a runtime without TypeScript workers). Same result and errors.
 */
export async function scanDatasetBeside(path: string): Promise<ScannedDataset> {
  let worker: Worker;
  try {
    worker = new Worker(new URL("./scan-worker.mjs", import.meta.url), { workerData: { path } });
  } catch {
    return scanDataset(path);
  }
  type Reply =
    | { ok: true; scanned: ScannedDataset }
    | { ok: false; error: { code: DatasetError["code"]; message: string; line?: number; claimant?: string } };
  const reply = await new Promise<Reply | undefined>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", () => resolve(undefined));
  }).catch(() => undefined);
  await worker.terminate();
  if (!reply) return scanDataset(path);
  if (!reply.ok) {
    const e = new DatasetError(reply.error.code, reply.error.message);
    Object.assign(e as unknown as Record<string, unknown>, { line: reply.error.line, claimant: reply.error.claimant });
    throw e;
  }
  const s = reply.scanned;
  // structured clone hands a Buffer back as a plain Uint8Array over the same shared memory
  return { ...s, claimants: Buffer.from(s.claimants.buffer, s.claimants.byteOffset, s.claimants.byteLength) };
}
