/**
 * Errors of the Merkle module, in two kinds (as OpenZeppelin's merkle-tree keeps
 * InvalidArgumentError apart from InvariantError):
 * - `caller`: bad input or options; the caller fixes the input.
 * - `invariant`: the module's own result failed a check (a bug in the builder or a corrupted tree);
 *   nothing was published, and the caller must not retry its way around it.
 * None is retryable — the same input fails the same way — so callers surface them instead of looping.
 */
const CALLER_CODES = [
  "INVALID_KEY",
  "AMOUNT_OUT_OF_RANGE",
  "DUPLICATE_CLAIMANT",
  "UNKNOWN_CLAIMANT",
  "INVALID_HASH",
  "INDEX_OUT_OF_RANGE",
  "SHARD_INVALID",
  "PROOF_INVALID",
  /** An option the module does not know (e.g. `BuildOptions.hash`). */
  "INVALID_OPTION",
  /** `hash: "wasm-simd"` asked of a runtime whose WebAssembly has no SIMD. */
  "HASH_PATH_UNAVAILABLE",
] as const;

const INVARIANT_CODES = [
  /** A built tree disagrees with the independent node:crypto recomputation (check/independent.ts). */
  "TREE_CHECK_FAILED",
  /** The thread writing the proof shards stopped without finishing them (shards/thread.ts). */
  "SHARDS_THREAD_STOPPED",
] as const;

export type MerkleCallerCode = (typeof CALLER_CODES)[number];
export type MerkleInvariantCode = (typeof INVARIANT_CODES)[number];
export type MerkleErrorCode = MerkleCallerCode | MerkleInvariantCode;
export type MerkleErrorKind = "caller" | "invariant";

const INVARIANT: ReadonlySet<MerkleErrorCode> = new Set(INVARIANT_CODES);

export class MerkleError extends Error {
  readonly retryable = false;
  readonly kind: MerkleErrorKind;
  constructor(
    readonly code: MerkleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "MerkleError";
    this.kind = INVARIANT.has(code) ? "invariant" : "caller";
  }
}
