/**
 * ASCII text written straight into Buffers a chunk at a time: the dataset's lines and the shards
 * at a million wallets, without a string per line to build, join and encode again (the format's
 * serializers stay the definition: the writers' tests compare bytes with them). Plain JavaScript
 * (types: ascii.d.mts) so the shard thread loads it without tsx.
 */
import { encodeKey58Into } from "./base58-encode.mjs";
import { copyKeyText } from "./key-texts.mjs";

const HEX = Buffer.from("0123456789abcdef", "latin1");
const TWO_53 = 2n ** 53n;

export class AsciiChunks {
  off = 0;
  /** @type {Buffer | undefined} */
  spare = undefined;

  /** `into`: a buffer of the caller's to write into first (one it reuses), when it holds `size` bytes. */
  constructor(size = 1 << 20, into = undefined) {
    this.size = size;
    this.buf = into !== undefined && into.length >= size ? into : Buffer.allocUnsafeSlow(size);
  }

  /** What was written, all in one chunk (`size` was enough): a view, no new chunk begun. */
  written() {
    return this.buf.subarray(0, this.off);
  }

  /** Room for `n` more bytes; when the chunk cannot take them, the filled part is returned and a new chunk begins. */
  room(n) {
    if (this.off + n <= this.buf.length) return undefined;
    const full = this.take();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafeSlow(Math.max(n, this.size));
    return full;
  }

  /** The filled part (a view the caller owns: the writer moves on to a fresh buffer, or a recycled one). */
  take() {
    const full = this.buf.subarray(0, this.off);
    this.buf = this.spare ?? Buffer.allocUnsafeSlow(this.size);
    this.spare = undefined;
    this.off = 0;
    return full;
  }

  /** A chunk `take` handed out whose bytes are no longer needed: the next chunk is written into it. */
  recycle(chunk) {
    // chunks own their memory (allocUnsafeSlow: never a slice of Node's shared pool)
    if (chunk.buffer === this.buf.buffer || chunk.byteOffset !== 0 || chunk.buffer.byteLength < this.size) return;
    this.spare = Buffer.from(chunk.buffer, 0, chunk.buffer.byteLength);
  }

  /**
   * ASCII text (the caller counted it in `room`). A loop, not Buffer#write: these are short
   * strings (keys, claimants), for which the native call costs more than the copy.
   */
  str(s) {
    const b = this.buf;
    let o = this.off;
    for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i);
    this.off = o;
  }

  /**
   * Bytes encoded once (a record's fixed keys and quotes: latin1 of ASCII text). One typed-array
   * copy, where `str` reads the same text a char at a time.
   */
  raw(bytes) {
    this.buf.set(bytes, this.off);
    this.off += bytes.length;
  }

  /** A single byte, e.g. a quote or a comma. */
  byte(c) {
    this.buf[this.off++] = c;
  }

  /** A non-negative integer below 2^53 in decimal. */
  uint(v) {
    let digits = 1;
    for (let p = 10; p <= v && digits < 16; p *= 10) digits++;
    if (digits === 16 && v >= 1e16) digits++;
    const b = this.buf;
    let o = this.off + digits;
    this.off = o;
    do {
      const q = Math.floor(v / 10);
      b[--o] = 48 + (v - q * 10);
      v = q;
    } while (v > 0);
  }

  /** Any bigint in decimal, as `String(v)` writes it. */
  big(v) {
    if (v >= 0n && v < TWO_53) this.uint(Number(v));
    else this.str(v.toString());
  }

  /** Bytes [from, to) of `src` as lowercase hex. */
  hex(src, from, to) {
    const b = this.buf;
    let o = this.off;
    for (let i = from; i < to; i++) {
      const x = src[i];
      b[o++] = HEX[x >> 4];
      b[o++] = HEX[x & 15];
    }
    this.off = o;
  }

  /** The base58 text of the 32-byte key at `offset` of `bytes` (at most 44 bytes). */
  key58(bytes, offset) {
    this.off += encodeKey58Into(bytes, offset, this.buf, this.off);
  }

  /** Text `i` of `texts` (key-texts.mjs: a KeyTexts or its arrays; at most 44 bytes). */
  keyText(texts, i) {
    this.off += copyKeyText(texts, i, this.buf, this.off);
  }
}

/** ASCII text as bytes, for `raw`. */
export const ascii = (s) => new Uint8Array(Buffer.from(s, "latin1"));

/** The most bytes `big` writes for a value of 128 bits or less (sign included). */
export const BIG_MAX = 41;
