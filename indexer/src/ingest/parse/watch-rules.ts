import { TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from "@merit/clients/programs";
import { PublicKey } from "@solana/web3.js";
import { getAssociatedTokenAddressSync } from "@solana/spl-token";
import { CallerError } from "../../errors.js";

/**
 * The operator's definition of a settlement: a transfer of one of `mints` whose fee payer is a
 * facilitator (the x402 pattern: the facilitator co-signs and pays the fee) and/or whose
 * destination is owned by a merchant (a pay-to address).
 */
export interface WatchRules {
  mints: ReadonlySet<string>;
  facilitators: ReadonlySet<string>;
  merchants: ReadonlySet<string>;
}

function checkAddress(kind: string, a: string): string {
  try {
    return new PublicKey(a).toBase58();
  } catch {
    throw new CallerError("bad_watch_address", `${kind} "${a}" is not a base58 Solana address`);
  }
}

export function watchRules(input: {
  mints: readonly string[];
  facilitators?: readonly string[];
  merchants?: readonly string[];
}): WatchRules {
  const mints = input.mints.map((a) => checkAddress("mint", a));
  const facilitators = (input.facilitators ?? []).map((a) => checkAddress("facilitator", a));
  const merchants = (input.merchants ?? []).map((a) => checkAddress("merchant", a));
  if (mints.length === 0) throw new CallerError("no_watch_mints", "WATCH_MINTS is empty: no transfer could ever be a settlement");
  if (facilitators.length + merchants.length === 0) {
    throw new CallerError("no_watch_parties", "WATCH_FACILITATORS and WATCH_MERCHANTS are both empty: no transfer could ever match");
  }
  return { mints: new Set(mints), facilitators: new Set(facilitators), merchants: new Set(merchants) };
}

/** Does a transfer of `mint` paid for by `feePayer` into an account owned by `payee` count? */
export function matches(rules: WatchRules, mint: string, feePayer: string, payee: string | undefined): boolean {
  if (!rules.mints.has(mint)) return false;
  return rules.facilitators.has(feePayer) || (payee !== undefined && rules.merchants.has(payee));
}

/**
 * The addresses whose history holds every settlement: each facilitator (a fee payer is always an
 * account key) and each merchant's associated token account per watched mint under both token
 * programs (a transfer names the merchant's token account, not the wallet). A merchant paid into a
 * non-associated token account is found through `extra` (token accounts discovered over RPC).
 */
export function watchedAddresses(rules: WatchRules, extra: readonly string[] = []): string[] {
  const out = new Set<string>(rules.facilitators);
  for (const merchant of rules.merchants) {
    const owner = new PublicKey(merchant);
    for (const mint of rules.mints) {
      for (const program of [TOKEN_PROGRAM, TOKEN_2022_PROGRAM]) {
        out.add(getAssociatedTokenAddressSync(new PublicKey(mint), owner, true, new PublicKey(program)).toBase58());
      }
    }
  }
  for (const a of extra) out.add(a);
  return [...out].sort();
}
