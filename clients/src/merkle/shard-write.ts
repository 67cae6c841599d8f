import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import bs58 from "bs58";
import { checkAmount } from "./hash.js";
import { MANIFEST_FILE, SHARDS_FORMAT, SHARDS_VERSION, type ShardManifest, prefixHexCharsFor, shardFile } from "./shard-format.js";
import type { MerkleTree } from "./tree.js";

export interface ShardOptions {
  epoch: bigint;
  /** Average claimants per shard to stay under (default 64: ~20 KB files at depth 20). */
  maxAverageEntries?: number;
  /** Files written at once. */
  concurrency?: number;
}

/**
 * Hex of each proof's siblings, memoised per level: leaves are visited in order, and at level k the
 * sibling changes only every 2^k leaves, so a million proofs need ~2 million encodings, not 20.
 */
class SiblingHex {
  private readonly at: number[] = [];
  private readonly hex: string[] = [];
  constructor(private readonly tree: MerkleTree) {}

  proofJson(index: number): string {
    const parts: string[] = [];
    this.tree.siblingOffsets(index).forEach((off, k) => {
      if (this.at[k] !== off) {
        this.at[k] = off;
        this.hex[k] = `"${this.tree.nodes.toString("hex", off, off + 32)}"`;
      }
      parts.push(this.hex[k]!);
    });
    return `[${parts.join(",")}]`;
  }
}

/**
 * Writes every claimant's proof into `dir` as static shards plus `manifest.json`. Leaves are in
 * byte order, so each shard is a contiguous run of leaves and the whole job is one pass.
 */
export async function writeProofShards(tree: MerkleTree, dir: string, options: ShardOptions): Promise<ShardManifest> {
  const prefixHexChars = prefixHexCharsFor(tree.size, options.maxAverageEntries ?? 64);
  const distributor = bs58.encode(tree.distributor);
  const epoch = checkAmount(options.epoch).toString();
  const root = tree.root.toString("hex");
  const head = `{"format":"${SHARDS_FORMAT}","version":${SHARDS_VERSION},"distributor":"${distributor}","epoch":"${epoch}","root":"${root}"`;
  await mkdir(dir, { recursive: true });
  const siblings = new SiblingHex(tree);
  const pending = new Set<Promise<void>>();
  const concurrency = options.concurrency ?? 32;
  let shardCount = 0;
  for (let i = 0; i < tree.size; ) {
    const prefix = tree.claimantAt(i).toString("hex", 0, 4).slice(0, prefixHexChars);
    const entries: string[] = [];
    for (; i < tree.size && tree.claimantAt(i).toString("hex", 0, 4).startsWith(prefix); i++) {
      entries.push(`"${tree.claimantBase58At(i)}":{"amount":"${tree.amountAt(i)}","proof":${siblings.proofJson(i)}}`);
    }
    const write = writeFile(join(dir, shardFile(prefix)), `${head},"prefix":"${prefix}","entries":{${entries.join(",")}}}\n`);
    const tracked: Promise<void> = write.finally(() => pending.delete(tracked));
    tracked.catch(() => undefined); // observed by race/all below; this only keeps it "handled"
    pending.add(tracked);
    shardCount++;
    if (pending.size >= concurrency) await Promise.race(pending);
  }
  await Promise.all(pending);
  const manifest: ShardManifest = {
    format: SHARDS_FORMAT,
    version: SHARDS_VERSION,
    distributor,
    epoch,
    root,
    leafCount: tree.size,
    depth: tree.depth,
    prefixHexChars,
    shardCount,
  };
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
