import { ParseError } from "../../errors.js";
import { checkBlockTime, checkSlot, checkTokenBalance, type NormalizedTx, type TokenAccountInfo } from "./normalized.js";
import { extractSettlements } from "./transaction.js";
import type { WatchRules } from "./watch-rules.js";
import type { ParseOutcome, RpcCompiledInstruction } from "../types.js";

/**
 * Helius "enhanced" webhook items. Helius's own interpretation (type, tokenTransfers with a UI
 * float tokenAmount) is not used for amounts or paths: a float cannot carry a u64 exactly and
 * tokenTransfers has no instruction path. When the item carries `instructions` (programId, account
 * addresses, base58 data, innerInstructions) we decode those with the same extractor as raw
 * transactions, taking owners/mints/decimals from accountData[].tokenBalanceChanges. When it does
 * not (the documented webhook example has none), parsing reports `enhanced_without_instructions`
 * and the caller resolves the transaction over RPC instead (see webhook.ts).
 */
interface EnhancedInstruction {
  programId: string;
  accounts: string[];
  data: string;
  innerInstructions?: EnhancedInstruction[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function enhancedSignature(item: unknown): string | null {
  return isObj(item) && typeof item.signature === "string" ? item.signature : null;
}

export function isEnhancedItem(item: unknown): boolean {
  return (
    isObj(item) && typeof item.signature === "string" && ("tokenTransfers" in item || "accountData" in item) && !("transaction" in item)
  );
}

/**
 * Could this item hold a transfer of a watched mint? Helius lists every token movement in
 * tokenTransfers and every balance change in accountData; when both lists are readable and neither
 * names a watched mint, the item cannot be a settlement and its raw transaction is not fetched.
 */
function mentionsMint(item: Record<string, unknown>, mints: ReadonlySet<string>): boolean {
  const { tokenTransfers: transfers, accountData: accounts } = item;
  if ((transfers !== undefined && !Array.isArray(transfers)) || (accounts !== undefined && !Array.isArray(accounts))) return true;
  for (const t of transfers ?? []) if (!isObj(t) || typeof t.mint !== "string" || mints.has(t.mint)) return true;
  for (const a of accounts ?? []) {
    if (!isObj(a) || (a.tokenBalanceChanges !== undefined && !Array.isArray(a.tokenBalanceChanges))) return true;
    for (const c of (a.tokenBalanceChanges as unknown[] | undefined) ?? [])
      if (!isObj(c) || typeof c.mint !== "string" || mints.has(c.mint)) return true;
  }
  return false;
}

/**
 * Token accounts as tokenTransfers names them (mint, owner): for balance changes that carry no
 * userAccount, and for accounts with no balance change at all (what came in went out again in the
 * same transaction), which getTransaction's pre/post balances would still list.
 */
function accountsFromTransfers(item: Record<string, unknown>): Map<string, { mint: string; owner: string | undefined }> {
  const accounts = new Map<string, { mint: string; owner: string | undefined }>();
  const note = (account: unknown, owner: unknown, mint: string) => {
    if (typeof account !== "string") return;
    const known = accounts.get(account);
    const o = typeof owner === "string" && owner !== "" ? owner : undefined;
    if (!known) accounts.set(account, { mint, owner: o });
    else known.owner ??= o;
  };
  for (const t of Array.isArray(item.tokenTransfers) ? item.tokenTransfers : []) {
    if (!isObj(t) || typeof t.mint !== "string") continue;
    note(t.fromTokenAccount, t.fromUserAccount, t.mint);
    note(t.toTokenAccount, t.toUserAccount, t.mint);
  }
  return accounts;
}

/** `watchedMints`: an item without instructions that names none of them normalizes to no instructions instead of asking for its raw transaction. */
export function normalizeEnhanced(item: unknown, watchedMints?: ReadonlySet<string>): NormalizedTx {
  if (!isObj(item)) throw new ParseError("bad_shape", "enhanced item is not an object");
  const signature = typeof item.signature === "string" ? item.signature : null;
  if (!signature) throw new ParseError("bad_shape", "enhanced item has no signature");
  if (typeof item.feePayer !== "string") throw new ParseError("bad_shape", "enhanced item lacks feePayer", signature);
  const base = {
    signature,
    slot: checkSlot(item.slot, signature),
    blockTime: checkBlockTime(item.timestamp, signature),
    txIndex: null,
    feePayer: item.feePayer,
  };
  const failed = item.transactionError !== null && item.transactionError !== undefined;
  if (failed) return { ...base, failed, keys: [], outer: [], inner: new Map(), balances: new Map() };
  if (!Array.isArray(item.instructions) && watchedMints && !mentionsMint(item, watchedMints)) {
    return { ...base, failed, keys: [], outer: [], inner: new Map(), balances: new Map() };
  }
  if (!Array.isArray(item.instructions)) {
    throw new ParseError(
      "enhanced_without_instructions",
      "enhanced item has no instructions; its instruction paths and exact amounts must come from the raw transaction",
      signature,
    );
  }
  const keys: string[] = [];
  const index = new Map<string, number>();
  const intern = (a: unknown): number => {
    if (typeof a !== "string") throw new ParseError("bad_shape", "instruction account is not a string", signature);
    let i = index.get(a);
    if (i === undefined) {
      i = keys.push(a) - 1;
      index.set(a, i);
    }
    return i;
  };
  const compile = (ix: EnhancedInstruction): RpcCompiledInstruction => {
    if (!isObj(ix) || typeof ix.programId !== "string" || !Array.isArray(ix.accounts) || typeof ix.data !== "string") {
      throw new ParseError("bad_shape", "enhanced instruction without programId/accounts/data", signature);
    }
    return { programIdIndex: intern(ix.programId), accounts: ix.accounts.map(intern), data: ix.data };
  };
  const outer: RpcCompiledInstruction[] = [];
  const inner = new Map<number, RpcCompiledInstruction[]>();
  (item.instructions as EnhancedInstruction[]).forEach((ix, i) => {
    outer.push(compile(ix));
    if (Array.isArray(ix.innerInstructions) && ix.innerInstructions.length) inner.set(i, ix.innerInstructions.map(compile));
  });
  const balances = new Map<number, TokenAccountInfo>();
  const named = accountsFromTransfers(item);
  for (const acc of Array.isArray(item.accountData) ? item.accountData : []) {
    for (const c of isObj(acc) && Array.isArray(acc.tokenBalanceChanges) ? acc.tokenBalanceChanges : []) {
      if (!isObj(c) || typeof c.tokenAccount !== "string" || typeof c.mint !== "string" || !isObj(c.rawTokenAmount)) continue;
      const { owner, decimals } = checkTokenBalance(c.userAccount || undefined, c.rawTokenAmount.decimals, signature);
      balances.set(intern(c.tokenAccount), { mint: c.mint, owner: owner ?? named.get(c.tokenAccount)?.owner, decimals });
    }
  }
  // tokenTransfers carry no decimals: a plain transfer between such accounts only is decimals_unknown
  for (const [account, { mint, owner }] of named) {
    const i = intern(account);
    if (!balances.has(i)) balances.set(i, { mint, owner, decimals: undefined });
  }
  return { ...base, failed, keys, outer, inner, balances };
}

export function parseEnhanced(item: unknown, rules: WatchRules): ParseOutcome {
  return extractSettlements(normalizeEnhanced(item, rules.mints), rules);
}
