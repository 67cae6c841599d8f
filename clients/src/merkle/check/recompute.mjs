// The independent check's work (docs/merkle.md; independent.ts is its entry point): plain
// JavaScript, so its worker thread starts without tsx. It shares no code with the builder: not its
// hot loops (hash/levels.mjs) nor the WebAssembly module, not its sort, not its level layout, not
// even the prefix constants. Straightforward node:crypto, one Buffer digest per hash, so a bug in
// one implementation cannot hide in the other.
import { hash } from "node:crypto";

export const nodeSha256 = (data) => hash("sha256", data, "buffer");

/**
 * The digest of `data` when it differs from the 32 bytes of `tree` at `at`, else undefined. With
 * node:crypto it asks for a binary-string digest, compared byte by byte: a Buffer per digest costs
 * three times the hash at a million leaves.
 */
function differs(sha256, data, tree, at) {
  if (sha256 !== nodeSha256) {
    const d = sha256(data);
    return d.compare(tree, at, at + 32) === 0 ? undefined : d;
  }
  const d = hash("sha256", data, "latin1");
  for (let j = 0; j < 32; j++) if (d.charCodeAt(j) !== tree[at + j]) return Buffer.from(d, "latin1");
  return undefined;
}

function mismatch(level, i, tree, at, computed, hashPath) {
  return `level ${level} node ${i} is ${tree.toString("hex", at, at + 32)}, recomputed ${Buffer.from(computed).toString("hex")} (built with ${hashPath})`;
}

/**
 * Recomputes every level from the distributor and the entries and compares each with `nodes`
 * (leaves, every inner node a proof may use, and `root`); checks too that the entries are in
 * canonical order (claimants strictly ascending). Allocates nothing beside the digests. Returns
 * `{ root }`, or `{ failure }` naming the first disagreement.
 */
export function recompute({ distributor, claimants, amounts, nodes, root, hashPath }, sha256 = nodeSha256) {
  const n = amounts.length;
  if (distributor.length !== 32) return { failure: `the distributor is ${distributor.length} bytes, not 32` };
  if (claimants.length !== n * 32) return { failure: `${n} leaves but ${claimants.length} claimant bytes and ${amounts.length} amounts` };
  const keys = Buffer.from(claimants.buffer, claimants.byteOffset, claimants.length);
  const tree = Buffer.from(nodes.buffer, nodes.byteOffset, nodes.length);
  const expectedRoot = Buffer.from(root.buffer, root.byteOffset, root.length);
  if (n === 0) {
    if (!expectedRoot.equals(Buffer.alloc(32))) return { failure: "an empty tree's root is not all zeros" };
    return { root: Buffer.alloc(32) };
  }
  for (let i = 1; i < n; i++) {
    // keys[i] compared with keys[i - 1]: it must sort strictly after it (no duplicate).
    if (keys.compare(keys, (i - 1) * 32, i * 32, i * 32, (i + 1) * 32) <= 0)
      return { failure: `claimant ${i} does not sort after claimant ${i - 1}` };
  }

  // Level 0: sha256(0x00 || distributor || claimant || amount as u64 LE), each compared with the
  // tree's leaf; every level above is hashed from the tree's level below, already found equal to
  // what this check computed, so no level of its own is held.
  const leafInput = Buffer.alloc(1 + 32 + 32 + 8);
  leafInput[0] = 0x00;
  leafInput.set(distributor, 1);
  if (tree.length < n * 32) return { failure: "the tree's nodes end inside level 0" };
  for (let i = 0; i < n; i++) {
    keys.copy(leafInput, 33, i * 32, i * 32 + 32);
    leafInput.writeBigUInt64LE(amounts[i], 65);
    const leaf = differs(sha256, leafInput, tree, i * 32);
    if (leaf) return { failure: mismatch(0, i, tree, i * 32, leaf, hashPath) };
  }

  const nodeInput = Buffer.alloc(1 + 32 + 32);
  nodeInput[0] = 0x01;
  let count = n;
  let at = 0; // where the level below starts in the tree's nodes
  for (let k = 1; count > 1; k++) {
    const above = at + count * 32;
    const next = Math.ceil(count / 2);
    if (above + next * 32 > tree.length) return { failure: `the tree's nodes end inside level ${k}` };
    // Level k: sha256(0x01 || min(a, b) || max(a, b)) of each pair below; an odd last node moves up as it is.
    for (let i = 0; i < next; i++) {
      const a = at + 2 * i * 32;
      const to = above + i * 32;
      if (2 * i + 1 === count) {
        if (tree.compare(tree, a, a + 32, to, to + 32) !== 0)
          return { failure: mismatch(k, i, tree, to, tree.subarray(a, a + 32), hashPath) };
        continue;
      }
      const b = a + 32;
      const [lo, hi] = tree.compare(tree, b, b + 32, a, a + 32) <= 0 ? [a, b] : [b, a];
      tree.copy(nodeInput, 1, lo, lo + 32);
      tree.copy(nodeInput, 33, hi, hi + 32);
      const node = differs(sha256, nodeInput, tree, to);
      if (node) return { failure: mismatch(k, i, tree, to, node, hashPath) };
    }
    at = above;
    count = next;
  }
  if (at + 32 !== tree.length) return { failure: `the tree holds ${tree.length - at - 32} bytes beyond its root` };
  const computed = Buffer.from(tree.subarray(at, at + 32));
  if (!expectedRoot.equals(computed))
    return { failure: `tree.root is ${expectedRoot.toString("hex")}, recomputed ${computed.toString("hex")}` };
  return { root: computed };
}
