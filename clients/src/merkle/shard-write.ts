import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeKey58 } from "./base58.js";
import { checkAmount } from "./hash.js";
import { MANIFEST_FILE, SHARDS_FORMAT, SHARDS_VERSION, type ShardManifest, prefixHexCharsFor, shardFile } from "./shard-format.js";
import type { MerkleTree } from "./tree.js";

export interface ShardOptions {
  epoch: bigint;
  /** Average claimants per shard to stay under (default 256: at 1M wallets, 4,096 files of ~340 KB). */
  maxAverageEntries?: number;
  /** Files written at once. */
  concurrency?: number;
}

/**
 * A proof as JSON text, with each level's sibling hex memoised: leaves are visited in order, and at
 * level k the sibling changes only every 2^k leaves, so a million proofs need ~2 million hex
 * encodings, not 20 million.
 */
class ProofJson {
  private readonly at: number[];
  private readonly hex: string[];
  constructor(private readonly tree: MerkleTree) {
    this.at = new Array<number>(tree.depth).fill(-1);
    this.hex = new Array<string>(tree.depth).fill("");
  }

  of(index: number): string {
    const { counts, offsets, nodes } = this.tree;
    let out = "[";
    let i = index;
    for (let k = 0; k < this.tree.depth; k++, i >>= 1) {
      const sibling = i ^ 1;
      if (sibling >= counts[k]!) continue;
      const off = offsets[k]! + sibling * 32;
      if (this.at[k] !== off) {
        this.at[k] = off;
        this.hex[k] = `"${nodes.toString("hex", off, off + 32)}"`;
      }
      out += out.length === 1 ? this.hex[k] : `,${this.hex[k]}`;
    }
    return `${out}]`;
  }
}

/**
 * Writes every claimant's proof into `dir` as static shards plus `manifest.json`. Leaves are in
 * byte order, so each shard is a contiguous run of leaves and the whole job is one pass.
 */
export async function writeProofShards(tree: MerkleTree, dir: string, options: ShardOptions): Promise<ShardManifest> {
  const prefixHexChars = prefixHexCharsFor(tree.size, options.maxAverageEntries ?? 256);
  const distributor = encodeKey58(tree.distributor);
  const epoch = checkAmount(options.epoch).toString();
  const root = tree.root.toString("hex");
  const head = `{"format":"${SHARDS_FORMAT}","version":${SHARDS_VERSION},"distributor":"${distributor}","epoch":"${epoch}","root":"${root}"`;
  await mkdir(dir, { recursive: true });
  const proofs = new ProofJson(tree);
  const pending = new Set<Promise<void>>();
  const concurrency = options.concurrency ?? 32;
  let shardCount = 0;
  const keys = tree.entries.claimants;
  const shift = 32 - 4 * prefixHexChars;
  const prefixOf = (i: number) => ((keys[i * 32]! << 24) | (keys[i * 32 + 1]! << 16) | (keys[i * 32 + 2]! << 8) | keys[i * 32 + 3]!) >>> shift;
  for (let i = 0; i < tree.size; ) {
    const shardPrefix = prefixOf(i);
    const prefix = shardPrefix.toString(16).padStart(prefixHexChars, "0");
    const entries: string[] = [];
    for (; i < tree.size && prefixOf(i) === shardPrefix; i++) {
      entries.push(`"${tree.claimantBase58At(i)}":{"amount":"${tree.amountAt(i)}","proof":${proofs.of(i)}}`);
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
