import { TOKEN_2022_PROGRAM } from "@merit/clients/programs";
import bs58 from "bs58";
import type { Account } from "litesvm/dist/internal.js";
import { addressOf } from "./address.js";
import { invalidParams } from "./rpc-error.js";
import { decodeMint, decodeTokenAccount, tokenKind, uiTokenAmount } from "./token-layout.js";

/**
 * Accounts in the RPC's encodings. `jsonParsed` covers SPL Token and Token-2022 accounts and mints
 * (what web3.js' getParsed* and wallets read); other accounts fall back to base64 as on a validator.
 */
export type AccountEncoding = "base58" | "base64" | "jsonParsed" | "binary";

export interface AccountOptions {
  encoding: AccountEncoding;
  dataSlice?: { offset: number; length: number };
  /** Decimals of a mint, for a token account's parsed amount. */
  mintDecimals: (mint: string) => number;
}

export function accountOptions(cfg: Record<string, unknown>, mintDecimals: (mint: string) => number): AccountOptions {
  const enc = cfg.encoding ?? "binary";
  if (enc !== "base58" && enc !== "base64" && enc !== "jsonParsed" && enc !== "binary") {
    throw invalidParams(`unsupported account encoding: ${String(enc)}. Supported: base58, base64, jsonParsed`);
  }
  const slice = cfg.dataSlice as { offset?: unknown; length?: unknown } | undefined;
  let dataSlice: AccountOptions["dataSlice"];
  if (slice !== undefined && slice !== null) {
    if (typeof slice.offset !== "number" || typeof slice.length !== "number") throw invalidParams("dataSlice needs offset and length");
    dataSlice = { offset: slice.offset, length: slice.length };
  }
  return { encoding: enc, dataSlice, mintDecimals };
}

export function encodeAccount(account: Account, opts: AccountOptions) {
  const owner = addressOf(account.owner());
  const full = account.data();
  return {
    data: encodeData(owner, full, opts),
    executable: account.executable(),
    lamports: Number(account.lamports()),
    owner,
    rentEpoch: Number(account.rentEpoch()),
    space: full.length,
  };
}

function encodeData(owner: string, full: Uint8Array, opts: AccountOptions): unknown {
  if (opts.encoding === "jsonParsed") {
    const parsed = parseTokenData(owner, full, opts.mintDecimals);
    if (parsed) return parsed;
  }
  const data = opts.dataSlice ? full.subarray(opts.dataSlice.offset, opts.dataSlice.offset + opts.dataSlice.length) : full;
  // "binary" is the legacy default: a bare base58 string.
  if (opts.encoding === "binary") return bs58.encode(data);
  if (opts.encoding === "base58") return [bs58.encode(data), "base58"];
  return [Buffer.from(data).toString("base64"), "base64"];
}

export function parseTokenData(owner: string, data: Uint8Array, mintDecimals: (mint: string) => number) {
  const kind = tokenKind(owner, data);
  if (!kind) return undefined;
  const program = owner === TOKEN_2022_PROGRAM ? "spl-token-2022" : "spl-token";
  const extensions = (names: string[]) => (names.length > 0 ? { extensions: names.map((extension) => ({ extension })) } : {});
  if (kind === "mint") {
    const m = decodeMint(data);
    const info = {
      decimals: m.decimals,
      freezeAuthority: m.freezeAuthority,
      isInitialized: m.isInitialized,
      mintAuthority: m.mintAuthority,
      supply: m.supply.toString(),
      ...extensions(m.extensions),
    };
    return { program, parsed: { info, type: "mint" }, space: data.length };
  }
  const t = decodeTokenAccount(data);
  const decimals = mintDecimals(t.mint);
  const info: Record<string, unknown> = {
    isNative: t.isNative !== null,
    mint: t.mint,
    owner: t.owner,
    state: t.state,
    tokenAmount: uiTokenAmount(t.amount, decimals),
  };
  if (t.delegate) {
    info.delegate = t.delegate;
    info.delegatedAmount = uiTokenAmount(t.delegatedAmount, decimals);
  }
  if (t.isNative !== null) info.rentExemptReserve = uiTokenAmount(t.isNative, decimals);
  if (t.closeAuthority) info.closeAuthority = t.closeAuthority;
  Object.assign(info, extensions(t.extensions));
  return { program, parsed: { info, type: "account" }, space: data.length };
}
