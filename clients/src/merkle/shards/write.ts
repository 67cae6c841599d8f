import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AsciiChunks, ascii, BIG_MAX } from "../format/ascii.js";
import { encodeKey58 } from "../format/base58.js";
import { checkAmount } from "../format/hash.js";
import { MANIFEST_FILE, SHARDS_FORMAT, SHARDS_VERSION, type ShardManifest, prefixHexCharsFor, shardFile } from "./format.js";
import type { MerkleTree } from "../build/tree.js";
import { ensureTreeChecked } from "../check/independent.js";

export interface ShardOptions {
  epoch: bigint;
  /** Average claimants per shard to stay under (default 256: at 1M wallets, 4,096 files of ~70 KB). */
  maxAverageEntries?: number;
  /** Files written at once. */
  concurrency?: number;
  /** Leaf i's claimant in base58, when the caller has the text already (else it is encoded from the bytes). */
  claimantText?: (leaf: number) => string;
}

/**
 * The bytes of one shard: leaves [from, to) with each proof as indices into the shard's `nodes`.
 * Neighbouring leaves share most siblings, so every distinct sibling is written once: at 1M
 * wallets that is ~5x less to write and to download than 20 hex hashes an entry. At level k the
 * sibling of leaf i is node (i >> k) ^ 1, which runs unchanged over consecutive leaves and never
 * comes back, so remembering the last sibling of each level is an exact de-duplication. Written
 * straight into one Buffer sized for it (compact JSON: no strings to build and join per entry).
 */
function shardBytes(tree: MerkleTree, head: string, prefix: string, from: number, to: number, text: (leaf: number) => string): Buffer {
  const { counts, offsets, nodes: levels, depth } = tree;
  const lastAt = new Array<number>(depth).fill(-1);
  const lastIndex = new Array<number>(depth).fill(-1);
  const siblings: number[] = [];
  const proofs = new Int32Array((to - from) * depth);
  const lengths = new Uint8Array(to - from);
  for (let leaf = from; leaf < to; leaf++) {
    let len = 0;
    const at0 = (leaf - from) * depth;
    for (let k = 0, i = leaf; k < depth; k++, i >>= 1) {
      const sibling = i ^ 1;
      if (sibling >= counts[k]!) continue;
      const at = offsets[k]! + sibling * 32;
      if (lastAt[k] !== at) {
        lastAt[k] = at;
        lastIndex[k] = siblings.length;
        siblings.push(at);
      }
      proofs[at0 + len++] = lastIndex[k]!;
    }
    lengths[leaf - from] = len;
  }
  // the most each part can take: a sibling 67 bytes, an entry its key, amount and indices
  const size = head.length + prefix.length + 40 + siblings.length * 67 + (to - from) * (44 + 40 + BIG_MAX + depth * 11);
  const w = new AsciiChunks(size);
  w.str(head);
  w.str(`,"prefix":"${prefix}","nodes":[`);
  for (let j = 0; j < siblings.length; j++) {
    if (j > 0) w.byte(COMMA);
    w.byte(QUOTE);
    w.hex(levels, siblings[j]!, siblings[j]! + 32);
    w.byte(QUOTE);
  }
  w.str('],"entries":{');
  for (let leaf = from; leaf < to; leaf++) {
    if (leaf > from) w.byte(COMMA);
    w.byte(QUOTE);
    w.str(text(leaf));
    w.raw(ENTRY_AMOUNT);
    w.big(tree.entries.amounts[leaf]!);
    w.raw(ENTRY_PROOF);
    const at0 = (leaf - from) * depth;
    for (let j = 0; j < lengths[leaf - from]!; j++) {
      if (j > 0) w.byte(COMMA);
      w.uint(proofs[at0 + j]!);
    }
    w.byte(CLOSE_ARRAY);
    w.byte(CLOSE_OBJECT);
  }
  w.str("}}\n");
  return w.take();
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const [ENTRY_AMOUNT, ENTRY_PROOF] = ['":{"amount":"', '","proof":['].map(ascii) as [Uint8Array, Uint8Array];

/**
 * Writes every claimant's proof into `dir` as static shards plus `manifest.json` (format:
 * docs/proof-shards.md). Leaves are in byte order, so each shard is a contiguous run of leaves and
 * the whole job is one pass. First the tree is re-checked by a second implementation
 * (verifyTreeIndependently, skipped for a tree that passed it unchanged): a tree that fails it throws a MerkleError of kind "invariant" and
 * nothing is written, not even `dir`.
 */
export async function writeProofShards(tree: MerkleTree, dir: string, options: ShardOptions): Promise<ShardManifest> {
  ensureTreeChecked(tree);
  const prefixHexChars = prefixHexCharsFor(tree.size, options.maxAverageEntries ?? 256);
  const distributor = encodeKey58(tree.distributor);
  const epoch = checkAmount(options.epoch).toString();
  const root = tree.root.toString("hex");
  const head = `{"format":"${SHARDS_FORMAT}","version":${SHARDS_VERSION},"distributor":"${distributor}","epoch":"${epoch}","root":"${root}"`;
  await mkdir(dir, { recursive: true });
  const pending = new Set<Promise<void>>();
  const concurrency = options.concurrency ?? 32;
  const keys = tree.entries.claimants;
  const shift = 32 - 4 * prefixHexChars;
  const prefixOf = (i: number) =>
    ((keys[i * 32]! << 24) | (keys[i * 32 + 1]! << 16) | (keys[i * 32 + 2]! << 8) | keys[i * 32 + 3]!) >>> shift;
  const text = options.claimantText ?? ((leaf: number) => tree.claimantBase58At(leaf));
  let shardCount = 0;
  for (let i = 0; i < tree.size; ) {
    const shardPrefix = prefixOf(i);
    const from = i;
    while (i < tree.size && prefixOf(i) === shardPrefix) i++;
    const prefix = shardPrefix.toString(16).padStart(prefixHexChars, "0");
    const bytes = shardBytes(tree, head, prefix, from, i, text);
    const tracked: Promise<void> = writeFile(join(dir, shardFile(prefix)), bytes).finally(() => pending.delete(tracked));
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
