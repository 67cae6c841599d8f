import { decodeKey58, encodeKey58 } from "./base58.js";
import { MerkleError } from "../errors.js";

/** A 32-byte public key as raw bytes, base58 text, or anything with `toBytes()` (web3.js PublicKey). */
export type KeyLike = Uint8Array | string | { toBytes(): Uint8Array };

export function keyBytes(key: KeyLike, what = "key"): Uint8Array {
  let bytes: Uint8Array;
  if (typeof key === "string") {
    const decoded = decodeKey58(key);
    if (!decoded) throw new MerkleError("INVALID_KEY", `${what} is not a base58 32-byte key: ${JSON.stringify(key)}`);
    bytes = decoded;
  } else if (key instanceof Uint8Array) {
    bytes = key;
  } else {
    bytes = key.toBytes();
  }
  if (bytes.length !== 32) {
    throw new MerkleError("INVALID_KEY", `${what} must be 32 bytes, got ${bytes.length}`);
  }
  return bytes;
}

export function keyBase58(key: KeyLike): string {
  if (typeof key === "string") {
    keyBytes(key);
    return key;
  }
  return encodeKey58(keyBytes(key));
}

/** A 32-byte hash from raw bytes or hex text (the vectors' and shards' encoding). */
export function hashBytes(hash: Uint8Array | string, what = "hash"): Uint8Array {
  const bytes = typeof hash === "string" ? Buffer.from(hash, "hex") : hash;
  if (bytes.length !== 32 || (typeof hash === "string" && hash.length !== 64)) {
    throw new MerkleError("INVALID_HASH", `${what} must be 32 bytes (64 hex chars)`);
  }
  return bytes;
}
