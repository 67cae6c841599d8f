// The auditor's verify (docs/verify.md): an epoch's published files against the chain, without
// the operator's database. The replay of the scoring is the indexer's (`verify --replay`).
export { VerifyError, type VerifyErrorKind } from "./errors.js";
export { readChain, rpcCall, vaultBalance, type ChainState, type DistributorState, type EpochRootState, type RootStatus } from "./chain.js";
export { claimantAt, scanDataset, type ScannedDataset } from "./scan.js";
export { openSource, sha256File, type LocalFile } from "./source.js";
export {
  Checks,
  report,
  verifyEpoch,
  type CheckResult,
  type CheckStatus,
  type Mismatch,
  type VerifyContext,
  type VerifyOptions,
  type VerifyReport,
} from "./verify.js";
