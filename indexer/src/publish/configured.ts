import { PublicKey, type Connection } from "@solana/web3.js";
import type { MeritDistributorProgram } from "@merit/clients/idl";
import type { Sql } from "../db/connection.js";
import { parseConversion } from "../epochs/convert.js";
import { addDistributor, getDistributor } from "../epochs/queries.js";
import { readChain } from "./chain.js";

/**
 * The configured distributor (`[distributor] address`, DISTRIBUTOR_ADDRESS) registered for the
 * epochs daemon with the configured conversion, its mint read from the chain. A distributor
 * already registered is kept as it is: a conversion is changed through the admin commands, which
 * audit it, not by editing a file.
 */
export async function ensureConfiguredDistributor(
  sql: Sql,
  connection: Connection,
  o: { address: string; conversion: Record<string, string>; program: MeritDistributorProgram; log: (line: string) => void },
): Promise<"registered" | "known"> {
  const known = await getDistributor(sql, o.address);
  if (known) {
    if (JSON.stringify(known.conversion) !== JSON.stringify(o.conversion))
      o.log(`distributor ${o.address}: registered with conversion ${JSON.stringify(known.conversion)}, not the configured one; kept`);
    return "known";
  }
  parseConversion(o.conversion);
  // refuses, naming the address, a configuration that names no distributor on this cluster
  const { distributor } = await readChain(connection, o.program, new PublicKey(o.address));
  await addDistributor(sql, { address: o.address, mint: distributor.mint.toBase58(), conversion: o.conversion });
  o.log(`distributor ${o.address} registered (mint ${distributor.mint.toBase58()}, ${JSON.stringify(o.conversion)})`);
  return "registered";
}
