import { hash } from "node:crypto";
import { wasmAvailable, wasmLeafRange, wasmNodeRange } from "./sha256-wasm.mjs";

// Plain JavaScript on purpose (types in levels.d.mts): the hash worker imports it directly. Loading
// TypeScript in a worker meant starting tsx (and its loader thread) there, memory and start-up
// time on every cold build (docs/performance-history.md, Merkle builder).

// docs/merkle.md: the prefixes keep a 65-byte node from ever passing as a 73-byte leaf.
export const LEAF_PREFIX = 0x00;
export const NODE_PREFIX = 0x01;
export const LEAF_INPUT_BYTES = 73;
export const NODE_INPUT_BYTES = 65;

/*
 * The hot loops, shared by the main thread and the hash worker: the WebAssembly SIMD code
 * (sha256-wasm.mjs) or these node:crypto loops, which are also the reference the SIMD code is
 * tested against; each build says which (`BuildOptions.hash`, resolved by hash/path.ts). A 'buffer'
 * digest allocates a Buffer per call, which about doubles the call's cost, as
 * createHash().update().digest() does; a 'latin1' string written back into the flat buffer does
 * not (docs/performance-history.md, Merkle builder). So: one reused scratch input, latin1 digests,
 * flat output buffers.
 */

/** Node counts of every level, leaves first, root last (an odd last node is promoted). */
export function levelCounts(n) {
  const counts = [n];
  while (n > 1) {
    n = (n + 1) >> 1;
    counts.push(n);
  }
  return counts;
}

/** Byte offset of each level in one flat buffer holding all levels back to back. */
export function levelOffsets(counts) {
  const offsets = [];
  let off = 0;
  for (const c of counts) {
    offsets.push(off);
    off += c * 32;
  }
  offsets.push(off);
  return offsets;
}

/**
 * The loops of one hash path. `leafRange`: leaf hashes of entries [from, to) written at
 * `out[outOff + 32i]`. `nodeRange`: nodes [from, to) of the level at `outOff`, from the `inCount`
 * nodes of the level below at `inOff`; pairs are sorted before hashing, an unpaired last node is
 * copied up unchanged. The path comes resolved (hash/path.ts), so a failure here is a bug.
 */
export function rangeHashers(path) {
  if (path === "node-crypto") return CRYPTO;
  if (path === "wasm-simd" && wasmAvailable) return WASM;
  throw new Error(`hash path ${String(path)} is not available here`);
}

/** leafRange with node:crypto. */
export function cryptoLeafRange(distributor, claimants, amounts, out, outOff, from, to) {
  const input = Buffer.alloc(LEAF_INPUT_BYTES);
  input[0] = LEAF_PREFIX;
  input.set(distributor, 1);
  // Little-endian view of the amounts: on x86/arm64 (little-endian hosts) these are the u64 LE bytes.
  const amountBytes = new Uint8Array(amounts.buffer, amounts.byteOffset, amounts.byteLength);
  for (let i = from; i < to; i++) {
    const c = i * 32;
    for (let j = 0; j < 32; j++) input[33 + j] = claimants[c + j];
    const a = i * 8;
    for (let j = 0; j < 8; j++) input[65 + j] = amountBytes[a + j];
    out.write(hash("sha256", input, "binary"), outOff + c, 32, "binary");
  }
}

/** nodeRange with node:crypto. */
export function cryptoNodeRange(levels, inOff, inCount, outOff, from, to) {
  const input = Buffer.alloc(NODE_INPUT_BYTES);
  input[0] = NODE_PREFIX;
  for (let i = from; i < to; i++) {
    const a = inOff + i * 64;
    if (2 * i + 1 >= inCount) {
      levels.copy(levels, outOff + i * 32, a, a + 32);
      continue;
    }
    const b = a + 32;
    let aFirst = true;
    for (let j = 0; j < 32; j++) {
      const x = levels[a + j];
      const y = levels[b + j];
      if (x !== y) {
        aFirst = x < y;
        break;
      }
    }
    const lo = aFirst ? a : b;
    const hi = aFirst ? b : a;
    for (let j = 0; j < 32; j++) {
      input[1 + j] = levels[lo + j];
      input[33 + j] = levels[hi + j];
    }
    levels.write(hash("sha256", input, "binary"), outOff + i * 32, 32, "binary");
  }
}

const CRYPTO = Object.freeze({ path: "node-crypto", leafRange: cryptoLeafRange, nodeRange: cryptoNodeRange });
const WASM = Object.freeze({ path: "wasm-simd", leafRange: wasmLeafRange, nodeRange: wasmNodeRange });

/** Levels 1..upTo for the nodes whose leaves are [from, to); `from` must be a multiple of 2^upTo. */
export function hashSubtrees(nodeRange, levels, counts, offsets, from, to, upTo) {
  for (let k = 1; k <= upTo; k++) {
    const lo = from >> k;
    const hi = Math.min(counts[k], Math.ceil(to / 2 ** k));
    nodeRange(levels, offsets[k - 1], counts[k - 1], offsets[k], lo, hi);
  }
}
