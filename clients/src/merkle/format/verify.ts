import { hashBytes } from "./keys.js";
import { nodeHash } from "./hash.js";

type Hash = Uint8Array | string;

/** Folds the proof over the leaf, bottom sibling first: the root this proof claims. */
export function rootFromProof(leaf: Hash, proof: readonly Hash[]): Buffer {
  let h: Buffer = Buffer.from(hashBytes(leaf, "leaf"));
  for (const sibling of proof) h = nodeHash(h, sibling);
  return h;
}

/** True when `proof` leads from `leaf` to `root`. Malformed hashes throw (caller error). */
export function verifyProof(root: Hash, leaf: Hash, proof: readonly Hash[]): boolean {
  return rootFromProof(leaf, proof).equals(hashBytes(root, "root"));
}
