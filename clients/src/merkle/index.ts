// The merit Merkle format (docs/merkle.md) off-chain: encoding, builder, proofs, proof shards.
export { MerkleError, type MerkleErrorCode, type MerkleCallerCode, type MerkleInvariantCode, type MerkleErrorKind } from "./errors.js";
export { type KeyLike, keyBytes, keyBase58, hashBytes } from "./format/keys.js";
export { encodeKey58, decodeKey58, decodeKey58Into } from "./format/base58.js";
export { KeyTexts, KEY58_MAX, type KeyTextBytes, copyKeyText } from "./format/key-texts.mjs";
export { leafHash, nodeHash, compareBytes, sha256, checkAmount, EMPTY_ROOT, U64_MAX, I64_MIN, I64_MAX } from "./format/hash.js";
export { verifyProof, rootFromProof } from "./format/verify.js";
export { type Entry, type PackedEntries, packEntries, allocEntries } from "./build/packed.js";
export { sortPacked, canonicalOrder, firstOutOfOrder, type SortOptions } from "./build/sort.js";
export { buildTree, buildTreeSync, type BuildOptions } from "./build/build.js";
export { stopHashWorker } from "./hash/pool.js";
export { type HashOption, type HashPath, resolveHashPath } from "./hash/path.js";
export { MerkleTree } from "./build/tree.js";
export { checksInWorker, verifyTreeIndependently } from "./check/independent.js";
export { verifyTreeInWorker } from "./check/thread.js";
export { writeProofShards, type ShardOptions } from "./shards/write.js";
export { writeProofShardsInWorker, type ShardThreadOptions } from "./shards/thread.js";
export { readClaimProof, type ClaimProof, type ReadShardOptions } from "./shards/read.js";
export { type ShardManifest, type Shard, type ShardEntry, SHARDS_FORMAT, MANIFEST_FILE } from "./shards/format.js";
