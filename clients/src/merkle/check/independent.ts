// A second, independent implementation of the tree (docs/merkle.md) that re-checks a built tree
// before anything is published from it, as OpenZeppelin's merkle-tree checks its own proofs. It
// shares no code with the builder: not its hot loops (hash/levels.mjs) nor the WebAssembly module,
// not its sort, not its level layout, not even the prefix constants. Straightforward node:crypto,
// one Buffer digest per hash, so a bug in one implementation cannot hide in the other. It is not
// fast and need not be: it runs once per publication (its cost: BENCHMARKS.md, Merkle tree builder).
import { createHash, hash } from "node:crypto";
import type { MerkleTree } from "../build/tree.js";
import { MerkleError } from "../errors.js";

type Sha256 = (data: Uint8Array) => Buffer;

const nodeCrypto: Sha256 = (data) => hash("sha256", data, "buffer") as unknown as Buffer;
let sha256: Sha256 = nodeCrypto;

/** Test-only seam: makes the check hash with `fn` (a faulty one must make every writer refuse). No argument restores node:crypto. */
export function setCheckHashForTests(fn?: Sha256): void {
  sha256 = fn ?? nodeCrypto;
  passed = new WeakMap();
}

/** Trees that passed the check, with a digest of every byte the check read. */
let passed = new WeakMap<MerkleTree, Buffer>();

function fingerprint(tree: MerkleTree): Buffer {
  const { claimants, amounts } = tree.entries;
  return createHash("sha256")
    .update(tree.distributor)
    .update(claimants)
    .update(new Uint8Array(amounts.buffer, amounts.byteOffset, amounts.byteLength))
    .update(tree.nodes)
    .update(tree.root)
    .digest();
}

/**
 * The check, unless this same tree already passed it and not a byte it read has changed since (a
 * digest of them all costs a small part of the check): writeDataset and writeProofShards both
 * check the tree they publish from, and the epochs stage hands them the same one.
 */
export function ensureTreeChecked(tree: MerkleTree): void {
  const digest = passed.get(tree);
  if (digest?.equals(fingerprint(tree))) return;
  verifyTreeIndependently(tree);
}

function fail(message: string): never {
  throw new MerkleError("TREE_CHECK_FAILED", `the built tree fails its independent check: ${message}`);
}

/** First node where two levels differ, for the message (only called once they do). */
function firstDifference(ours: Buffer, theirs: Buffer, count: number): number {
  let i = 0;
  while (i < count && ours.compare(theirs, i * 32, i * 32 + 32, i * 32, i * 32 + 32) === 0) i++;
  return i;
}

/**
 * Recomputes every level of `tree` from its distributor and its entries and compares each with the
 * tree's own bytes (leaves, every inner node a proof may use, and `tree.root`); checks too that the
 * entries are in canonical order (claimants strictly ascending). One level is held at a time and
 * the next is hashed over it in place (node i from nodes 2i and 2i + 1), so the check allocates
 * n × 32 bytes beside the digests. Returns the root it computed; throws a MerkleError of kind
 * "invariant" (TREE_CHECK_FAILED) at the first disagreement.
 */
export function verifyTreeIndependently(tree: MerkleTree): Buffer {
  const n = tree.size;
  const { claimants, amounts } = tree.entries;
  if (tree.distributor.length !== 32) fail(`the distributor is ${tree.distributor.length} bytes, not 32`);
  if (claimants.length !== n * 32 || amounts.length !== n)
    fail(`${n} leaves but ${claimants.length} claimant bytes and ${amounts.length} amounts`);
  const keys = Buffer.from(claimants.buffer, claimants.byteOffset, claimants.length);
  const nodes = tree.nodes;
  if (n === 0) {
    if (!tree.root.equals(Buffer.alloc(32))) fail("an empty tree's root is not all zeros");
    return Buffer.alloc(32);
  }
  for (let i = 1; i < n; i++) {
    // keys[i] compared with keys[i - 1]: it must sort strictly after it (no duplicate).
    if (keys.compare(keys, (i - 1) * 32, i * 32, i * 32, (i + 1) * 32) <= 0) fail(`claimant ${i} does not sort after claimant ${i - 1}`);
  }

  // Level 0: sha256(0x00 || distributor || claimant || amount as u64 LE).
  const level = Buffer.alloc(n * 32);
  const leafInput = Buffer.alloc(1 + 32 + 32 + 8);
  leafInput[0] = 0x00;
  leafInput.set(tree.distributor, 1);
  for (let i = 0; i < n; i++) {
    keys.copy(leafInput, 33, i * 32, i * 32 + 32);
    leafInput.writeBigUInt64LE(amounts[i]!, 65);
    sha256(leafInput).copy(level, i * 32);
  }

  const nodeInput = Buffer.alloc(1 + 32 + 32);
  nodeInput[0] = 0x01;
  let count = n;
  let at = 0; // where this level starts in tree.nodes
  for (let k = 0; ; k++) {
    if (at + count * 32 > nodes.length) fail(`the tree's nodes end inside level ${k}`);
    const theirs = nodes.subarray(at, at + count * 32);
    if (level.compare(theirs, 0, count * 32, 0, count * 32) !== 0) {
      const i = firstDifference(level, theirs, count);
      fail(
        `level ${k} node ${i} is ${theirs.toString("hex", i * 32, i * 32 + 32)}, recomputed ${level.toString("hex", i * 32, i * 32 + 32)} (built with ${tree.hashPath})`,
      );
    }
    if (count === 1) break;
    // Level k + 1: sha256(0x01 || min(a, b) || max(a, b)) of each pair; an odd last node moves up as it is.
    for (let i = 0; 2 * i < count; i++) {
      const a = 2 * i * 32;
      if (2 * i + 1 === count) {
        level.copy(level, i * 32, a, a + 32);
        continue;
      }
      const b = a + 32;
      const [lo, hi] = level.compare(level, b, b + 32, a, a + 32) <= 0 ? [a, b] : [b, a];
      level.copy(nodeInput, 1, lo, lo + 32);
      level.copy(nodeInput, 33, hi, hi + 32);
      sha256(nodeInput).copy(level, i * 32);
    }
    at += count * 32;
    count = Math.ceil(count / 2);
  }
  if (at + 32 !== nodes.length) fail(`the tree holds ${nodes.length - at - 32} bytes beyond its root`);
  const root = Buffer.from(level.subarray(0, 32));
  if (!tree.root.equals(root)) fail(`tree.root is ${tree.root.toString("hex")}, recomputed ${root.toString("hex")}`);
  passed.set(tree, fingerprint(tree));
  return root;
}
