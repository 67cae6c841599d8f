// Types of key-texts.mjs (plain JavaScript so the shard thread can load it without tsx).

/** The longest base58 text of a 32-byte key. */
export declare const KEY58_MAX = 44;

/** What a thread receives of a KeyTexts: its arrays (in shared memory), without the methods. */
export interface KeyTextBytes {
  bytes: Uint8Array;
  lengths: Uint8Array;
}

/** The base58 texts of many keys as bytes in shared memory, a fixed slot each. */
export declare class KeyTexts implements KeyTextBytes {
  bytes: Uint8Array;
  lengths: Uint8Array;
  /** Room for `capacity` texts; those of `from` (a smaller one) are copied in. */
  constructor(capacity: number, from?: KeyTexts);
  /** Text `i` is `s` (ASCII, at most KEY58_MAX characters: a base58 key). */
  set(i: number, s: string): void;
  /** Text `i` as a string. */
  at(i: number): string;
  /** Text `i` against text `j`, byte by byte (C collation): negative, zero or positive. */
  compare(i: number, j: number): number;
}

/** Copies text `i` of `texts` into `out` at `at`; returns its length. */
export declare function copyKeyText(texts: KeyTextBytes, i: number, out: Uint8Array, at: number): number;
