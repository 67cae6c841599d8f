import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeKey58 } from "../format/base58.js";
import { checkAmount } from "../format/hash.js";
import { MANIFEST_FILE, SHARDS_FORMAT, SHARDS_VERSION, type ShardManifest, prefixHexCharsFor, shardFile } from "./format.js";
import type { MerkleTree } from "../build/tree.js";
import { ensureTreeChecked } from "../check/independent.js";
import { type ShardSource, type ShardText, shardBytes, shardRanges } from "./bytes.mjs";

export interface ShardOptions {
  epoch: bigint;
  /** Average claimants per shard to stay under (default 256: at 1M wallets, 4,096 files of ~70 KB). */
  maxAverageEntries?: number;
  /** Files written at once. */
  concurrency?: number;
  /** Leaf k's claimant in base58, when the caller has the text already (else it is encoded from the bytes). */
  claimantText?: ShardText | undefined;
}

/** What every shard of a tree shares: its prefix length, the text that opens each file, and the manifest bar the count. */
export function shardPlan(tree: MerkleTree, options: ShardOptions) {
  const prefixHexChars = prefixHexCharsFor(tree.size, options.maxAverageEntries ?? 256);
  const distributor = encodeKey58(tree.distributor);
  const epoch = checkAmount(options.epoch).toString();
  const root = tree.root.toString("hex");
  const head = `{"format":"${SHARDS_FORMAT}","version":${SHARDS_VERSION},"distributor":"${distributor}","epoch":"${epoch}","root":"${root}"`;
  const manifest = (shardCount: number): ShardManifest => ({
    format: SHARDS_FORMAT,
    version: SHARDS_VERSION,
    distributor,
    epoch,
    root,
    leafCount: tree.size,
    depth: tree.depth,
    prefixHexChars,
    shardCount,
  });
  return { prefixHexChars, head, manifest };
}

/** The arrays a shard is made of (bytes.mjs), from a tree. */
export function shardSource(tree: MerkleTree): ShardSource {
  const { counts, offsets, nodes, depth, entries } = tree;
  return { counts, offsets, nodes, depth, amounts: entries.amounts, claimants: entries.claimants };
}

export async function writeShardManifest(dir: string, manifest: ShardManifest): Promise<ShardManifest> {
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Writes every claimant's proof into `dir` as static shards plus `manifest.json` (format:
 * docs/proof-shards.md), in one pass over the leaves (bytes.mjs). First the tree is re-checked by a
 * second implementation (verifyTreeIndependently, skipped for a tree that passed it unchanged): a
 * tree that fails it throws a MerkleError of kind "invariant" and nothing is written, not even
 * `dir`. writeProofShardsInWorker (thread.ts) writes them on a thread of its own.
 */
export async function writeProofShards(tree: MerkleTree, dir: string, options: ShardOptions): Promise<ShardManifest> {
  ensureTreeChecked(tree);
  const plan = shardPlan(tree, options);
  await mkdir(dir, { recursive: true });
  const pending = new Set<Promise<void>>();
  const concurrency = options.concurrency ?? 32;
  const source = shardSource(tree);
  const text = options.claimantText;
  let shardCount = 0;
  for (const [prefix, from, to] of shardRanges(source.claimants, tree.size, plan.prefixHexChars)) {
    const bytes = shardBytes(source, plan.head, prefix, from, to, text, undefined);
    const tracked: Promise<void> = writeFile(join(dir, shardFile(prefix)), bytes).finally(() => pending.delete(tracked));
    tracked.catch(() => undefined); // observed by race/all below; this only keeps it "handled"
    pending.add(tracked);
    shardCount++;
    if (pending.size >= concurrency) await Promise.race(pending);
  }
  await Promise.all(pending);
  return writeShardManifest(dir, plan.manifest(shardCount));
}
