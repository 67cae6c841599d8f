// Program-derived addresses of the merit distributor (seed table: docs/program.md).
import { PublicKey } from "@solana/web3.js";
import { findProgramAddress } from "./curve.js";
import { meritDistributorIdl } from "./merit-distributor.js";

export const MERIT_DISTRIBUTOR_PROGRAM_ID = new PublicKey(meritDistributorIdl.address);

/** u64 little-endian, the encoding of `id` and `epoch` seeds. */
export function u64Le(value: bigint): Buffer {
  if (value < 0n || value > 0xffff_ffff_ffff_ffffn) throw new RangeError(`u64 out of range: ${value}`);
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(value);
  return out;
}

/**
 * The distributor of `mint` created by `creator` (the admin that signs initialize_distributor)
 * with number `id`. The creator is a seed, so nobody else can take that address first; it stays
 * the seed after an admin hand-over (the account records it as `creator`).
 */
export function distributorPda(
  mint: PublicKey,
  creator: PublicKey,
  id: bigint,
  programId = MERIT_DISTRIBUTOR_PROGRAM_ID,
): [PublicKey, number] {
  return findProgramAddress([Buffer.from("distributor"), mint.toBuffer(), creator.toBuffer(), u64Le(id)], programId);
}

export function vaultPda(distributor: PublicKey, programId = MERIT_DISTRIBUTOR_PROGRAM_ID): [PublicKey, number] {
  return findProgramAddress([Buffer.from("vault"), distributor.toBuffer()], programId);
}

export function epochRootPda(distributor: PublicKey, epoch: bigint, programId = MERIT_DISTRIBUTOR_PROGRAM_ID): [PublicKey, number] {
  return findProgramAddress([Buffer.from("epoch"), distributor.toBuffer(), u64Le(epoch)], programId);
}

export function claimStatusPda(distributor: PublicKey, claimant: PublicKey, programId = MERIT_DISTRIBUTOR_PROGRAM_ID): [PublicKey, number] {
  return findProgramAddress([Buffer.from("claim"), distributor.toBuffer(), claimant.toBuffer()], programId);
}
