// A second, independent implementation of the tree (docs/merkle.md) that re-checks a built tree
// before anything is published from it, as OpenZeppelin's merkle-tree checks its own proofs. Its
// work is recompute.mjs, which shares no code with the builder. It is not fast and need not be: it
// runs once per publication, on a thread of its own for a large tree (its cost: BENCHMARKS.md,
// Merkle tree builder).
import { createHash } from "node:crypto";
import type { MerkleTree } from "../build/tree.js";
import { MerkleError } from "../errors.js";
import { type CheckResult, nodeSha256, recompute } from "./recompute.mjs";

type Sha256 = (data: Uint8Array) => Buffer;

let sha256: Sha256 = nodeSha256;

/** Test-only seam: makes the check hash with `fn` (a faulty one must make every writer refuse). No argument restores node:crypto. */
export function setCheckHashForTests(fn?: Sha256): void {
  sha256 = fn ?? nodeSha256;
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

/** What the check reads of a tree (thread.ts hands the same to its thread). */
export function inputOf(tree: MerkleTree) {
  const { claimants, amounts } = tree.entries;
  return { distributor: tree.distributor, claimants, amounts, nodes: tree.nodes, root: tree.root, hashPath: tree.hashPath };
}

/** The check's answer: the root it computed, or the MerkleError naming the first disagreement. */
export function settle(tree: MerkleTree, r: CheckResult): Buffer {
  if (r.failure !== undefined) fail(r.failure);
  passed.set(tree, fingerprint(tree));
  return Buffer.from(r.root);
}

/**
 * Recomputes every level of `tree` from its distributor and its entries and compares each with the
 * tree's own bytes (leaves, every inner node a proof may use, and `tree.root`); checks too that the
 * entries are in canonical order (claimants strictly ascending). Returns the root it computed;
 * throws a MerkleError of kind "invariant" (TREE_CHECK_FAILED) at the first disagreement.
 */
export function verifyTreeIndependently(tree: MerkleTree): Buffer {
  return settle(tree, recompute(inputOf(tree), sha256));
}

const isShared = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer;

/** Whether verifyTreeInWorker (thread.ts) checks `tree` on another thread (else at once, on the caller's). */
export function checksInWorker(tree: MerkleTree): boolean {
  const { claimants, amounts } = tree.entries;
  return isShared(claimants) && isShared(amounts) && isShared(tree.nodes) && sha256 === nodeSha256;
}
