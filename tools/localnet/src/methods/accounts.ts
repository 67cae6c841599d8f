import bs58 from "bs58";
import { addressOf } from "../address.js";
import type { Chain } from "../chain.js";
import { accountOptions, encodeAccount, type AccountOptions } from "../encode-account.js";
import { config, int, pubkey, pubkeyBytes, type Params } from "../params.js";
import { invalidParams } from "../rpc-error.js";
import { withContext, type Methods } from "./context.js";

export function optionsFor(chain: Chain, cfg: Record<string, unknown>): AccountOptions {
  return accountOptions(cfg, (mint) => chain.executor.mintDecimals(mint));
}

export function readAccount(chain: Chain, bytes: Uint8Array, opts: AccountOptions) {
  const account = chain.inner.getAccount(bytes);
  // Zero-lamport accounts do not exist on a validator (they are purged at the end of the slot).
  return account && account.lamports() > 0n ? encodeAccount(account, opts) : null;
}

export type Filter = (data: Uint8Array) => boolean;

/** getProgramAccounts filters: `dataSize` and `memcmp` (bytes in base58, or base64 when declared). */
export function parseFilters(raw: unknown): Filter[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > 4) throw invalidParams("filters must be an array of at most 4 filters");
  return raw.map((f: Record<string, unknown>): Filter => {
    if (typeof f?.dataSize === "number") {
      const size = f.dataSize;
      return (d) => d.length === size;
    }
    const m = f?.memcmp as { offset?: unknown; bytes?: unknown; encoding?: unknown } | undefined;
    if (m && typeof m.offset === "number" && typeof m.bytes === "string") {
      const offset = m.offset;
      const bytes = m.encoding === "base64" ? new Uint8Array(Buffer.from(m.bytes, "base64")) : bs58.decode(m.bytes);
      return (d) => {
        if (offset + bytes.length > d.length) return false;
        for (let i = 0; i < bytes.length; i++) if (d[offset + i] !== bytes[i]) return false;
        return true;
      };
    }
    throw invalidParams(`unsupported filter: ${JSON.stringify(f)}`);
  });
}

export function programAccounts(chain: Chain, program: Uint8Array, filters: Filter[], opts: AccountOptions) {
  const out: { pubkey: string; account: ReturnType<typeof encodeAccount> }[] = [];
  for (const entry of chain.inner.getProgramAccounts(program)) {
    const account = entry.account();
    if (filters.length > 0) {
      const data = account.data();
      if (!filters.every((f) => f(data))) continue;
    }
    out.push({ pubkey: addressOf(entry.address), account: encodeAccount(account, opts) });
  }
  return out;
}

export const accountMethods: Methods = {
  getAccountInfo(params: Params, chain) {
    const { bytes } = pubkey(params, 0);
    return withContext(chain, readAccount(chain, bytes, optionsFor(chain, config(params, 1))));
  },

  getMultipleAccounts(params: Params, chain) {
    const keys = params[0];
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== "string")) throw invalidParams("pubkeys must be an array of strings");
    if (keys.length > 100) throw invalidParams("Too many inputs provided; max 100");
    const opts = optionsFor(chain, config(params, 1));
    return withContext(
      chain,
      keys.map((k: string) => readAccount(chain, pubkeyBytes(k), opts)),
    );
  },

  getProgramAccounts(params: Params, chain) {
    const { bytes } = pubkey(params, 0, "program id");
    const cfg = config(params, 1);
    const list = programAccounts(chain, bytes, parseFilters(cfg.filters), optionsFor(chain, cfg));
    return cfg.withContext === true ? withContext(chain, list) : list;
  },

  getBalance(params: Params, chain) {
    const { bytes } = pubkey(params, 0);
    const b = chain.inner.getBalance(bytes);
    return withContext(chain, b === null ? 0 : Number(b));
  },

  getMinimumBalanceForRentExemption(params: Params, chain) {
    const len = params.length === 0 ? 0 : int(params, 0, "data length");
    return Number(chain.inner.minimumBalanceForRentExemption(BigInt(len)));
  },
};
