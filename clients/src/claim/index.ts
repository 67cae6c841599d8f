// claim(): a wallet's tokens from a merit distributor, with a Keypair or any Wallet Standard
// signer, proofs from merit's API or static shards (docs/claim.md).
export {
  assembleClaimTransaction,
  claim,
  claimableEpochs,
  type ClaimOptions,
  type ClaimResult,
  type ClaimStep,
  TRANSACTION_SIZE_LIMIT,
} from "./claim.js";
export { ClaimSigner } from "./signer.js";
export { CLIENT_ERROR_SENTENCES, ClaimError, claimErrorFrom, type ClaimClientErrorName } from "./errors.js";
export {
  type ApiProofResponse,
  type ApiProofResult,
  classifyProofResponse,
  type EpochProof,
  fetchApiProof,
  fetchShardProof,
  parseProofResponse,
  shardsLocation,
} from "./proof.js";
export { CLAIM_CU, CLAIM_CU_MARGIN_PERCENT, type ClaimComputeShape, claimComputeUnits } from "./compute.js";
