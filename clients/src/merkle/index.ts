// The merit Merkle format (docs/merkle.md) off-chain: encoding, builder, proofs, proof shards.
export { MerkleError, type MerkleErrorCode } from "./errors.js";
export { type KeyLike, keyBytes, keyBase58, hashBytes } from "./keys.js";
export { encodeKey58, decodeKey58 } from "./base58.js";
export { leafHash, nodeHash, compareBytes, sha256, checkAmount, EMPTY_ROOT, U64_MAX } from "./hash.js";
export { verifyProof, rootFromProof } from "./verify.js";
export { type Entry, type PackedEntries, packEntries, allocEntries } from "./packed.js";
export { sortPacked, canonicalOrder, type SortOptions } from "./sort.js";
export { buildTree, buildTreeSync, type BuildOptions } from "./build.js";
export { stopHashWorker } from "./hash-pool.js";
export { MerkleTree } from "./tree.js";
export { writeProofShards, type ShardOptions } from "./shard-write.js";
export { readClaimProof, type ClaimProof, type ReadShardOptions } from "./shard-read.js";
export { type ShardManifest, type Shard, type ShardEntry, SHARDS_FORMAT, MANIFEST_FILE } from "./shard-format.js";
