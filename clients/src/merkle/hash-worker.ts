import { parentPort } from "node:worker_threads";
import { hashLeafRange, hashSubtrees } from "./levels.js";

/** One job: hash leaves [from, to) and their subtrees up to level `upTo`, all in shared memory. */
export interface HashJob {
  distributor: Uint8Array;
  claimants: Uint8Array;
  amounts: BigUint64Array;
  levels: SharedArrayBuffer;
  counts: number[];
  offsets: number[];
  from: number;
  to: number;
  upTo: number;
}

parentPort!.on("message", (job: HashJob) => {
  try {
    const levels = Buffer.from(job.levels);
    hashLeafRange(job.distributor, job.claimants, job.amounts, levels, 0, job.from, job.to);
    hashSubtrees(levels, job.counts, job.offsets, job.from, job.to, job.upTo);
    parentPort!.postMessage({ ok: true });
  } catch (err) {
    parentPort!.postMessage({ ok: false, error: String((err as Error)?.stack ?? err) });
  }
});
