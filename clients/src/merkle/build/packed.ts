import { MerkleError } from "../errors.js";
import { checkAmount } from "../format/hash.js";
import { type KeyLike, keyBytes } from "../format/keys.js";

/**
 * Entries as flat arrays: claimant i is bytes [32i, 32i+32) of `claimants`, its cumulative amount is
 * `amounts[i]`. A million entries are 40 MB here instead of a million objects and Uint8Arrays.
 */
export interface PackedEntries {
  readonly claimants: Uint8Array;
  readonly amounts: BigUint64Array;
}

export interface Entry {
  readonly claimant: KeyLike;
  readonly amount: bigint;
}

export function packedLength(p: PackedEntries): number {
  if (p.claimants.length !== p.amounts.length * 32) {
    throw new MerkleError("INVALID_KEY", "claimants must hold 32 bytes per amount");
  }
  return p.amounts.length;
}

/** Shared memory when there is a worker to share it with, so no copy crosses the thread boundary. */
export function allocBytes(length: number, shared: boolean): Buffer {
  return shared ? Buffer.from(new SharedArrayBuffer(length)) : Buffer.alloc(length);
}

export function packEntries(entries: readonly Entry[], shared = false): PackedEntries {
  const { claimants, amounts } = allocPacked(entries.length, shared);
  entries.forEach((e, i) => {
    claimants.set(keyBytes(e.claimant, "claimant"), i * 32);
    amounts[i] = checkAmount(e.amount);
  });
  return { claimants, amounts };
}

/**
 * Empty packed arrays for `n` entries in shared memory: fill them and pass them to buildTree with
 * `reuseInput`, and a million entries are never copied (the helper thread reads them in place).
 */
export function allocEntries(n: number): { claimants: Buffer; amounts: BigUint64Array } {
  return allocPacked(n, true);
}

/** Fresh packed arrays (shared memory when a worker will read them). */
export function allocPacked(n: number, shared: boolean): { claimants: Buffer; amounts: BigUint64Array } {
  const amounts = new BigUint64Array(shared ? new SharedArrayBuffer(n * 8) : new ArrayBuffer(n * 8));
  return { claimants: allocBytes(n * 32, shared), amounts };
}
