// Generates sha256x4.wasm: SHA-256 of four messages at once in i32x4 lanes (WebAssembly SIMD), for
// the two fixed message shapes of docs/merkle.md: leaves (73 bytes) and nodes (65 bytes).
// Run `npx tsx tools/merkle-wasm/src/generate.ts` after changing it; generate.test.ts checks
// that the committed module is exactly what this file generates.
//
// Both shapes take two 64-byte blocks, and most of each second block is the constant padding
// (0x80, zeros, the bit length), so the generator folds those words and whatever only depends on
// them; a leaf's first 33 bytes (prefix and distributor) are the same for the whole call, so its
// first eight rounds run once per call. See wasm-simd-fn.ts.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { encodeModule } from "./wasm-encode.js";
import { ConstPool, SimdFn, type Val } from "./wasm-simd-fn.js";

// prettier-ignore
export const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
export const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** Memory the module exports, in 64 KiB pages; the caller lays out its buffers in it. */
export const PAGES = 8;

export const c = (v: number): Val => ({ c: v >>> 0 });

/** One compression: the state after hashing the 16 message words `words` into `state`. */
export function compress(f: SimdFn, state: Val[], words: Val[]): Val[] {
  const w = [...words];
  const sigma = (x: Val, r1: number, r2: number, s: number) => f.xor(f.xor(f.rotr(x, r1), f.rotr(x, r2)), f.shr(x, s));
  const bigSigma = (x: Val, r1: number, r2: number, r3: number) => f.xor(f.xor(f.rotr(x, r1), f.rotr(x, r2)), f.rotr(x, r3));
  let [a, b, cc, d, e, ff, g, h] = state as [Val, Val, Val, Val, Val, Val, Val, Val];
  let bc = f.xor(b, cc);
  for (let t = 0; t < 64; t++) {
    if (t >= 16) w[t] = f.add(sigma(w[t - 2]!, 17, 19, 10), w[t - 7]!, sigma(w[t - 15]!, 7, 18, 3), w[t - 16]!);
    const t1 = f.add(h, bigSigma(e, 6, 11, 25), f.select(ff, g, e), c(K[t]!), w[t]!);
    // Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)); this round's a ^ b is the next round's b ^ c.
    const ab = f.xor(a, b);
    const t2 = f.add(bigSigma(a, 2, 13, 22), f.xor(b, f.and(ab, bc)));
    bc = ab;
    [h, g, ff, e, d, cc, b, a] = [g, ff, e, f.add(d, t1), cc, b, a, f.add(t1, t2)];
  }
  return [a, b, cc, d, e, ff, g, h].map((x, i) => f.add(state[i]!, x));
}

const BSWAP32 = [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12];
const bswap = (f: SimdFn, v: Val) => f.shuffle(v, v, BSWAP32);
/** i32x4 shuffle as the byte shuffle WebAssembly has: lanes 0..3 of `a`, 4..7 of `b`. */
const shuffle32 = (f: SimdFn, a: Val, b: Val, lanes: number[]) =>
  f.shuffle(
    a,
    b,
    lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]),
  );

/** 4x4 transpose of 32-bit words: rows (one message's words) become lanes (one word of each message). */
function transpose(f: SimdFn, rows: Val[]): Val[] {
  const [r0, r1, r2, r3] = rows as [Val, Val, Val, Val];
  const t0 = shuffle32(f, r0, r1, [0, 4, 1, 5]);
  const t1 = shuffle32(f, r2, r3, [0, 4, 1, 5]);
  const t2 = shuffle32(f, r0, r1, [2, 6, 3, 7]);
  const t3 = shuffle32(f, r2, r3, [2, 6, 3, 7]);
  return [
    [t0, t1, 0],
    [t0, t1, 2],
    [t2, t3, 0],
    [t2, t3, 2],
  ].map(([x, y, l]) => shuffle32(f, x as Val, y as Val, [l as number, (l as number) + 1, (l as number) + 4, (l as number) + 5]));
}

/** Words 4q..4q+3 (big-endian) of four 32-byte strings at `param + stride * lane + 16q`, as lanes. */
export function loadWords(f: SimdFn, param: string, base: number, stride: number): Val[] {
  const half = (q: number) =>
    transpose(
      f,
      [0, 1, 2, 3].map((lane) => bswap(f, f.load(param, base + stride * lane + 16 * q))),
    );
  return [...half(0), ...half(1)];
}

/** The hash words (lanes) stored as four 32-byte big-endian digests at `param + 32 * lane`. */
export function storeDigests(f: SimdFn, param: string, state: Val[]): void {
  for (let q = 0; q < 2; q++) {
    transpose(f, state.slice(4 * q, 4 * q + 4)).forEach((row, lane) => f.store(param, 32 * lane + 16 * q, bswap(f, row)));
  }
}

/** Big-endian words of `prefix || bytes(words)`: every word shifted by one byte. */
function shiftedByOneByte(f: SimdFn, prefixByte: number, words: Val[]): Val[] {
  return words.map((w, i) => f.or(i === 0 ? c(prefixByte << 24) : f.shl(words[i - 1]!, 24), f.shr(w, 8)));
}

/** Two-block message: the bit length, 0x80 after the last byte; `tail` holds the second block's data words. */
function padded(tail: Val[], lastWord: Val, bits: number): Val[] {
  const block = [...tail, lastWord];
  while (block.length < 15) block.push(c(0));
  return [...block, c(bits)];
}

/*
 * Each hash is two functions, one block each: the first stores its state and the second block's
 * data words ("mid", MID_STRIDE bytes a group, lane-interleaved), the second finishes. One function
 * for both blocks ran slower per instruction: its loop body outgrew the instruction cache, where
 * one block's fits (docs/performance-history.md, Merkle builder).
 */
export const MID_STRIDE = 16 * 11;

function saveMid(f: SimdFn, state: Val[], words: Val[]): void {
  [...state, ...words].forEach((v, i) => f.store("mid", 16 * i, v));
}

function loadMid(f: SimdFn, words: number): Val[] {
  return Array.from({ length: 8 + words }, (_, i) => f.load("mid", 16 * i));
}

/** leaves1(distributor, claimants, amounts, mid, groups): the first block of 73-byte leaves. */
function leaves1(consts: ConstPool): SimdFn {
  const f = new SimdFn("leaves1", ["distributor", "claimants", "amounts", "mid", "groups"], consts);
  const d = [0, 16].map((off) => bswap(f, f.load("distributor", off, false)));
  const dist = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => shuffle32(f, d[i >> 2]!, d[i >> 2]!, [i & 3, i & 3, i & 3, i & 3]));
  const claimant = loadWords(f, "claimants", 0, 32);
  // Eight little-endian amounts: as big-endian words, lanes 0 and 2 hold bytes 0..3, 1 and 3 bytes 4..7.
  const [v0, v1] = [0, 16].map((off) => bswap(f, f.load("amounts", off)));
  const amount = [shuffle32(f, v0!, v1!, [0, 2, 4, 6]), shuffle32(f, v0!, v1!, [1, 3, 5, 7])];
  const data = shiftedByOneByte(f, 0x00, [...dist, ...claimant, ...amount]);
  const last = f.or(f.shl(amount[1]!, 24), c(0x80 << 16));
  saveMid(f, compress(f, H0.map(c), data.slice(0, 16)), [...data.slice(16, 18), last]);
  return f;
}

/** leaves2(mid, out, groups): the second block, digests to `out`. */
function leaves2(consts: ConstPool): SimdFn {
  const f = new SimdFn("leaves2", ["mid", "out", "groups"], consts);
  const mid = loadMid(f, 3);
  storeDigests(f, "out", compress(f, mid.slice(0, 8), padded(mid.slice(8, 10), mid[10]!, 73 * 8)));
  return f;
}

/** nodes1(children, mid, groups): node i from children 2i and 2i+1, sorted; the first block. */
function nodes1(consts: ConstPool): SimdFn {
  const f = new SimdFn("nodes1", ["children", "mid", "groups"], consts);
  const a = loadWords(f, "children", 0, 64);
  const b = loadWords(f, "children", 32, 64);
  // a < b in unsigned lexicographic order, decided by the first word that differs.
  let aFirst = f.op(0x3a, [a[7]!, b[7]!], (x, y) => (x < y ? -1 : 0));
  for (let i = 6; i >= 0; i--) {
    const lt = f.op(0x3a, [a[i]!, b[i]!], (x, y) => (x < y ? -1 : 0));
    const eq = f.op(0x37, [a[i]!, b[i]!], (x, y) => (x === y ? -1 : 0));
    aFirst = f.or(lt, f.select(aFirst, c(0), eq));
  }
  const lo = a.map((x, i) => f.select(x, b[i]!, aFirst));
  const hi = a.map((x, i) => f.select(b[i]!, x, aFirst));
  const last = f.or(f.shl(hi[7]!, 24), c(0x80 << 16));
  saveMid(f, compress(f, H0.map(c), shiftedByOneByte(f, 0x01, [...lo, ...hi])), [last]);
  return f;
}

/** nodes2(mid, out, groups): the second block, digests to `out`. */
function nodes2(consts: ConstPool): SimdFn {
  const f = new SimdFn("nodes2", ["mid", "out", "groups"], consts);
  const mid = loadMid(f, 1);
  storeDigests(f, "out", compress(f, mid.slice(0, 8), padded([], mid[8]!, 65 * 8)));
  return f;
}

/** Bytes at the start of memory kept for the constants; callers' buffers start at `heap_base`. */
const CONST_AREA = 8192;

export function generate(): Uint8Array {
  const consts = new ConstPool();
  const funcs = [
    leaves1(consts).finish({ claimants: 128, amounts: 32, mid: MID_STRIDE }),
    leaves2(consts).finish({ mid: MID_STRIDE, out: 128 }),
    nodes1(consts).finish({ children: 256, mid: MID_STRIDE }),
    nodes2(consts).finish({ mid: MID_STRIDE, out: 128 }),
  ];
  const data = consts.bytes();
  if (data.length > CONST_AREA) throw new Error(`${data.length} bytes of constants do not fit in ${CONST_AREA}`);
  return encodeModule(PAGES, funcs, data, CONST_AREA);
}

export const WASM_FILE = new URL("../../../clients/src/merkle/hash/sha256x4.wasm", import.meta.url);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = generate();
  writeFileSync(WASM_FILE, bytes);
  console.log(`wrote ${fileURLToPath(WASM_FILE)} (${bytes.length} bytes)`);
}
