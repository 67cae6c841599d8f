// Synchronous instruction builders for the merit distributor from its IDL: Anchor's coder encodes
// the arguments, the IDL's account list gives order and signer/writable flags. Unlike
// `program.methods…instruction()` nothing is resolved asynchronously, so callers that build many
// instructions (the publisher, the claim CLI, tests) pass every account they know.
import { PublicKey, TransactionInstruction } from "@solana/web3.js";
import anchor from "@coral-xyz/anchor";
import { claimStatusPda, epochRootPda } from "./pda.js";
import type { MeritDistributorProgram } from "./program.js";

const { BN } = anchor;

/** Accounts by their camelCase IDL name; fixed addresses (System program) are filled in. */
export type AccountMap = Record<string, PublicKey | undefined>;

export function buildInstruction(
  program: MeritDistributorProgram,
  name: string,
  args: Record<string, unknown>,
  accounts: AccountMap,
): TransactionInstruction {
  const def = program.idl.instructions.find((i) => i.name === name);
  if (!def) throw new Error(`merit distributor has no instruction ${name}`);
  const keys = def.accounts.map((a) => {
    const meta = a as { name: string; writable?: boolean; signer?: boolean; address?: string };
    const pubkey = accounts[meta.name] ?? (meta.address ? new PublicKey(meta.address) : undefined);
    if (!pubkey) throw new Error(`${name}: account ${meta.name} is missing`);
    return { pubkey, isSigner: meta.signer ?? false, isWritable: meta.writable ?? false };
  });
  return new TransactionInstruction({ programId: program.programId, keys, data: program.coder.instruction.encode(name, args) });
}

export interface ClaimAccounts {
  distributor: PublicKey;
  mint: PublicKey;
  vault: PublicKey;
  tokenProgram: PublicKey;
  claimant: PublicKey;
  /** A token account of the mint owned by the claimant. */
  claimantToken: PublicKey;
}

/** claim(cumulative_amount, proof) against the root of `epoch`. */
export function claimInstruction(
  program: MeritDistributorProgram,
  a: ClaimAccounts,
  epoch: bigint,
  cumulativeAmount: bigint,
  proof: Uint8Array[],
  overrides: AccountMap = {},
): TransactionInstruction {
  return buildInstruction(
    program,
    "claim",
    { cumulativeAmount: new BN(cumulativeAmount.toString()), proof: proof.map((p) => [...p]) },
    {
      ...a,
      epochRoot: epochRootPda(a.distributor, epoch, program.programId)[0],
      claimStatus: claimStatusPda(a.distributor, a.claimant, program.programId)[0],
      ...overrides,
    },
  );
}

export interface RootProposal {
  epoch: bigint;
  root: Uint8Array;
  cumulativeTotal: bigint;
  leafCount: bigint;
  datasetHash: Uint8Array;
  /** Hash tying the root to its inputs (slot range, rule-set version, settlement digest). */
  inputsHash: Uint8Array;
}

/** propose_root, signed (and paid) by the publisher. */
export function proposeRootInstruction(
  program: MeritDistributorProgram,
  publisher: PublicKey,
  distributor: PublicKey,
  p: RootProposal,
  overrides: AccountMap = {},
): TransactionInstruction {
  const args = {
    epoch: new BN(p.epoch.toString()),
    root: [...p.root],
    cumulativeTotal: new BN(p.cumulativeTotal.toString()),
    leafCount: new BN(p.leafCount.toString()),
    datasetHash: [...p.datasetHash],
    inputsHash: [...p.inputsHash],
  };
  return buildInstruction(program, "proposeRoot", args, {
    publisher,
    distributor,
    epochRoot: epochRootPda(distributor, p.epoch, program.programId)[0],
    ...overrides,
  });
}

/** activate_root: anyone may send it once the root's activation time has passed. */
export function activateRootInstruction(program: MeritDistributorProgram, distributor: PublicKey, epoch: bigint): TransactionInstruction {
  return buildInstruction(program, "activateRoot", {}, { distributor, epochRoot: epochRootPda(distributor, epoch, program.programId)[0] });
}
