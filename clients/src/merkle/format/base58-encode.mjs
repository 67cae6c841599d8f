// The base58 encoder of 32-byte keys (base58.ts has the method and the decoder), in plain
// JavaScript (types: base58-encode.d.mts) so the shard thread loads it without tsx.
export const ALPHABET = Buffer.from("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", "latin1");
export const DIVISOR = 58 * 58 * 58;
const limbs = new Float64Array(8);
const digits = new Uint8Array(48);

/** Writes the base58 text of the key at bytes [offset, offset + 32) into `out` at `at`; returns its length (at most 44). */
export function encodeKey58Into(bytes, offset, out, at) {
  let zeros = 0;
  while (zeros < 32 && bytes[offset + zeros] === 0) zeros++;
  for (let i = 0; i < 8; i++) {
    const o = offset + 4 * i;
    limbs[i] = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
  }
  let count = 0;
  let start = zeros >> 2;
  while (start < 8) {
    let rem = 0;
    for (let i = start; i < 8; i++) {
      const v = rem * 4294967296 + limbs[i];
      const q = Math.floor(v / DIVISOR);
      rem = v - q * DIVISOR;
      limbs[i] = q;
    }
    const d0 = rem % 58;
    rem = (rem - d0) / 58;
    const d1 = rem % 58;
    digits[count++] = d0;
    digits[count++] = d1;
    digits[count++] = (rem - d1) / 58;
    while (start < 8 && limbs[start] === 0) start++;
  }
  while (count > 0 && digits[count - 1] === 0) count--;
  let o = at;
  for (let i = 0; i < zeros; i++) out[o++] = ALPHABET[0];
  for (let i = count - 1; i >= 0; i--) out[o++] = ALPHABET[digits[i]];
  return o - at;
}
