// Every program error as a sentence a wallet holder (or an operator) can act on, and the parser
// that finds the program's error in whatever a failed send or simulation hands back: Anchor's
// `AnchorError occurred… Error Number: N` log line, the RPC's `custom program error: 0x…`, or a
// transaction error object `{ InstructionError: [i, { Custom: n }] }`.
import { type MeritDistributor, meritDistributorIdl } from "../idl/merit-distributor.js";

/** The IDL's error names as the program declares them (`InvalidProof`). */
export type ProgramErrorName = Capitalize<MeritDistributor["errors"][number]["name"]>;

/** The sentence for each error of the IDL; tests fail when the IDL gains one without a sentence. */
export const PROGRAM_ERROR_SENTENCES: Readonly<Record<ProgramErrorName, string>> = Object.freeze({
  InvalidInstructionData: "the transaction's instruction data is malformed; update your wallet or merit client and try again",
  UnknownInstruction: "the program does not know this instruction; your client is built for another version of the distributor",
  NotEnoughAccounts: "the transaction is missing accounts the program needs; update your merit client",
  MissingSigner: "a required signature is missing; sign the transaction with the wallet that claims",
  NotWritable: "the transaction marks an account read-only that the program must change; update your merit client",
  InvalidAccountOwner: "an account in the transaction is not owned by the program it should be; check the distributor address",
  InvalidDiscriminator: "an account in the transaction is not the kind of merit account expected; check the distributor address",
  InvalidAccountData: "an account in the transaction has unexpected contents; check the distributor address",
  InvalidPda: "an account address does not match the one derived for this distributor and wallet; update your merit client",
  InvalidProgramId: "the transaction names the wrong system or token program for this distributor's mint",
  MintMismatch: "the token mint is not this distributor's reward token",
  VaultMismatch: "the vault is not this distributor's vault; check the distributor address",
  DistributorMismatch: "the root or claim record belongs to another distributor; check the distributor address",
  ClaimantMismatch: "the claim record or token account belongs to another wallet; claim with the wallet named in the proof",
  Unauthorized: "this wallet does not hold the authority this action needs",
  Paused: "claims are paused by the distributor's guardian; try again later",
  EpochNotIncreasing: "this epoch was already proposed; propose a later epoch",
  CumulativeTotalDecreased: "the new root's total is below the previous root's; cumulative totals never decrease",
  CapExceeded: "the new root grows the total by more than the per-epoch cap allows",
  PendingQueueFull: "four roots are already waiting; activate or veto one before proposing another",
  RootNotPending: "this root is not waiting for activation (already active or vetoed); read the distributor's state again",
  VetoWindowClosed: "this root has reached its activation time and can no longer be vetoed",
  RootVetoed: "this root was vetoed and pays nothing; fetch a new proof for the active root",
  RootNotActive: "this root is not active yet; wait until its activation time, or claim under the active root",
  RootSuperseded: "this proof is for a root that has been replaced; fetch a new proof for the active root",
  OutOfOrderActivation: "an earlier root must be activated first; retry the claim so the client activates roots in order",
  InvalidProof: "this proof is not for the active root; fetch a new one",
  ProofTooLong: "the proof is longer than the program accepts; this proof is not from a merit distributor",
  NothingToClaim: "there is nothing new to claim: this wallet already received everything this root allocates to it",
  ExceedsRootTotal: "this claim would pay more than the root has left to pay; contact the distributor's operator",
  ClawbackExceedsSurplus: "the clawback would take tokens still owed to claimants; withdraw at most the surplus",
  ClaimWindowExpired: "the claim window for this distributor has closed; nothing can be claimed any more",
  InvalidParams: "the distributor parameters are out of range (delays up to one year; claim expiry only later, with 30 days' notice)",
  ArithmeticOverflow: "an amount overflowed in the program; contact the distributor's operator",
  AlreadyInitialized: "this account already exists; the distributor (or its vault) is already initialized",
  NoPendingAdmin: "this wallet is not the proposed next admin of the distributor",
  SysvarUnavailable: "the cluster did not provide the clock the program needs; try again",
  CpiFailed: "the token transfer failed (is the token account frozen, or the mint's transfer restricted?); see the transaction logs",
  ClawbackToVault: "the clawback destination is the vault itself; name another token account of the mint",
});

export interface ProgramErrorInfo {
  /** The custom error number (6000 + index). */
  code: number;
  name: ProgramErrorName;
  /** The IDL's own message. */
  msg: string;
  sentence: string;
}

const BY_CODE = new Map<number, ProgramErrorInfo>(
  meritDistributorIdl.errors.map((e) => [
    e.code,
    { code: e.code, name: e.name as ProgramErrorName, msg: e.msg, sentence: PROGRAM_ERROR_SENTENCES[e.name as ProgramErrorName] },
  ]),
);

export function programErrorByCode(code: number): ProgramErrorInfo | undefined {
  return BY_CODE.get(code);
}

export function programErrorByName(name: string): ProgramErrorInfo | undefined {
  const code = meritDistributorIdl.errors.find((e) => e.name === name)?.code;
  return code === undefined ? undefined : BY_CODE.get(code);
}

const ANCHOR_LINE = /AnchorError occurred\. Error Code: (\w+)\. Error Number: (\d+)/;
const CUSTOM_HEX = /custom program error: 0x([0-9a-f]+)/i;
const CUSTOM_JSON = /"Custom"\s*:\s*(\d+)/;

function fromText(text: string): ProgramErrorInfo | undefined {
  const anchorLine = ANCHOR_LINE.exec(text);
  if (anchorLine) return programErrorByCode(Number(anchorLine[2]));
  const hex = CUSTOM_HEX.exec(text);
  if (hex) return programErrorByCode(Number.parseInt(hex[1]!, 16));
  const json = CUSTOM_JSON.exec(text);
  if (json) return programErrorByCode(Number(json[1]));
  return undefined;
}

/**
 * The program's error in a failure: an Error (web3.js SendTransactionError with its logs, Anchor's
 * AnchorError, or any error whose message carries the code), a list of log lines, a transaction
 * error object (`meta.err`, `value.err`) or a plain string. Undefined when the failure is not one
 * of the distributor's own errors (a token program or runtime failure, a network error).
 */
export function parseProgramError(failure: unknown): ProgramErrorInfo | undefined {
  if (failure === undefined || failure === null) return undefined;
  if (typeof failure === "string") return fromText(failure);
  if (Array.isArray(failure)) {
    if (failure.every((l) => typeof l === "string")) return fromText(failure.join("\n"));
    return fromText(JSON.stringify(failure));
  }
  if (typeof failure === "object") {
    const f = failure as {
      logs?: unknown;
      transactionLogs?: unknown;
      transactionMessage?: unknown;
      message?: unknown;
      error?: { errorCode?: { number?: number } };
      InstructionError?: unknown;
    };
    const anchorCode = f.error?.errorCode?.number;
    if (typeof anchorCode === "number") return programErrorByCode(anchorCode);
    for (const logs of [f.logs, f.transactionLogs]) {
      if (Array.isArray(logs)) {
        const found = parseProgramError(logs);
        if (found) return found;
      }
    }
    if (f.InstructionError !== undefined) return fromText(JSON.stringify(f));
    for (const text of [f.transactionMessage, f.message]) {
      if (typeof text === "string") {
        const found = fromText(text);
        if (found) return found;
      }
    }
    try {
      return fromText(JSON.stringify(failure));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
