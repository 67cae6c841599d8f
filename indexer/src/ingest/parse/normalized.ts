import { ParseError } from "../../errors.js";
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
  /** undefined only for an enhanced item's account that just tokenTransfers names */
  decimals: number | undefined;
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

/**
 * The numbers of a transaction, checked where they enter: each one lands in a typed column
 * (int8 slot, int4 tx_index, int2 decimals, a timestamp), and a value the column refuses would
 * roll back the whole batch, holding the poller's cursor and the watermark where they are.
 */
export function checkSlot(v: unknown, sig: string): bigint {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
    throw new ParseError("bad_shape", `slot ${String(v).slice(0, 40)} is not a non-negative integer`, sig);
  return BigInt(v);
}

/** Unix seconds up to 9999-12-31 (PostgreSQL's timestamptz goes further, JavaScript's Date not much). */
const MAX_BLOCK_TIME = 253_402_300_799;

export function checkBlockTime(v: unknown, sig: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v > MAX_BLOCK_TIME)
    throw new ParseError("bad_shape", `block time ${String(v).slice(0, 40)} is not unix seconds`, sig);
  return v;
}

/** A token balance's owner (absent is allowed: the caller decides) and decimals (required, u8). */
export function checkTokenBalance(owner: unknown, decimals: unknown, sig: string): { owner: string | undefined; decimals: number } {
  if (owner !== undefined && owner !== null && typeof owner !== "string")
    throw new ParseError("bad_token_balance", "a token balance's owner is not a string", sig);
  if (typeof decimals !== "number" || !Number.isInteger(decimals) || decimals < 0 || decimals > 255) {
    throw new ParseError("bad_token_balance", `a token balance's decimals (${String(decimals).slice(0, 40)}) is not an integer 0-255`, sig);
  }
  return { owner: owner ?? undefined, decimals };
}

function checkTxIndex(v: unknown, sig: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0x7fff_ffff)
    throw new ParseError("bad_shape", `indexWithinBlock ${String(v).slice(0, 40)} is not a non-negative int4`, sig);
  return v;
}

/** An optional list of the meta: absent or null is empty, anything else but an array is refused. */
function listOf(v: unknown, sig: string, where: string): readonly unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ParseError("bad_shape", `${where} is not an array`, sig);
  return v;
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
    throw new ParseError(
      "bad_shape",
      "transaction.message.accountKeys is not a list of base58 strings (was jsonParsed or base64 requested?)",
      signature,
    );
  }
  const slot = checkSlot(t.slot, signature);
  const meta = t.meta;
  if (!isObj(meta)) throw new ParseError("missing_meta", "transaction has no status meta", signature);
  const failed = meta.err !== null && meta.err !== undefined;
  const blockTime = checkBlockTime(t.blockTime, signature);
  const txIndex = t.indexWithinBlock === undefined || t.indexWithinBlock === null ? null : checkTxIndex(t.indexWithinBlock, signature);
  // Object literals, never `{ ...base }`: the spread was a large share of the parser's CPU per
  // transaction in bench:ingest's profile (docs/performance-history.md, ingest).
  if (failed) {
    return {
      signature,
      slot,
      blockTime,
      txIndex,
      failed,
      keys: msg.accountKeys,
      feePayer: msg.accountKeys[0] ?? "",
      outer: [],
      inner: new Map(),
      balances: new Map(),
    };
  }
  const loaded = meta.loadedAddresses;
  if (Array.isArray(msg.addressTableLookups) && msg.addressTableLookups.length > 0 && !isObj(loaded)) {
    throw new ParseError("missing_loaded_addresses", "v0 transaction uses lookup tables but meta.loadedAddresses is absent", signature);
  }
  const keys =
    isObj(loaded) && isStrArr(loaded.writable) && isStrArr(loaded.readonly) && loaded.writable.length + loaded.readonly.length > 0
      ? msg.accountKeys.concat(loaded.writable, loaded.readonly)
      : msg.accountKeys;
  const outer = checkInstructions(msg.instructions, keys.length, signature, "message.instructions");
  const inner = new Map<number, RpcCompiledInstruction[]>();
  for (const group of listOf(meta.innerInstructions, signature, "meta.innerInstructions")) {
    if (!isObj(group) || typeof group.index !== "number")
      throw new ParseError("bad_shape", "innerInstructions entry without index", signature);
    inner.set(group.index, checkInstructions(group.instructions, keys.length, signature, `innerInstructions[${group.index}]`));
  }
  const balances = new Map<number, TokenAccountInfo>();
  // Post before pre: an account created in this transaction only has a post entry, one closed only
  // a pre entry; where both exist they agree on mint, owner and decimals.
  for (const [list, where] of [
    [meta.postTokenBalances, "meta.postTokenBalances"],
    [meta.preTokenBalances, "meta.preTokenBalances"],
  ] as const) {
    for (const b of listOf(list, signature, where)) {
      if (!isObj(b) || typeof b.accountIndex !== "number" || typeof b.mint !== "string" || !isObj(b.uiTokenAmount)) {
        throw new ParseError("bad_shape", "token balance entry without accountIndex/mint/uiTokenAmount", signature);
      }
      const { owner, decimals } = checkTokenBalance(b.owner, b.uiTokenAmount.decimals, signature);
      if (!balances.has(b.accountIndex)) balances.set(b.accountIndex, { mint: b.mint, owner, decimals });
    }
  }
  return { signature, slot, blockTime, txIndex, failed, keys, feePayer: keys[0]!, outer, inner, balances };
}
