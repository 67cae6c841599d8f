import { TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from "@merit/clients/programs";
import type { RpcClient } from "../rpc/client.js";
import type { WatchRules } from "../parse/watch-rules.js";

/**
 * Merchants' token accounts that are not associated token accounts (derived ones are always
 * watched): asked with getTokenAccountsByOwner per merchant and token program. Best effort: an RPC
 * that refuses the method leaves the derived accounts, which is what x402 clients pay into.
 */
export async function discoverMerchantAccounts(rpc: RpcClient, rules: WatchRules, log: (line: string) => void): Promise<string[]> {
  const found: string[] = [];
  for (const merchant of rules.merchants) {
    for (const programId of [TOKEN_PROGRAM, TOKEN_2022_PROGRAM]) {
      try {
        const res = await rpc.call<{ value?: { pubkey: string; account: { data: { parsed?: { info?: { mint?: string } } } } }[] }>(
          "getTokenAccountsByOwner",
          [merchant, { programId }, { encoding: "jsonParsed" }],
        );
        for (const a of res?.value ?? []) {
          const mint = a.account?.data?.parsed?.info?.mint;
          if (mint === undefined || rules.mints.has(mint)) found.push(a.pubkey);
        }
      } catch (err) {
        log(`discover: getTokenAccountsByOwner(${merchant}) failed, watching derived accounts only: ${(err as Error).message}`);
        return found;
      }
    }
  }
  return found;
}
