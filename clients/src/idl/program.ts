// Typed Anchor client for the merit distributor.
import { Program, type Provider } from "@coral-xyz/anchor";
import { meritDistributorIdl, type MeritDistributor } from "./merit-distributor.js";

export type MeritDistributorProgram = Program<MeritDistributor>;

/** An Anchor `Program` over any provider (RPC connection, or litesvm in tests). */
export function meritDistributorProgram(provider: Provider): MeritDistributorProgram {
  // Program camelCases the snake_case IDL at run time, matching the generated type.
  return new Program<MeritDistributor>(meritDistributorIdl as unknown as MeritDistributor, provider);
}

/** Custom error codes of the program by name (6000 + index in the IDL). */
export const MeritErrorCode: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(meritDistributorIdl.errors.map((e) => [e.name, e.code])),
);
