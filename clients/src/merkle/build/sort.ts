import { MerkleError } from "../errors.js";
import { type PackedEntries, allocPacked, packedLength } from "./packed.js";

/*
 * Canonical order (claimant bytes ascending) for a million entries. A comparison sort with
 * Buffer.compare was several times slower, and a counting sort on two bytes then gathering the
 * records by index was slower too, nearly all of it cache misses (docs/performance-history.md,
 * Merkle builder). So: records are first scattered by
 * their first byte (a streaming pass), then each of the 256 buckets (~160 KB at 1M) is sorted and
 * gathered while it sits in cache: counting sort on byte 1, insertion sort on bytes 2..9 kept next
 * to the index, the full key read only when ten bytes tie.
 */

/** 32-bit words over bytes (copying only if the view is not 4-byte aligned). */
function words(bytes: Uint8Array): Uint32Array {
  if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  return new Uint32Array(Uint8Array.from(bytes).buffer);
}

function amountWords(a: BigUint64Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
}

function compareFrom(c: Uint8Array, i: number, j: number, from: number): number {
  for (let k = from; k < 32; k++) {
    const d = c[i * 32 + k]! - c[j * 32 + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Index of the first claimant not strictly above its predecessor (duplicate or disorder), or -1. */
export function firstOutOfOrder(claimants: Uint8Array, n: number): number {
  for (let i = 1; i < n; i++) if (compareFrom(claimants, i - 1, i, 0) >= 0) return i;
  return -1;
}

function copyRecord(fromC: Uint32Array, fromA: Uint32Array, i: number, toC: Uint32Array, toA: Uint32Array, j: number) {
  for (let w = 0; w < 8; w++) toC[j * 8 + w] = fromC[i * 8 + w]!;
  toA[j * 2] = fromA[i * 2]!;
  toA[j * 2 + 1] = fromA[i * 2 + 1]!;
}

/** Scatter pass: records grouped by first claimant byte; returns the 257 bucket bounds. */
function scatterByFirstByte(p: PackedEntries, n: number, into: PackedEntries): Uint32Array {
  const c = p.claimants;
  const bounds = new Uint32Array(257);
  for (let i = 0; i < n; i++) bounds[c[i * 32]! + 1]!++;
  for (let b = 0; b < 256; b++) bounds[b + 1]! += bounds[b]!;
  const fill = bounds.slice(0, 256);
  const [fromC, fromA, toC, toA] = [words(c), amountWords(p.amounts), words(into.claimants), amountWords(into.amounts)];
  for (let i = 0; i < n; i++) copyRecord(fromC, fromA, i, toC, toA, fill[c[i * 32]!]!++);
  return bounds;
}

class BucketSorter {
  private order: Uint32Array;
  private hi: Uint32Array;
  private lo: Uint32Array;
  private readonly sub = new Uint32Array(257);

  constructor(capacity: number) {
    this.order = new Uint32Array(capacity);
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
  }

  /** Sorts records [first, end) of `from` (one first-byte bucket) into the same range of `to`. */
  sort(from: PackedEntries, first: number, end: number, to: PackedEntries): void {
    const c = from.claimants;
    const { order, hi, lo, sub } = this;
    sub.fill(0);
    for (let i = first; i < end; i++) sub[c[i * 32 + 1]! + 1]!++;
    for (let b = 0; b < 256; b++) sub[b + 1]! += sub[b]!;
    const fill = sub.slice(0, 256);
    for (let i = first; i < end; i++) {
      const o = i * 32;
      const at = fill[c[o + 1]!]!++;
      order[at] = i;
      hi[at] = ((c[o + 2]! << 24) | (c[o + 3]! << 16) | (c[o + 4]! << 8) | c[o + 5]!) >>> 0;
      lo[at] = ((c[o + 6]! << 24) | (c[o + 7]! << 16) | (c[o + 8]! << 8) | c[o + 9]!) >>> 0;
    }
    for (let b = 0; b < 256; b++) this.insertionSort(c, sub[b]!, sub[b + 1]!);
    const [fromC, fromA, toC, toA] = [words(c), amountWords(from.amounts), words(to.claimants), amountWords(to.amounts)];
    for (let k = 0; k < end - first; k++) copyRecord(fromC, fromA, order[k]!, toC, toA, first + k);
  }

  private insertionSort(c: Uint8Array, first: number, end: number): void {
    const { order, hi, lo } = this;
    for (let i = first + 1; i < end; i++) {
      const v = order[i]!;
      const vh = hi[i]!;
      const vl = lo[i]!;
      let j = i - 1;
      for (; j >= first; j--) {
        const h = hi[j]!;
        const l = lo[j]!;
        if (h < vh || (h === vh && (l < vl || (l === vl && compareFrom(c, order[j]!, v, 10) <= 0)))) break;
        order[j + 1] = order[j]!;
        hi[j + 1] = h;
        lo[j + 1] = l;
      }
      order[j + 1] = v;
      hi[j + 1] = vh;
      lo[j + 1] = vl;
    }
  }
}

/** The scatter pass's 40 bytes a record, placed in `scratch` when it is big enough. */
function groupedArea(n: number, scratch?: Uint8Array): PackedEntries {
  if (!scratch || scratch.length < n * 40 || scratch.byteOffset % 8 !== 0) return allocPacked(n, false);
  return {
    claimants: scratch.subarray(0, n * 32),
    amounts: new BigUint64Array(scratch.buffer, scratch.byteOffset + n * 32, n),
  };
}

export interface SortOptions {
  /** Output in shared memory (a worker will read it). */
  shared?: boolean;
  /** 40 bytes an entry for the intermediate pass: the builder lends its not-yet-hashed levels. */
  scratch?: Uint8Array;
  /** Reorder `p` itself instead of returning new arrays (saves 40 MB at a million entries). */
  inPlace?: boolean;
}

/**
 * The entries in canonical order. Any input order is accepted; a claimant that appears twice is a
 * caller error.
 */
export function sortPacked(p: PackedEntries, options: SortOptions = {}): PackedEntries {
  const n = packedLength(p);
  const sorted = firstOutOfOrder(p.claimants, n) < 0;
  if (options.inPlace && sorted) return p;
  const out = options.inPlace ? p : allocPacked(n, options.shared ?? false);
  if (sorted) {
    out.claimants.set(p.claimants);
    out.amounts.set(p.amounts);
    return out;
  }
  const grouped = groupedArea(n, options.scratch);
  const bounds = scatterByFirstByte(p, n, grouped);
  let largest = 0;
  for (let b = 0; b < 256; b++) largest = Math.max(largest, bounds[b + 1]! - bounds[b]!);
  const sorter = new BucketSorter(largest);
  for (let b = 0; b < 256; b++) sorter.sort(grouped, bounds[b]!, bounds[b + 1]!, out);
  const bad = firstOutOfOrder(out.claimants, n);
  if (bad >= 0) {
    const hex = Buffer.from(out.claimants.subarray(bad * 32, bad * 32 + 32)).toString("hex");
    throw new MerkleError("DUPLICATE_CLAIMANT", `claimant ${hex} appears more than once`);
  }
  return out;
}

/**
 * The permutation that puts `n` packed claimants in canonical order: `order[k]` is the input
 * position of the k-th claimant. For callers whose records carry more than an amount. `inPlace`:
 * the claimants themselves end up sorted too (no second copy of them, and half the scratch).
 */
export function canonicalOrder(claimants: Uint8Array, n: number, options: { inPlace?: boolean } = {}): Uint32Array {
  const positions = new BigUint64Array(n);
  for (let i = 0; i < n; i++) positions[i] = BigInt(i);
  const sorted = sortPacked({ claimants: claimants.subarray(0, n * 32), amounts: positions }, { inPlace: options.inPlace });
  const order = new Uint32Array(n);
  const words = new Uint32Array(sorted.amounts.buffer, sorted.amounts.byteOffset, n * 2);
  for (let k = 0; k < n; k++) order[k] = words[k * 2]!;
  return order;
}
