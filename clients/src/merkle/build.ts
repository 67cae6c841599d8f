import { hashLeafRange, hashNodeRange, hashSubtrees, levelCounts, levelOffsets } from "./levels.mjs";
import { runOnWorker } from "./hash-pool.js";
import { type KeyLike, keyBytes } from "./keys.js";
import { type Entry, type PackedEntries, allocBytes, packEntries, packedLength } from "./packed.js";
import { sortPacked } from "./sort.js";
import { MerkleTree } from "./tree.js";

export interface BuildOptions {
  /**
   * The builder may sort packed `entries` in place and keep them as the tree's own arrays, instead
   * of copying them (40 MB at a million entries). With a helper thread this applies only to arrays
   * in shared memory (allocEntries). Object entries are always packed into the builder's own arrays.
   */
  reuseInput?: boolean;
  /**
   * Hash on a second thread when there are at least this many leaves. Starting the thread costs
   * ~80 ms and ~55 ms of CPU (measured); below ~100k leaves that is more than the half of the
   * hashing it takes over. Once started it stays up, so later builds in the process start warm.
   */
  parallelFrom?: number;
}

const DEFAULT_PARALLEL_FROM = 100_000;
// Both threads hash their half up to this level; above it the ~n/1024 nodes left are the main
// thread's. The split point is a multiple of 2^SPLIT_LEVELS so the halves share no node below it.
const SPLIT_LEVELS = 10;

const isShared = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer;

function toPacked(entries: readonly Entry[] | PackedEntries, shared: boolean, scratch: Buffer, reuseInput = false): PackedEntries {
  if (Array.isArray(entries)) return sortPacked(packEntries(entries as readonly Entry[], shared), { scratch, inPlace: true });
  const packed = entries as PackedEntries;
  packedLength(packed);
  const inPlace = reuseInput && (!shared || (isShared(packed.claimants) && isShared(packed.amounts)));
  return sortPacked(packed, { shared, scratch, inPlace });
}

function sizeOf(entries: readonly Entry[] | PackedEntries): number {
  return Array.isArray(entries) ? entries.length : (entries as PackedEntries).amounts.length;
}

function allocLevels(n: number, shared: boolean) {
  const counts = n === 0 ? [] : levelCounts(n);
  const offsets = levelOffsets(counts);
  return { counts, offsets, levels: allocBytes(offsets[offsets.length - 1]!, shared) };
}

function hashUpperLevels(levels: Buffer, counts: number[], offsets: number[], fromLevel: number): void {
  for (let k = fromLevel; k < counts.length; k++) {
    hashNodeRange(levels, offsets[k - 1]!, counts[k - 1]!, offsets[k]!, 0, counts[k]!);
  }
}

/** Builds on this thread only: for small trees, and where threads are unwanted. */
export function buildTreeSync(distributor: KeyLike, entries: readonly Entry[] | PackedEntries, options: BuildOptions = {}): MerkleTree {
  const dist = keyBytes(distributor, "distributor");
  const n = sizeOf(entries);
  const { counts, offsets, levels } = allocLevels(n, false);
  const sorted = toPacked(entries, false, levels, options.reuseInput);
  hashLeafRange(dist, sorted.claimants, sorted.amounts, levels, 0, 0, n);
  hashUpperLevels(levels, counts, offsets, 1);
  return new MerkleTree(dist, sorted, levels, counts, offsets);
}

/**
 * Sorts the entries into canonical order (any input order; a duplicate claimant throws) and builds
 * every level, splitting the hashing with a helper thread for large trees.
 */
export async function buildTree(
  distributor: KeyLike,
  entries: readonly Entry[] | PackedEntries,
  options: BuildOptions = {},
): Promise<MerkleTree> {
  const n = sizeOf(entries);
  if (n < (options.parallelFrom ?? DEFAULT_PARALLEL_FROM) || n < 2 ** (SPLIT_LEVELS + 1)) {
    return buildTreeSync(distributor, entries, options);
  }
  const dist = keyBytes(distributor, "distributor");
  const { counts, offsets, levels } = allocLevels(n, true);
  const sorted = toPacked(entries, true, levels, options.reuseInput);
  const unit = 2 ** SPLIT_LEVELS;
  const split = Math.floor(n / 2 / unit) * unit;
  const helper = runOnWorker({
    distributor: dist,
    claimants: sorted.claimants,
    amounts: sorted.amounts,
    levels: levels.buffer as SharedArrayBuffer,
    counts,
    offsets,
    from: split,
    to: n,
    upTo: SPLIT_LEVELS,
  });
  hashLeafRange(dist, sorted.claimants, sorted.amounts, levels, 0, 0, split);
  hashSubtrees(levels, counts, offsets, 0, split, SPLIT_LEVELS);
  await helper;
  hashUpperLevels(levels, counts, offsets, SPLIT_LEVELS + 1);
  return new MerkleTree(dist, sorted, levels, counts, offsets);
}
