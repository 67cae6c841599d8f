// writeProofShards on a thread of its own, for a tree in shared memory: the caller writes the
// dataset meanwhile. A file of its own so that a browser build, which writes no shards, leaves the
// thread out (claim-page/vite.config.ts).
import { mkdir } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import type { MerkleTree } from "../build/tree.js";
import { ensureTreeChecked } from "../check/independent.js";
import { MerkleError } from "../errors.js";
import type { KeyTextBytes } from "../format/key-texts.mjs";
import type { ShardManifest } from "./format.js";
import { type ShardOptions, shardPlan, shardSource, writeProofShards, writeShardManifest } from "./write.js";

const isShared = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer;

export interface ShardThreadOptions extends Omit<ShardOptions, "claimantText" | "concurrency"> {
  /**
   * The claimants' text, when the caller has it in shared memory: texts with the slot of each leaf
   * (`of[k]`, also in shared memory). Else the thread encodes it from the claimants' bytes.
   */
  claimantText?: { texts: KeyTextBytes; of: Uint32Array };
  /**
   * The tree's independent check, when it runs on another thread meanwhile (verifyTreeInWorker):
   * the shards are written while it runs and `manifest.json`, the last file, only once it passed;
   * on its failure this rejects with it and the caller removes `dir`. Without it, the tree is
   * checked first, as writeProofShards does.
   */
  checked?: Promise<unknown>;
}

/**
 * writeProofShards, the same bytes, written by a thread of its own (worker.mjs) for a tree whose
 * arrays are in shared memory (a large one, built with the helper thread); any other is written
 * here. The thread takes the claimants' text from `claimantText`, or encodes it from their bytes.
 */
export async function writeProofShardsInWorker(tree: MerkleTree, dir: string, options: ShardThreadOptions): Promise<ShardManifest> {
  const { checked, claimantText: text, ...rest } = options;
  const source = shardSource(tree);
  const shared = [source.nodes, source.claimants, source.amounts, ...(text ? [text.texts.bytes, text.texts.lengths, text.of] : [])];
  if (!shared.every(isShared)) {
    await checked;
    return writeProofShards(tree, dir, { ...rest, claimantText: text });
  }
  if (!checked) ensureTreeChecked(tree);
  const plan = shardPlan(tree, rest);
  await mkdir(dir, { recursive: true });
  const workerData = { source, size: tree.size, head: plan.head, prefixHexChars: plan.prefixHexChars, dir, text };
  const w = new Worker(new URL("./worker.mjs", import.meta.url), { workerData, execArgv: [] });
  const writing = new Promise<number>((resolve, reject) => {
    w.once("message", (m: { shardCount: number }) => resolve(m.shardCount));
    w.once("error", reject);
    w.once("exit", (code) => reject(new MerkleError("SHARDS_THREAD_STOPPED", `the shard thread stopped (exit ${code}) without an answer`)));
  });
  writing.catch(() => {}); // awaited below, after the check
  try {
    await checked;
  } catch (err) {
    // nothing more goes into `dir` once this rejects: the caller removes it
    await w.terminate();
    throw err;
  }
  return writeShardManifest(dir, plan.manifest(await writing));
}
