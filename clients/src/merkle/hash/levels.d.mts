// Types of levels.mjs (plain JavaScript so the hash worker can load it without tsx).
import type { LeafRange, NodeRange } from "./sha256-wasm.mjs";

export declare const LEAF_PREFIX: 0;
export declare const NODE_PREFIX: 1;
export declare const LEAF_INPUT_BYTES: 73;
export declare const NODE_INPUT_BYTES: 65;
export declare function levelCounts(n: number): number[];
export declare function levelOffsets(counts: readonly number[]): number[];
/** A build's hash path once resolved (hash/path.ts): what the build actually runs. */
export type HashPath = "wasm-simd" | "node-crypto";
export interface RangeHashers {
  readonly path: HashPath;
  readonly leafRange: LeafRange;
  readonly nodeRange: NodeRange;
}
export declare function rangeHashers(path: HashPath): RangeHashers;
export declare const cryptoLeafRange: LeafRange;
export declare const cryptoNodeRange: NodeRange;
export declare function hashSubtrees(
  nodeRange: NodeRange,
  levels: Buffer,
  counts: readonly number[],
  offsets: readonly number[],
  from: number,
  to: number,
  upTo: number,
): void;
