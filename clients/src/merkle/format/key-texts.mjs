// The base58 texts of many keys as bytes in shared memory, a fixed slot each: a million wallets'
// texts without a string each, which the shard thread reads as they are. Plain JavaScript (types:
// key-texts.d.mts) so that thread loads it without tsx.

/** The longest base58 text of a 32-byte key. */
export const KEY58_MAX = 44;

export class KeyTexts {
  /** Room for `capacity` texts; those of `from` (a smaller one) are copied in. */
  constructor(capacity, from = undefined) {
    this.bytes = new Uint8Array(new SharedArrayBuffer(capacity * KEY58_MAX));
    this.lengths = new Uint8Array(new SharedArrayBuffer(capacity));
    if (from !== undefined) {
      this.bytes.set(from.bytes.subarray(0, Math.min(from.bytes.length, this.bytes.length)));
      this.lengths.set(from.lengths.subarray(0, Math.min(from.lengths.length, this.lengths.length)));
    }
  }

  /** Text `i` is `s` (ASCII, at most KEY58_MAX characters: a base58 key). */
  set(i, s) {
    const b = this.bytes;
    const at = i * KEY58_MAX;
    for (let j = 0; j < s.length; j++) b[at + j] = s.charCodeAt(j);
    this.lengths[i] = s.length;
  }

  /** Text `i` as a string. */
  at(i) {
    const at = i * KEY58_MAX;
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + at, this.lengths[i]).toString("latin1");
  }

  /** Text `i` against text `j`, byte by byte (C collation): negative, zero or positive. */
  compare(i, j) {
    const b = this.bytes;
    const li = this.lengths[i];
    const lj = this.lengths[j];
    const n = li < lj ? li : lj;
    for (let x = i * KEY58_MAX, y = j * KEY58_MAX, end = x + n; x < end; x++, y++) if (b[x] !== b[y]) return b[x] - b[y];
    return li - lj;
  }
}

/** Copies text `i` of `texts` (a KeyTexts, or its fields as a thread receives them) into `out` at `at`; returns its length. */
export function copyKeyText(texts, i, out, at) {
  const n = texts.lengths[i];
  const b = texts.bytes;
  for (let j = 0, from = i * KEY58_MAX; j < n; j++) out[at + j] = b[from + j];
  return n;
}
