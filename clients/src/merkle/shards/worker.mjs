// The proof shards on a thread of their own (thread.ts, writeProofShardsInWorker): the tree's
// arrays arrive in shared memory, so nothing is copied; the files are written here, one after the
// other into one reused buffer, and the answer is how many there are.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { shardBytes, shardRanges } from "./bytes.mjs";

const { source, size, head, prefixHexChars, dir, text } = workerData;
let buffer;
let shardCount = 0;
for (const [prefix, from, to] of shardRanges(source.claimants, size, prefixHexChars)) {
  const bytes = shardBytes(source, head, prefix, from, to, text, buffer);
  buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.buffer.byteLength - bytes.byteOffset);
  // shardFile (format.ts): the prefix's file
  writeFileSync(join(dir, `${prefix}.json`), bytes);
  shardCount++;
}
parentPort.postMessage({ shardCount });
