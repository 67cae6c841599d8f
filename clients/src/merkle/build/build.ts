import { awaitChunks, claimChunks, createChunkJob, hashChunk, unfinishedChunks } from "../hash/chunks.mjs";
import { type RangeHashers, levelCounts, levelOffsets } from "../hash/levels.mjs";
import { type HashOption, hashersFor } from "../hash/path.js";
import { shareWithWorker, startHashWorker, stopHashWorker } from "../hash/pool.js";
import { type KeyLike, keyBytes } from "../format/keys.js";
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
   * Share the hashing with a second thread when there are at least this many leaves. Below that,
   * starting the thread costs about as much as the SIMD hashing it would share, so the thread would
   * mostly just start (docs/performance-history.md, Merkle builder). Once started it stays
   * up, so later builds in the process start warm.
   */
  parallelFrom?: number;
  /**
   * The SHA-256 code to run (hash/path.ts): "auto" (default) is WebAssembly SIMD where the runtime
   * has it, else node:crypto; "wasm-simd" where it is missing is a caller error. The helper thread
   * runs the same path. The tree says which path it was built with (`tree.hashPath`).
   */
  hash?: HashOption;
}

const DEFAULT_PARALLEL_FROM = 200_000;
/** Below this the chunks would be too few to share (chunks.mjs). */
const MIN_PARALLEL = 256;
/** A helper that finishes no chunk for this long has stalled: this thread takes its chunks back. */
const STALL_MS = 1000;

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

function hashUpperLevels(hashers: RangeHashers, levels: Buffer, counts: number[], offsets: number[], fromLevel: number): void {
  for (let k = fromLevel; k < counts.length; k++) {
    hashers.nodeRange(levels, offsets[k - 1]!, counts[k - 1]!, offsets[k]!, 0, counts[k]!);
  }
}

/** Builds on this thread only: for small trees, and where threads are unwanted. */
export function buildTreeSync(distributor: KeyLike, entries: readonly Entry[] | PackedEntries, options: BuildOptions = {}): MerkleTree {
  const hashers = hashersFor(options.hash);
  const dist = keyBytes(distributor, "distributor");
  const n = sizeOf(entries);
  const { counts, offsets, levels } = allocLevels(n, false);
  const sorted = toPacked(entries, false, levels, options.reuseInput);
  hashers.leafRange(dist, sorted.claimants, sorted.amounts, levels, 0, 0, n);
  hashUpperLevels(hashers, levels, counts, offsets, 1);
  return new MerkleTree(dist, sorted, levels, counts, offsets, hashers.path);
}

/**
 * Sorts the entries into canonical order (any input order; a duplicate claimant throws) and builds
 * every level, sharing the hashing with a helper thread for large trees (chunks.mjs): this thread
 * never waits on the helper for more than the chunk it is finishing, so a busy second core costs
 * little.
 */
export async function buildTree(
  distributor: KeyLike,
  entries: readonly Entry[] | PackedEntries,
  options: BuildOptions = {},
): Promise<MerkleTree> {
  const n = sizeOf(entries);
  if (n < (options.parallelFrom ?? DEFAULT_PARALLEL_FROM) || n < MIN_PARALLEL) {
    return buildTreeSync(distributor, entries, options);
  }
  const hashers = hashersFor(options.hash);
  startHashWorker();
  const dist = keyBytes(distributor, "distributor");
  const { counts, offsets, levels } = allocLevels(n, true);
  const sorted = toPacked(entries, true, levels, options.reuseInput);
  const job = createChunkJob(dist, sorted.claimants, sorted.amounts, levels.buffer as SharedArrayBuffer, counts, offsets, hashers.path);
  shareWithWorker(job);
  claimChunks(job);
  if (!awaitChunks(job, STALL_MS)) {
    // Stop the helper before finishing its chunks here, so it can never write into this tree (or
    // read the caller's arrays) after the build returns.
    await stopHashWorker();
    for (const c of unfinishedChunks(job)) hashChunk(job, c);
  }
  hashUpperLevels(hashers, levels, counts, offsets, job.unitLog + 1);
  return new MerkleTree(dist, sorted, levels, counts, offsets, hashers.path);
}
