// Types of ascii.mjs (plain JavaScript so the shard thread can load it without tsx).
import type { KeyTextBytes } from "./key-texts.mjs";

export declare class AsciiChunks {
  buf: Buffer;
  off: number;
  /** `into`: a buffer of the caller's to write into first (one it reuses), when it holds `size` bytes. */
  constructor(size?: number, into?: Buffer);
  /** What was written, all in one chunk (`size` was enough): a view, no new chunk begun. */
  written(): Buffer;
  /** Room for `n` more bytes; when the chunk cannot take them, the filled part is returned and a new chunk begins. */
  room(n: number): Buffer | undefined;
  /** The filled part (a view the caller owns: the writer moves on to a fresh buffer, or a recycled one). */
  take(): Buffer;
  /** A chunk `take` handed out whose bytes are no longer needed: the next chunk is written into it. */
  recycle(chunk: Buffer): void;
  /** ASCII text (the caller counted it in `room`). */
  str(s: string): void;
  /** Bytes encoded once (a record's fixed keys and quotes). */
  raw(bytes: Uint8Array): void;
  /** A single byte, e.g. a quote or a comma. */
  byte(c: number): void;
  /** A non-negative integer below 2^53 in decimal. */
  uint(v: number): void;
  /** Any bigint in decimal, as `String(v)` writes it. */
  big(v: bigint): void;
  /** Bytes [from, to) of `src` as lowercase hex. */
  hex(src: Uint8Array, from: number, to: number): void;
  /** The base58 text of the 32-byte key at `offset` of `bytes` (at most 44 bytes). */
  key58(bytes: Uint8Array, offset: number): void;
  /** Text `i` of `texts` (at most 44 bytes). */
  keyText(texts: KeyTextBytes, i: number): void;
}
/** ASCII text as bytes, for `raw`. */
export declare const ascii: (s: string) => Uint8Array;
/** The most bytes `big` writes for a value of 128 bits or less (sign included). */
export declare const BIG_MAX = 41;
