import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import bs58 from "bs58";
import type { LiteSvm as InnerSvm } from "litesvm/dist/internal.js";

/**
 * On-chain programs beyond litesvm's defaults (which already ship SPL Token, Token-2022,
 * Associated Token Account, Memo v1/v3 and Address Lookup Table). The distributor is loaded from
 * its committed build when present; it may not be built yet, so absence is logged, not fatal.
 */
export interface ProgramSpec {
  id: string;
  soPath: string;
}

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const DISTRIBUTOR_SO = `${REPO}programs/distributor/bin/merit_distributor.so`;
export const DISTRIBUTOR_KEYPAIR = `${REPO}programs/distributor/keys/localnet-program-keypair.json`;

/** The distributor's program id on the localnet: the public half of its committed keypair. */
export function distributorProgramId(keypairPath = DISTRIBUTOR_KEYPAIR): string {
  // A Solana keypair file is the 32-byte seed followed by the 32-byte public key.
  const secret = JSON.parse(readFileSync(keypairPath, "utf8")) as number[];
  if (!Array.isArray(secret) || secret.length !== 64) throw new Error(`${keypairPath} is not a 64-byte keypair file`);
  return bs58.encode(Uint8Array.from(secret.slice(32)));
}

export function defaultPrograms(log: (line: string) => void): ProgramSpec[] {
  if (!existsSync(DISTRIBUTOR_SO)) {
    log(`distributor program not loaded: ${DISTRIBUTOR_SO} does not exist (run npm run build:program)`);
    return [];
  }
  return [{ id: distributorProgramId(), soPath: DISTRIBUTOR_SO }];
}

export function loadPrograms(svm: InnerSvm, programs: ProgramSpec[], log: (line: string) => void): void {
  for (const p of programs) {
    svm.addProgramFromFile(bs58.decode(p.id), p.soPath);
    log(`program ${p.id} loaded from ${p.soPath}`);
  }
}
