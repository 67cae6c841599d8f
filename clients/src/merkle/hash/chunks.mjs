// How buildTree shares the hashing with the helper thread: the leaves are cut into chunks of 2^k,
// and each thread claims the next chunk from a shared counter, hashing its leaves and its subtrees
// up to level k. A thread that runs slower (the other core busy) simply claims fewer chunks, so the
// build is never slower than one thread by more than the chunk the helper is finishing.
// Plain JavaScript (types in chunks.d.mts): the hash worker imports it without tsx.
import { hashSubtrees, rangeHashers } from "./levels.mjs";

/** log2 of the chunk size: 16k leaves at scale (a lost chunk stays short), smaller for small trees. */
export function chunkLog(n) {
  return Math.max(4, Math.min(14, Math.floor(Math.log2(n / 16))));
}

/**
 * A job both threads can run: every array in shared memory, and the build's hash path (resolved on
 * the building thread), so the helper hashes its chunks exactly as the building thread does.
 */
export function createChunkJob(distributor, claimants, amounts, levels, counts, offsets, hashPath) {
  const unitLog = chunkLog(counts[0]);
  const chunks = Math.ceil(counts[0] / 2 ** unitLog);
  return {
    distributor,
    claimants,
    amounts,
    levels,
    counts,
    offsets,
    unitLog,
    hashPath,
    // [next chunk to claim, chunks finished, 1 once the helper has failed]
    ctrl: new Int32Array(new SharedArrayBuffer(12)),
    done: new Int32Array(new SharedArrayBuffer(4 * chunks)),
  };
}

/** Leaves of chunk `c` and their subtrees up to level `unitLog`. */
export function hashChunk(job, c) {
  const n = job.counts[0];
  const from = c * 2 ** job.unitLog;
  const to = Math.min(n, from + 2 ** job.unitLog);
  const levels = Buffer.from(job.levels);
  const { leafRange, nodeRange } = rangeHashers(job.hashPath);
  leafRange(job.distributor, job.claimants, job.amounts, levels, 0, from, to);
  hashSubtrees(nodeRange, levels, job.counts, job.offsets, from, to, job.unitLog);
}

/** Claims and hashes chunks until none is left (both threads run this). */
export function claimChunks(job) {
  const { ctrl, done } = job;
  for (let c; (c = Atomics.add(ctrl, 0, 1)) < done.length; ) {
    try {
      hashChunk(job, c);
    } catch (err) {
      Atomics.store(ctrl, 2, 1);
      Atomics.notify(ctrl, 1);
      throw err;
    }
    Atomics.store(done, c, 1);
    Atomics.add(ctrl, 1, 1);
    Atomics.notify(ctrl, 1);
  }
}

/**
 * Blocks until every chunk is finished: true, or false when the helper failed or finished nothing
 * for `stallMs` (then unfinishedChunks says what is left).
 */
export function awaitChunks(job, stallMs) {
  const { ctrl, done } = job;
  let seen = Atomics.load(ctrl, 1);
  let since = performance.now();
  while (seen < done.length) {
    if (Atomics.load(ctrl, 2) !== 0) return false;
    Atomics.wait(ctrl, 1, seen, 20);
    const now = Atomics.load(ctrl, 1);
    if (now !== seen) [seen, since] = [now, performance.now()];
    else if (performance.now() - since > stallMs) return false;
  }
  return true;
}

export function unfinishedChunks(job) {
  const left = [];
  for (let c = 0; c < job.done.length; c++) if (Atomics.load(job.done, c) === 0) left.push(c);
  return left;
}
