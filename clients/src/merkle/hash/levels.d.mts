// Types of levels.mjs (plain JavaScript so the hash worker can load it without tsx).
import type { LeafRange, NodeRange } from "./sha256-wasm.mjs";

export declare const LEAF_PREFIX: 0;
export declare const NODE_PREFIX: 1;
export declare const LEAF_INPUT_BYTES: 73;
export declare const NODE_INPUT_BYTES: 65;
export declare function levelCounts(n: number): number[];
export declare function levelOffsets(counts: readonly number[]): number[];
export { HASH_PATH } from "./sha256-wasm.mjs";
export declare const hashLeafRange: LeafRange;
export declare const hashNodeRange: NodeRange;
export declare const cryptoLeafRange: LeafRange;
export declare const cryptoNodeRange: NodeRange;
export declare function hashSubtrees(
  levels: Buffer,
  counts: readonly number[],
  offsets: readonly number[],
  from: number,
  to: number,
  upTo: number,
): void;
