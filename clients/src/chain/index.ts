// The chain client of the merit distributor: addresses, account decoders, a builder for every
// instruction, events from logs, and the program's errors as sentences (docs/claim.md).
export {
  claimStatusPda,
  distributorPda,
  epochRootPda,
  MERIT_DISTRIBUTOR_PROGRAM_ID,
  u64Le,
  vaultPda,
} from "../idl/pda.js";
export { codingProgram } from "./program.js";
export {
  type ClaimStatusAccount,
  decodeClaimStatus,
  decodeDistributor,
  decodeEpochRoot,
  type DistributorAccount,
  type EpochRootAccount,
  type PendingRootEntry,
  type RootStatus,
} from "./accounts.js";
export * from "./instructions.js";
export { decodeEvents, type EventValue, type MeritEvent, type MeritEventName } from "./events.js";
export {
  parseProgramError,
  PROGRAM_ERROR_SENTENCES,
  programErrorByCode,
  programErrorByName,
  type ProgramErrorInfo,
  type ProgramErrorName,
} from "./errors.js";
export { activationsBefore, type PendingQueue } from "../idl/activation.js";
