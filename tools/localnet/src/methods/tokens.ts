import { TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from "@merit/clients/programs";
import { addressOf } from "../address.js";
import type { Chain } from "../chain.js";
import { config, pubkey, pubkeyBytes, type Params } from "../params.js";
import { invalidParams } from "../rpc-error.js";
import { decodeMint, decodeTokenAccount, tokenKind, uiTokenAmount } from "../token-layout.js";
import { optionsFor, programAccounts } from "./accounts.js";
import { withContext, type Methods } from "./context.js";

/** Reads a token-program account of the wanted kind, failing with the validator's messages. */
function tokenAccount(chain: Chain, bytes: Uint8Array, want: "account" | "mint"): { owner: string; data: Uint8Array } {
  const account = chain.inner.getAccount(bytes);
  if (!account) throw invalidParams("could not find account");
  const owner = addressOf(account.owner());
  const data = account.data();
  if (tokenKind(owner, data) !== want) throw invalidParams(want === "mint" ? "not a Token mint" : "not a Token account");
  return { owner, data };
}

/** Token accounts of `owner`, filtered by `{ mint }` or `{ programId }` as getTokenAccountsByOwner takes them. */
function byOwner(chain: Chain, params: Params) {
  const { bytes: ownerBytes } = pubkey(params, 0, "owner");
  const filter = config(params, 1);
  let program: string;
  let mint: Uint8Array | undefined;
  if (typeof filter.mint === "string") {
    mint = pubkeyBytes(filter.mint, "mint");
    program = tokenAccount(chain, mint, "mint").owner;
  } else if (typeof filter.programId === "string") {
    program = filter.programId;
    if (program !== TOKEN_PROGRAM && program !== TOKEN_2022_PROGRAM) throw invalidParams("unrecognized Token program id");
  } else {
    throw invalidParams("expected { mint } or { programId }");
  }
  const matches = (data: Uint8Array) =>
    tokenKind(program, data) === "account" && sameAt(data, 32, ownerBytes) && (mint === undefined || sameAt(data, 0, mint));
  return programAccounts(chain, pubkeyBytes(program), [matches], optionsFor(chain, config(params, 2)));
}

function sameAt(data: Uint8Array, offset: number, bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (data[offset + i] !== bytes[i]) return false;
  return true;
}

export const tokenMethods: Methods = {
  getTokenAccountBalance(params: Params, chain) {
    const { bytes } = pubkey(params, 0);
    const t = decodeTokenAccount(tokenAccount(chain, bytes, "account").data);
    return withContext(chain, uiTokenAmount(t.amount, chain.executor.mintDecimals(t.mint)));
  },

  getTokenSupply(params: Params, chain) {
    const { bytes } = pubkey(params, 0, "mint");
    const m = decodeMint(tokenAccount(chain, bytes, "mint").data);
    return withContext(chain, uiTokenAmount(m.supply, m.decimals));
  },

  getTokenAccountsByOwner(params: Params, chain) {
    return withContext(chain, byOwner(chain, params));
  },

  getTokenLargestAccounts(params: Params, chain) {
    const { key, bytes } = pubkey(params, 0, "mint");
    const { owner: program, data } = tokenAccount(chain, bytes, "mint");
    const decimals = decodeMint(data).decimals;
    const holders: { address: string; amount: bigint }[] = [];
    for (const entry of chain.inner.getProgramAccounts(pubkeyBytes(program))) {
      const d = entry.account().data();
      if (tokenKind(program, d) !== "account") continue;
      const t = decodeTokenAccount(d);
      if (t.mint === key) holders.push({ address: addressOf(entry.address), amount: t.amount });
    }
    holders.sort((a, b) => (a.amount === b.amount ? 0 : a.amount > b.amount ? -1 : 1));
    return withContext(
      chain,
      holders.slice(0, 20).map((h) => ({ address: h.address, ...uiTokenAmount(h.amount, decimals) })),
    );
  },
};
