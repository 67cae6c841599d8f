// A builder for every instruction of the distributor. claim, propose_root and activate_root come
// from ../idl/instructions.ts (kept there for their callers); the admin and guardian ones are here.
// Each takes the signer and the distributor and derives every other address it can.
import anchor from "@coral-xyz/anchor";
import type { PublicKey, TransactionInstruction } from "@solana/web3.js";
import { buildInstruction } from "../idl/instructions.js";
import { distributorPda, epochRootPda, vaultPda } from "../idl/pda.js";
import type { MeritDistributorProgram } from "../idl/program.js";
import { codingProgram } from "./program.js";

export {
  activateRootInstruction,
  buildInstruction,
  claimInstruction,
  proposeRootInstruction,
  type AccountMap,
  type ClaimAccounts,
  type RootProposal,
} from "../idl/instructions.js";

const { BN } = anchor;
const bn = (v: bigint) => new BN(v.toString());

export interface DistributorParams {
  activationDelay: bigint;
  gracePeriod: bigint;
  maxTotalIncrease: bigint;
  /** Unix seconds; 0 = never. */
  claimExpiry: bigint;
}

const params = (p: DistributorParams) => ({
  activationDelay: bn(p.activationDelay),
  gracePeriod: bn(p.gracePeriod),
  maxTotalIncrease: bn(p.maxTotalIncrease),
  claimExpiry: bn(p.claimExpiry),
});

/** initialize_distributor: the admin pays and becomes a seed of the address (returned with the vault). */
export function initializeDistributorInstruction(
  a: {
    admin: PublicKey;
    mint: PublicKey;
    tokenProgram: PublicKey;
    id: bigint;
    publisher: PublicKey;
    guardian: PublicKey;
    params: DistributorParams;
  },
  program: MeritDistributorProgram = codingProgram(),
): { instruction: TransactionInstruction; distributor: PublicKey; vault: PublicKey } {
  const [distributor] = distributorPda(a.mint, a.admin, a.id, program.programId);
  const [vault] = vaultPda(distributor, program.programId);
  const instruction = buildInstruction(
    program,
    "initializeDistributor",
    { id: bn(a.id), publisher: a.publisher, guardian: a.guardian, params: params(a.params) },
    { admin: a.admin, mint: a.mint, distributor, vault, tokenProgram: a.tokenProgram },
  );
  return { instruction, distributor, vault };
}

/** set_authorities: publisher and guardian; `pendingAdmin` proposes the next admin (PublicKey.default cancels). */
export function setAuthoritiesInstruction(
  a: { admin: PublicKey; distributor: PublicKey; publisher: PublicKey; guardian: PublicKey; pendingAdmin: PublicKey },
  program: MeritDistributorProgram = codingProgram(),
): TransactionInstruction {
  return buildInstruction(
    program,
    "setAuthorities",
    { publisher: a.publisher, guardian: a.guardian, pendingAdmin: a.pendingAdmin },
    { admin: a.admin, distributor: a.distributor },
  );
}

/** accept_admin, signed by the pending admin. */
export function acceptAdminInstruction(
  a: { newAdmin: PublicKey; distributor: PublicKey },
  program: MeritDistributorProgram = codingProgram(),
): TransactionInstruction {
  return buildInstruction(program, "acceptAdmin", {}, { newAdmin: a.newAdmin, distributor: a.distributor });
}

export function setParamsInstruction(
  a: { admin: PublicKey; distributor: PublicKey; params: DistributorParams },
  program: MeritDistributorProgram = codingProgram(),
): TransactionInstruction {
  return buildInstruction(program, "setParams", { params: params(a.params) }, { admin: a.admin, distributor: a.distributor });
}

/** pause (or unpause with `paused: false`), by the guardian or the admin. */
export function setPausedInstruction(
  a: { authority: PublicKey; distributor: PublicKey; paused: boolean },
  program: MeritDistributorProgram = codingProgram(),
): TransactionInstruction {
  return buildInstruction(program, a.paused ? "pause" : "unpause", {}, { authority: a.authority, distributor: a.distributor });
}

/** veto_root of a pending root, by the guardian or the admin. */
export function vetoRootInstruction(
  a: { authority: PublicKey; distributor: PublicKey; epoch: bigint },
  program: MeritDistributorProgram = codingProgram(),
): TransactionInstruction {
  return buildInstruction(
    program,
    "vetoRoot",
    {},
    { authority: a.authority, distributor: a.distributor, epochRoot: epochRootPda(a.distributor, a.epoch, program.programId)[0] },
  );
}

/** clawback of the surplus to `destination` (a token account of the mint), by the admin. */
export function clawbackInstruction(
  a: { admin: PublicKey; distributor: PublicKey; mint: PublicKey; tokenProgram: PublicKey; destination: PublicKey; amount: bigint },
  program: MeritDistributorProgram = codingProgram(),
): TransactionInstruction {
  return buildInstruction(
    program,
    "clawback",
    { amount: bn(a.amount) },
    {
      admin: a.admin,
      distributor: a.distributor,
      mint: a.mint,
      vault: vaultPda(a.distributor, program.programId)[0],
      destination: a.destination,
      tokenProgram: a.tokenProgram,
    },
  );
}
