// The helper thread of buildTree: plain JavaScript, so it starts without tsx (see levels.mjs).
// One job: hash leaves [from, to) and their subtrees up to level `upTo`, all in shared memory.
import { parentPort } from "node:worker_threads";
import { hashLeafRange, hashSubtrees } from "./levels.mjs";

parentPort.on("message", (job) => {
  try {
    const levels = Buffer.from(job.levels);
    hashLeafRange(job.distributor, job.claimants, job.amounts, levels, 0, job.from, job.to);
    hashSubtrees(levels, job.counts, job.offsets, job.from, job.to, job.upTo);
    parentPort.postMessage({ ok: true });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err?.stack ?? err) });
  }
});
