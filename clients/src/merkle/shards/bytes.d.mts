// Types of bytes.mjs (plain JavaScript so the shard thread can load it without tsx).
import type { KeyTextBytes } from "../format/key-texts.mjs";

/** What a shard is made of: a tree's levels and entries (MerkleTree's, or the same arrays in shared memory). */
export interface ShardSource {
  counts: readonly number[];
  offsets: readonly number[];
  nodes: Uint8Array;
  depth: number;
  amounts: BigUint64Array;
  claimants: Uint8Array;
}
/** Leaf k's claimant text: a function of the leaf, or texts with the slot of each leaf (`of[k]`). */
export type ShardText = ((leaf: number) => string) | { texts: KeyTextBytes; of: Uint32Array };
/** Each shard as [prefix, from, to): the leaves whose keys start with one prefix of `hexChars` hex digits. */
export declare function shardRanges(claimants: Uint8Array, size: number, hexChars: number): Generator<[string, number, number]>;
/** The bytes of one shard (see bytes.mjs), written into `into` when it is large enough. */
export declare function shardBytes(
  t: ShardSource,
  head: string,
  prefix: string,
  from: number,
  to: number,
  text: ShardText | undefined,
  into: Buffer | undefined,
): Buffer;
