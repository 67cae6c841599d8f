import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { allocEntries, buildTreeSync, stopHashWorker } from "../index.js";
import { awaitChunks, claimChunks, createChunkJob, hashChunk, unfinishedChunks } from "./chunks.mjs";
import { type HashPath, levelCounts, levelOffsets, rangeHashers } from "./levels.mjs";
import { resolveHashPath } from "./path.js";
import { shareWithWorker } from "./pool.js";

const distributor = createHash("sha256").update("chunks.test distributor").digest();

/** A sorted shared input of n wallets and the job over it, as buildTree makes them. */
function setup(n: number, hashPath: HashPath = resolveHashPath()) {
  const packed = allocEntries(n);
  for (let i = 0; i < n; i++) {
    packed.claimants.writeUInt32BE(i * 4096 + 1, i * 32);
    packed.amounts[i] = BigInt(i);
  }
  const counts = levelCounts(n);
  const offsets = levelOffsets(counts);
  const levels = Buffer.from(new SharedArrayBuffer(offsets[offsets.length - 1]!));
  const job = createChunkJob(distributor, packed.claimants, packed.amounts, levels.buffer as SharedArrayBuffer, counts, offsets, hashPath);
  const root = () => {
    const { nodeRange } = rangeHashers(resolveHashPath());
    for (let k = job.unitLog + 1; k < counts.length; k++) nodeRange(levels, offsets[k - 1]!, counts[k - 1]!, offsets[k]!, 0, counts[k]!);
    const top = offsets[counts.length - 1]!;
    return levels.subarray(top, top + 32).toString("hex");
  };
  return { job, root, expected: buildTreeSync(distributor, packed).root.toString("hex") };
}

describe("chunk sharing between buildTree and its helper thread", () => {
  after(stopHashWorker);

  it("takes back the chunks a helper claimed and never finished, and gets the same root", () => {
    const { job, root, expected } = setup(5000);
    // A helper that claimed the first three chunks, then died.
    Atomics.store(job.ctrl, 0, 3);
    claimChunks(job);
    assert.equal(awaitChunks(job, 30), false, "no progress: the wait gives up");
    assert.deepEqual(unfinishedChunks(job), [0, 1, 2]);
    for (const c of unfinishedChunks(job)) hashChunk(job, c);
    assert.equal(root(), expected);
  });

  it("stops waiting as soon as the helper flags a failure", () => {
    const { job } = setup(5000);
    Atomics.store(job.ctrl, 0, 1);
    Atomics.store(job.ctrl, 2, 1);
    claimChunks(job);
    // With a stall limit this long, only the failure flag can end the wait.
    assert.equal(awaitChunks(job, 1e9), false);
    assert.deepEqual(unfinishedChunks(job), [0]);
  });

  it("the helper hashes with the path its job message carries (an unknown one fails there, flagged)", async () => {
    const good = setup(5000, "node-crypto");
    shareWithWorker(good.job);
    assert.equal(awaitChunks(good.job, 5000), true, "the helper hashed every chunk");
    assert.equal(good.root(), good.expected);
    const bad = setup(5000, "no-such-path" as HashPath);
    shareWithWorker(bad.job);
    assert.equal(awaitChunks(bad.job, 10_000), false);
    assert.equal(Atomics.load(bad.job.ctrl, 2), 1, "the helper flagged a failure (not a stall)");
    await stopHashWorker();
  });

  it("cuts a tree into chunks whose subtrees meet below the upper levels", () => {
    for (const n of [300, 5000, 1_000_000]) {
      const { job } = setup(n);
      const chunks = job.done.length;
      assert.ok(chunks >= 2 && chunks * 2 ** job.unitLog >= n && (chunks - 1) * 2 ** job.unitLog < n, `n=${n}`);
      assert.ok(job.unitLog < job.counts.length - 1, `n=${n}: levels above the chunks remain`);
    }
  });
});
