/**
 * Why a dataset was refused. All are data errors (the file is wrong, or is not the file the chain
 * committed to): not retryable, and never a bug in the reader. `line` (1-based, the header is
 * line 1) and `claimant` name the record at fault when one record is.
 */
export type DatasetErrorCode =
  | "MALFORMED_HEADER"
  | "UNSUPPORTED_VERSION"
  | "MALFORMED_RECORD"
  | "NON_CANONICAL_RECORD"
  | "OUT_OF_ORDER"
  | "DUPLICATE_CLAIMANT"
  | "LEAF_MISMATCH"
  | "POINTS_MISMATCH"
  | "AMOUNT_MISMATCH"
  | "UNKNOWN_CAMPAIGN"
  | "COUNT_MISMATCH"
  | "TOTALS_MISMATCH"
  | "ROOT_MISMATCH"
  | "HASH_MISMATCH"
  | "INVALID_INPUT";

export class DatasetError extends Error {
  readonly retryable = false;
  /**
   * Always "caller": the data given is at fault. The same field as `MerkleError.kind`, so a caller
   * branches on `err.kind` alike for both; a broken invariant met while writing or loading a
   * dataset is a MerkleError of kind "invariant" (the tree failed its independent check).
   */
  readonly kind = "caller" as const;
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
    readonly line?: number,
    readonly claimant?: string,
  ) {
    super(line === undefined ? message : `line ${line}${claimant ? ` (claimant ${claimant})` : ""}: ${message}`);
    this.name = "DatasetError";
  }
}
