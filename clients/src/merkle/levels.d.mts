// Types of levels.mjs (plain JavaScript so the hash worker can load it without tsx).
export declare const LEAF_PREFIX: 0;
export declare const NODE_PREFIX: 1;
export declare const LEAF_INPUT_BYTES: 73;
export declare const NODE_INPUT_BYTES: 65;
export declare function levelCounts(n: number): number[];
export declare function levelOffsets(counts: readonly number[]): number[];
export declare function hashLeafRange(
  distributor: Uint8Array,
  claimants: Uint8Array,
  amounts: BigUint64Array,
  out: Buffer,
  outOff: number,
  from: number,
  to: number,
): void;
export declare function hashNodeRange(levels: Buffer, inOff: number, inCount: number, outOff: number, from: number, to: number): void;
export declare function hashSubtrees(
  levels: Buffer,
  counts: readonly number[],
  offsets: readonly number[],
  from: number,
  to: number,
  upTo: number,
): void;
