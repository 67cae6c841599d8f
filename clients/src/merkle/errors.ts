/**
 * Caller errors of the Merkle module: bad input, never a bug in the builder. None is retryable —
 * the same input fails the same way — so callers surface them instead of looping.
 */
export type MerkleErrorCode =
  | "INVALID_KEY"
  | "AMOUNT_OUT_OF_RANGE"
  | "DUPLICATE_CLAIMANT"
  | "UNKNOWN_CLAIMANT"
  | "INVALID_HASH"
  | "INDEX_OUT_OF_RANGE"
  | "SHARD_INVALID"
  | "PROOF_INVALID";

export class MerkleError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: MerkleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "MerkleError";
  }
}
