import { encodeKey58 } from "../format/base58.js";
import { MerkleError } from "../errors.js";
import { EMPTY_ROOT } from "../format/hash.js";
import { type KeyLike, keyBytes } from "../format/keys.js";
import type { HashPath } from "../hash/path.js";
import type { PackedEntries } from "./packed.js";

/**
 * A built tree: the sorted entries and every level in one flat buffer, so a proof is O(depth)
 * slices and a claimant lookup is a binary search — nothing is rebuilt after construction.
 */
export class MerkleTree {
  /** Number of leaves. */
  readonly size: number;
  /** Levels above the leaves: a proof has at most this many siblings. */
  readonly depth: number;
  readonly root: Buffer;

  constructor(
    readonly distributor: Uint8Array,
    /** Entries in canonical order (claimant bytes ascending). */
    readonly entries: PackedEntries,
    private readonly levels: Buffer,
    /** Nodes per level, leaves first. */
    readonly counts: readonly number[],
    /** Byte offset of each level in `nodes`. */
    readonly offsets: readonly number[],
    /** The SHA-256 code that built the levels (`BuildOptions.hash` as resolved on this runtime). */
    readonly hashPath: HashPath,
  ) {
    this.size = entries.amounts.length;
    this.depth = Math.max(0, counts.length - 1);
    const top = offsets[counts.length - 1]!;
    this.root = this.size === 0 ? Buffer.from(EMPTY_ROOT) : Buffer.from(levels.subarray(top, top + 32));
  }

  /** A copy: the tree's own arrays are never handed out for writing. */
  claimantAt(index: number): Buffer {
    this.checkIndex(index);
    return Buffer.from(this.entries.claimants.subarray(index * 32, index * 32 + 32));
  }

  claimantBase58At(index: number): string {
    this.checkIndex(index);
    return encodeKey58(this.entries.claimants, index * 32);
  }

  amountAt(index: number): bigint {
    this.checkIndex(index);
    return this.entries.amounts[index]!;
  }

  leafAt(index: number): Buffer {
    this.checkIndex(index);
    return Buffer.from(this.levels.subarray(index * 32, index * 32 + 32));
  }

  /** Position of the claimant in canonical order, or -1: a binary search over the sorted keys. */
  indexOf(claimant: KeyLike): number {
    const key = keyBytes(claimant, "claimant");
    const all = this.entries.claimants;
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      let c = 0;
      for (let j = 0; j < 32 && c === 0; j++) c = all[mid * 32 + j]! - key[j]!;
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * Byte offset in `nodes` of each sibling of leaf `index`, bottom first: lets bulk writers (the
   * proof shards) encode siblings straight from the levels without copying each one.
   */
  siblingOffsets(index: number): number[] {
    this.checkIndex(index);
    const at: number[] = [];
    let i = index;
    for (let k = 0; k < this.depth; k++) {
      const sibling = i ^ 1;
      if (sibling < this.counts[k]!) at.push(this.offsets[k]! + sibling * 32);
      i >>= 1;
    }
    return at;
  }

  /** Every level back to back, leaves first; read-only by contract. */
  get nodes(): Buffer {
    return this.levels;
  }

  /** Siblings from the leaf up; a level where the node was promoted contributes nothing. */
  proofAt(index: number): Buffer[] {
    this.checkIndex(index);
    return this.siblingOffsets(index).map((at) => Buffer.from(this.levels.subarray(at, at + 32)));
  }

  proof(claimant: KeyLike): { index: number; amount: bigint; leaf: Buffer; proof: Buffer[] } {
    const index = this.indexOf(claimant);
    if (index < 0) throw new MerkleError("UNKNOWN_CLAIMANT", "claimant is not in this tree");
    return { index, amount: this.amountAt(index), leaf: this.leafAt(index), proof: this.proofAt(index) };
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new MerkleError("INDEX_OUT_OF_RANGE", `leaf index ${index} outside 0..${this.size - 1}`);
    }
  }
}
