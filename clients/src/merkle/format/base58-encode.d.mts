// Types of base58-encode.mjs (plain JavaScript so the shard thread can load it without tsx).
export declare const ALPHABET: Buffer;
/** 58^3: the encoder and the decoder take three digits a pass. */
export declare const DIVISOR: number;
/** Writes the base58 text of the key at bytes [offset, offset + 32) into `out` at `at`; returns its length (at most 44). */
export declare function encodeKey58Into(bytes: Uint8Array, offset: number, out: Uint8Array, at: number): number;
