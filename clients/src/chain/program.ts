// An Anchor Program used only for its coders and program id: reads and sends go through the
// caller's Connection, so no provider or wallet is needed.
import { Program } from "@coral-xyz/anchor";
import type { Connection, PublicKey } from "@solana/web3.js";
import { type MeritDistributor, meritDistributorIdl } from "../idl/merit-distributor.js";
import { MERIT_DISTRIBUTOR_PROGRAM_ID } from "../idl/pda.js";
import type { MeritDistributorProgram } from "../idl/program.js";

const cache = new Map<string, MeritDistributorProgram>();

/**
 * The program's coders under `programId` (a deployment under another id than the IDL's). With a
 * connection, `program.provider.connection` is it (the publisher's reads); without, one is shared per id.
 */
export function codingProgram(programId: PublicKey = MERIT_DISTRIBUTOR_PROGRAM_ID, connection?: Connection): MeritDistributorProgram {
  const make = () =>
    new Program<MeritDistributor>(
      { ...meritDistributorIdl, address: programId.toBase58() } as unknown as MeritDistributor,
      {
        connection,
      } as never,
    );
  if (connection) return make();
  const key = programId.toBase58();
  let p = cache.get(key);
  if (!p) cache.set(key, (p = make()));
  return p;
}
