// Types of sha256-wasm.mjs (plain JavaScript so the hash worker can load it without tsx).
/** Leaf hashes of entries [from, to) written at `out[outOff + 32i]`. */
export type LeafRange = (
  distributor: Uint8Array,
  claimants: Uint8Array,
  amounts: BigUint64Array,
  out: Buffer,
  outOff: number,
  from: number,
  to: number,
) => void;
/** Nodes [from, to) of the level at `outOff` from the `inCount` nodes at `inOff`. */
export type NodeRange = (levels: Buffer, inOff: number, inCount: number, outOff: number, from: number, to: number) => void;
export declare const wasmAvailable: boolean;
export declare const wasmLeafRange: LeafRange;
export declare const wasmNodeRange: NodeRange;
