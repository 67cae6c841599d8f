import { hash } from "node:crypto";
import { MerkleError } from "../errors.js";
import { type KeyLike, hashBytes, keyBytes } from "./keys.js";
import { LEAF_INPUT_BYTES, LEAF_PREFIX, NODE_INPUT_BYTES, NODE_PREFIX } from "../hash/levels.mjs";

export { LEAF_INPUT_BYTES, LEAF_PREFIX, NODE_INPUT_BYTES, NODE_PREFIX };
export const HASH_BYTES = 32;
export const U64_MAX = (1n << 64n) - 1n;
/** The signed 64-bit range: points and carried balances, which corrections can make negative. */
export const I64_MIN = -(1n << 63n);
export const I64_MAX = (1n << 63n) - 1n;
/** The root of an epoch with no leaves: no proof can reach it. */
export const EMPTY_ROOT: Buffer = Buffer.alloc(HASH_BYTES);

export function sha256(data: Uint8Array): Buffer {
  return hash("sha256", data, "buffer") as unknown as Buffer;
}

export function checkAmount(amount: bigint): bigint {
  if (typeof amount !== "bigint" || amount < 0n || amount > U64_MAX) {
    throw new MerkleError("AMOUNT_OUT_OF_RANGE", `amount must be a u64 bigint, got ${String(amount)}`);
  }
  return amount;
}

/** sha256(0x00 || distributor || claimant || cumulative_amount as u64 LE). */
export function leafHash(distributor: KeyLike, claimant: KeyLike, cumulativeAmount: bigint): Buffer {
  const input = Buffer.alloc(LEAF_INPUT_BYTES);
  input[0] = LEAF_PREFIX;
  input.set(keyBytes(distributor, "distributor"), 1);
  input.set(keyBytes(claimant, "claimant"), 33);
  input.writeBigUInt64LE(checkAmount(cumulativeAmount), 65);
  return sha256(input);
}

/** Unsigned lexicographic order of two byte strings (what min/max in docs/merkle.md mean). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** sha256(0x01 || min(a, b) || max(a, b)): the pair is sorted so proofs need no direction bits. */
export function nodeHash(a: Uint8Array | string, b: Uint8Array | string): Buffer {
  const x = hashBytes(a, "node child");
  const y = hashBytes(b, "node child");
  const input = Buffer.alloc(NODE_INPUT_BYTES);
  input[0] = NODE_PREFIX;
  const [lo, hi] = compareBytes(x, y) <= 0 ? [x, y] : [y, x];
  input.set(lo, 1);
  input.set(hi, 33);
  return sha256(input);
}
