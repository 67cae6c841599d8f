/*
 * Base58 of a 32-byte key, about twice as fast as bs58 (the generic base-x) for this one size:
 * proof shards and datasets encode a million keys. The key is eight 32-bit limbs divided by 58^3
 * per pass; every intermediate stays below 2^53, so the float arithmetic is exact, and the text is
 * built as bytes. Checked against bs58 in base58.test.ts.
 */
const ALPHABET = Buffer.from("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", "latin1");
const DIVISOR = 58 * 58 * 58;
const limbs = new Float64Array(8);
const digits = new Uint8Array(48);
const text = Buffer.alloc(48);

export function encodeKey58(bytes: Uint8Array, offset = 0): string {
  let zeros = 0;
  while (zeros < 32 && bytes[offset + zeros] === 0) zeros++;
  for (let i = 0; i < 8; i++) {
    const o = offset + 4 * i;
    limbs[i] = ((bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!) >>> 0;
  }
  let count = 0;
  let start = zeros >> 2;
  while (start < 8) {
    let rem = 0;
    for (let i = start; i < 8; i++) {
      const v = rem * 4294967296 + limbs[i]!;
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
  let len = 0;
  for (; len < zeros; len++) text[len] = ALPHABET[0]!;
  for (let i = count - 1; i >= 0; i--) text[len++] = ALPHABET[digits[i]!]!;
  return text.toString("latin1", 0, len);
}
