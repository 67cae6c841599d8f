/*
 * Base58 of 32-byte keys, several times faster than bs58 (the generic base-x) for this one size: proof
 * shards and datasets encode and decode a million keys. The key is eight 32-bit limbs divided by
 * (or multiplied by) 58^3 per pass; every intermediate stays below 2^53, so the float arithmetic
 * is exact, and the text is built as bytes. Checked against bs58 in base58.test.ts. The encoder is
 * base58-encode.mjs: plain JavaScript, which the shard thread loads without tsx.
 */
import { ALPHABET, DIVISOR, encodeKey58Into } from "./base58-encode.mjs";

const text = Buffer.alloc(48);

export function encodeKey58(bytes: Uint8Array, offset = 0): string {
  return text.toString("latin1", 0, encodeKey58Into(bytes, offset, text, 0));
}

// the decoder's own: the encoder's are encodeKey58Into's
const limbs = new Float64Array(8);

const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 58; i++) VALUE[ALPHABET[i]!] = i;

/**
 * The 32 bytes behind a base58 key, or undefined when the text is not exactly one 32-byte key in
 * canonical form (the inverse of encodeKey58: limbs times 58^3 plus the next three digits).
 */
export function decodeKey58(s: string): Uint8Array | undefined {
  const out = new Uint8Array(32);
  return decodeKey58Into(s, out, 0) ? out : undefined;
}

/** decodeKey58 into bytes [at, at + 32) of `out` (a million keys, no array each); false when `s` is no key. */
export function decodeKey58Into(s: string, out: Uint8Array, at: number): boolean {
  if (s.length < 32 || s.length > 44) return false;
  limbs.fill(0);
  // limbs above `top` are zero: the number grows by ~17.6 bits a group, so early groups touch few
  let top = 7;
  const pad = (3 - (s.length % 3)) % 3;
  for (let from = -pad; from < s.length; from += 3) {
    let group = 0;
    for (let j = from; j < from + 3; j++) {
      const c = j < 0 ? 49 : s.charCodeAt(j);
      const v = c < 128 ? VALUE[c]! : -1;
      if (v < 0) return false;
      group = group * 58 + v;
    }
    let carry = group;
    for (let i = 7; i >= top; i--) {
      const v = limbs[i]! * DIVISOR + carry;
      carry = Math.floor(v / 4294967296);
      limbs[i] = v - carry * 4294967296;
    }
    while (carry !== 0 && top > 0) {
      top--;
      const v = carry; // limbs[top] was zero
      carry = Math.floor(v / 4294967296);
      limbs[top] = v - carry * 4294967296;
    }
    if (carry !== 0) return false;
  }
  for (let i = 0; i < 8; i++) {
    const w = limbs[i]!;
    out[at + 4 * i] = w >>> 24;
    out[at + 4 * i + 1] = (w >>> 16) & 0xff;
    out[at + 4 * i + 2] = (w >>> 8) & 0xff;
    out[at + 4 * i + 3] = w & 0xff;
  }
  // Canonical form: the leading "1"s are exactly the leading zero bytes (else "2" would be a key,
  // or "1" + a key another name for it).
  let ones = 0;
  while (ones < s.length && s.charCodeAt(ones) === 49) ones++;
  let zeros = 0;
  while (zeros < 32 && out[at + zeros] === 0) zeros++;
  return ones === zeros;
}
