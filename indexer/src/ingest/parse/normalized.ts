import bs58 from "bs58";
import type { RpcCompiledInstruction, RpcTransaction } from "../types.js";

/**
 * One transaction in the form the extractor reads, whatever it arrived as (getTransaction JSON,
 * Helius raw or enhanced item): every account is an index into `keys`, instruction data is still
 * base58 (decoded only for token and memo programs, which keeps parsing cheap).
 */
export interface NormalizedTx {
  signature: string;
  slot: bigint;
  blockTime: number | null;
  txIndex: number | null;
  failed: boolean;
  keys: string[];
  feePayer: string;
  outer: RpcCompiledInstruction[];
  /** Inner instructions by the index of the top-level instruction that invoked them. */
  inner: Map<number, RpcCompiledInstruction[]>;
  /** Token accounts of this transaction by key index, from pre/post token balances. */
  balances: Map<number, TokenAccountInfo>;
}

export interface TokenAccountInfo {
  mint: string;
  owner: string | undefined;
  decimals: number;
}

/** The input is not a transaction we understand; `reason` is a stable code for the rejects table. */
export class ParseError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly signature: string | null = null,
  ) {
    super(message);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
function isStrArr(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return false;
  return true;
}

export function decodeData(data: string): Uint8Array {
  return bs58.decode(data);
}

// Plain loops, no closures: this runs for every instruction of every transaction fetched.
function checkInstructions(list: unknown, keyCount: number, sig: string, where: string): RpcCompiledInstruction[] {
  if (!Array.isArray(list)) throw new ParseError("bad_shape", `${where} is not an array`, sig);
  for (let i = 0; i < list.length; i++) {
    const ix = list[i] as RpcCompiledInstruction;
    if (!isObj(ix) || typeof ix.programIdIndex !== "number" || !Array.isArray(ix.accounts) || typeof ix.data !== "string") {
      throw new ParseError("bad_shape", `${where} holds an instruction without programIdIndex/accounts/data`, sig);
    }
    let ok = ix.programIdIndex >= 0 && ix.programIdIndex < keyCount;
    for (let k = 0; ok && k < ix.accounts.length; k++) {
      const a = ix.accounts[k];
      ok = typeof a === "number" && a >= 0 && a < keyCount;
    }
    if (!ok) throw new ParseError("account_index_out_of_range", `${where} refers to an account index beyond the ${keyCount} keys`, sig);
  }
  return list as RpcCompiledInstruction[];
}

/**
 * getTransaction "json" encoding (also what a Helius raw webhook delivers) to NormalizedTx.
 * Account keys of a v0 transaction are the static keys, then the lookup tables' writable, then
 * their readonly addresses: the order every index in the message and meta refers to.
 */
export function normalizeRpcTransaction(input: unknown): NormalizedTx {
  if (!isObj(input)) throw new ParseError("bad_shape", "transaction is not an object");
  const t = input as unknown as RpcTransaction;
  const msg = isObj(t.transaction) ? t.transaction.message : undefined;
  const signature = isObj(t.transaction) && isStrArr(t.transaction.signatures) ? t.transaction.signatures[0] : undefined;
  if (!signature) throw new ParseError("bad_shape", "transaction.signatures[0] is missing");
  if (!isObj(msg) || !isStrArr(msg.accountKeys)) {
    throw new ParseError("bad_shape", "transaction.message.accountKeys is not a list of base58 strings (was jsonParsed or base64 requested?)", signature);
  }
  if (typeof t.slot !== "number" || !Number.isSafeInteger(t.slot)) throw new ParseError("bad_shape", "slot is not an integer", signature);
  const meta = t.meta;
  if (!isObj(meta)) throw new ParseError("missing_meta", "transaction has no status meta", signature);
  const slot = BigInt(t.slot);
  const failed = meta.err !== null && meta.err !== undefined;
  const blockTime = typeof t.blockTime === "number" ? t.blockTime : null;
  const txIndex = typeof t.indexWithinBlock === "number" ? t.indexWithinBlock : null;
  // Object literals, never `{ ...base }`: the spread was a large share of the parser's CPU per
  // transaction in bench:ingest's profile (docs/performance-history.md, ingest).
  if (failed) {
    return { signature, slot, blockTime, txIndex, failed, keys: msg.accountKeys, feePayer: msg.accountKeys[0] ?? "", outer: [], inner: new Map(), balances: new Map() };
  }
  const loaded = meta.loadedAddresses;
  if (Array.isArray(msg.addressTableLookups) && msg.addressTableLookups.length > 0 && !isObj(loaded)) {
    throw new ParseError("missing_loaded_addresses", "v0 transaction uses lookup tables but meta.loadedAddresses is absent", signature);
  }
  const keys = isObj(loaded) && isStrArr(loaded.writable) && isStrArr(loaded.readonly) && loaded.writable.length + loaded.readonly.length > 0
    ? msg.accountKeys.concat(loaded.writable, loaded.readonly)
    : msg.accountKeys;
  const outer = checkInstructions(msg.instructions, keys.length, signature, "message.instructions");
  const inner = new Map<number, RpcCompiledInstruction[]>();
  for (const group of meta.innerInstructions ?? []) {
    if (!isObj(group) || typeof group.index !== "number") throw new ParseError("bad_shape", "innerInstructions entry without index", signature);
    inner.set(group.index, checkInstructions(group.instructions, keys.length, signature, `innerInstructions[${group.index}]`));
  }
  const balances = new Map<number, TokenAccountInfo>();
  // Post before pre: an account created in this transaction only has a post entry, one closed only
  // a pre entry; where both exist they agree on mint, owner and decimals.
  for (const list of [meta.postTokenBalances, meta.preTokenBalances]) {
    for (const b of list ?? []) {
      if (!isObj(b) || typeof b.accountIndex !== "number" || typeof b.mint !== "string" || !isObj(b.uiTokenAmount)) {
        throw new ParseError("bad_shape", "token balance entry without accountIndex/mint/uiTokenAmount", signature);
      }
      if (!balances.has(b.accountIndex)) {
        balances.set(b.accountIndex, { mint: b.mint, owner: b.owner, decimals: Number(b.uiTokenAmount.decimals) });
      }
    }
  }
  return { signature, slot, blockTime, txIndex, failed, keys, feePayer: keys[0]!, outer, inner, balances };
}
