// What a claim that did not pay throws: the program's error (code, name, sentence) or the
// client's own reason, in words a wallet holder can act on.
import { parseProgramError, type ProgramErrorInfo } from "../chain/errors.js";

/** Reasons found before anything is signed or sent, or outside the program. */
export type ClaimClientErrorName =
  | "NotEligible"
  | "ProofSourceUnavailable"
  | "ProofMismatch"
  | "NoClaimableRoot"
  | "AlreadyClaimed"
  | "DistributorNotFound"
  | "BadInput"
  | "TransactionFailed"
  | "TransactionTooLarge"
  | "TransactionExpired";

export const CLIENT_ERROR_SENTENCES: Readonly<Record<ClaimClientErrorName, string>> = Object.freeze({
  NotEligible: "this wallet has no allocation in this distributor's published roots",
  ProofSourceUnavailable: "the proof could not be fetched: the API and the proof shards are unreachable; try again later",
  ProofMismatch: "the proof does not match the root on-chain, so nothing was signed; fetch a new proof or use another proof source",
  NoClaimableRoot: "no root of this distributor is active yet; try again after the first root activates",
  AlreadyClaimed: "there is nothing new to claim: this wallet already received everything the active root allocates to it",
  DistributorNotFound: "no merit distributor exists at this address on this cluster; check the address and the RPC URL",
  BadInput: "the claim request is incomplete or malformed",
  TransactionFailed: "the transaction failed outside the distributor program; see the logs",
  TransactionExpired: "the transaction expired before it landed; try again",
  TransactionTooLarge:
    "the proof is too deep to fit one transaction with these steps; create your token account first (or claim without a recipient), then claim again",
});

export class ClaimError extends Error {
  override readonly name = "ClaimError";
  /** The program's custom error number (6000 + index); undefined for the client's own reasons. */
  readonly code: number | undefined;
  /** The program's error name (`InvalidProof`) or the client's (`NotEligible`). */
  readonly errorName: string;
  readonly sentence: string;
  readonly logs: string[] | undefined;

  constructor(errorName: string, sentence: string, opts: { code?: number; logs?: string[]; detail?: string; cause?: unknown } = {}) {
    super(opts.detail ? `${sentence} (${opts.detail})` : sentence, { cause: opts.cause });
    this.errorName = errorName;
    this.code = opts.code;
    this.sentence = sentence;
    this.logs = opts.logs;
  }

  static client(name: ClaimClientErrorName, detail?: string, cause?: unknown): ClaimError {
    return new ClaimError(name, CLIENT_ERROR_SENTENCES[name], { detail, cause });
  }

  static program(info: ProgramErrorInfo, logs?: string[], cause?: unknown): ClaimError {
    return new ClaimError(info.name, info.sentence, { code: info.code, logs, cause });
  }
}

/**
 * A failed send or simulation as a ClaimError: the program's error when the failure carries one
 * (logs, `custom program error: 0x…`, `{ InstructionError: [i, { Custom: n }] }`), else
 * TransactionFailed with the original message.
 */
export function claimErrorFrom(failure: unknown, logs?: string[]): ClaimError {
  if (failure instanceof ClaimError) return failure;
  const info = (logs && parseProgramError(logs)) || parseProgramError(failure);
  const allLogs = logs ?? logsOf(failure);
  if (info) return ClaimError.program(info, allLogs, failure);
  const detail = failure instanceof Error ? failure.message : JSON.stringify(failure);
  return new ClaimError("TransactionFailed", CLIENT_ERROR_SENTENCES.TransactionFailed, { logs: allLogs, detail, cause: failure });
}

function logsOf(failure: unknown): string[] | undefined {
  const f = failure as { logs?: unknown; transactionLogs?: unknown } | undefined;
  const logs = f?.logs ?? f?.transactionLogs;
  return Array.isArray(logs) ? (logs as string[]) : undefined;
}
