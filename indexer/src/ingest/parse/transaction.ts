import { MalformedInstruction, MEMO_PROGRAMS, decodeTokenTransfer, isTokenProgram, type TokenTransfer } from "./token-instructions.js";
import { decodeData, normalizeRpcTransaction, ParseError, type NormalizedTx } from "./normalized.js";
import { matches, type WatchRules } from "./watch-rules.js";
import type { ParsedSettlement, ParseOutcome } from "../types.js";

export { ParseError } from "./normalized.js";

const utf8 = new TextDecoder("utf-8");
/**
 * Base58's alphabet as a table over char codes. A loop over it costs what a regex does on fresh
 * strings, but without the regex's or a cache's memory: the bounded Set of checked addresses it
 * replaces showed in bench:ingest's profile (docs/performance-history.md, ingest).
 */
const BASE58 = new Uint8Array(128);
for (const c of "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") BASE58[c.charCodeAt(0)] = 1;

function isBase58(s: string, min: number, max: number): boolean {
  const n = s.length;
  if (n < min || n > max) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || BASE58[c] === 0) return false;
  }
  return true;
}

function checkAddress(a: string, s: ParsedSettlement): void {
  if (!isBase58(a, 32, 44)) throw new ParseError("bad_address", `settlement ${s.outerIndex}/${s.innerIndex} names "${a.slice(0, 60)}", not a base58 address`, s.signature);
}

/**
 * Everything a settlement row names must be base58: an RPC that returns something else is not
 * trusted further (and the insert relies on it: see settlements-queries.ts).
 */
function checkRow(s: ParsedSettlement): void {
  checkAddress(s.mint, s);
  checkAddress(s.tokenProgram, s);
  checkAddress(s.payer, s);
  checkAddress(s.payee, s);
  checkAddress(s.sourceAccount, s);
  checkAddress(s.destinationAccount, s);
  checkAddress(s.feePayer, s);
  if (!isBase58(s.signature, 64, 88)) throw new ParseError("bad_signature", `"${s.signature.slice(0, 100)}" is not a base58 signature`, s.signature);
}

interface Found {
  outerIndex: number;
  innerIndex: number;
  programId: string;
  transfer: TokenTransfer;
}

/** Every token transfer in execution order, plus the memos, from top-level and inner instructions. */
function scan(tx: NormalizedTx): { found: Found[]; memos: string[] } {
  const found: Found[] = [];
  const memos: string[] = [];
  const visit = (ix: NormalizedTx["outer"][number], outerIndex: number, innerIndex: number) => {
    const programId = tx.keys[ix.programIdIndex]!;
    if (isTokenProgram(programId)) {
      // Cheap pre-check on the first base58 char is not safe; decoding ~10 bytes is cheap enough.
      let transfer: TokenTransfer | null;
      try {
        transfer = decodeTokenTransfer(decodeData(ix.data), ix.accounts);
      } catch (err) {
        if (err instanceof MalformedInstruction) {
          throw new ParseError("malformed_token_instruction", `instruction ${outerIndex}/${innerIndex}: ${err.message}`, tx.signature);
        }
        throw new ParseError("bad_instruction_data", `instruction ${outerIndex}/${innerIndex}: data is not base58`, tx.signature);
      }
      if (transfer) found.push({ outerIndex, innerIndex, programId, transfer });
    } else if (MEMO_PROGRAMS.has(programId)) {
      memos.push(utf8.decode(decodeData(ix.data)));
    }
  };
  tx.outer.forEach((ix, i) => {
    visit(ix, i, -1);
    tx.inner.get(i)?.forEach((inner, j) => visit(inner, i, j));
  });
  return { found, memos };
}

/**
 * The settlements in one normalized transaction under `rules`. Owners, mints and decimals come from
 * the token balance metadata; where a source account has no balance entry (created and closed within
 * the same transaction) the payer is the transfer's authority, which signed for it.
 */
export function extractSettlements(tx: NormalizedTx, rules: WatchRules): ParseOutcome {
  if (tx.failed) return { kind: "failed", signature: tx.signature, slot: tx.slot };
  const { found, memos } = scan(tx);
  const memo = memos.length ? memos.join("\n") : null;
  const blockTime = tx.blockTime === null ? null : new Date(tx.blockTime * 1000);
  const isFacilitated = rules.facilitators.has(tx.feePayer);
  const settlements: ParsedSettlement[] = [];
  for (const f of found) {
    const t = f.transfer;
    const src = tx.balances.get(t.source);
    const dst = tx.balances.get(t.destination);
    const mint = t.kind === "transferChecked" ? tx.keys[t.mint]! : (src?.mint ?? dst?.mint);
    if (mint === undefined) {
      // Only worth a reject when the transfer could be ours: the merchant side is unknowable here.
      if (isFacilitated) throw new ParseError("transfer_mint_unknown", `transfer ${f.outerIndex}/${f.innerIndex} has no token balance record to give its mint`, tx.signature);
      continue;
    }
    if (!rules.mints.has(mint)) continue;
    const payee = dst?.owner;
    if (!matches(rules, mint, tx.feePayer, payee)) continue;
    if (payee === undefined) {
      throw new ParseError("destination_owner_unknown", `transfer ${f.outerIndex}/${f.innerIndex} of a watched mint: destination has no owner in token balances`, tx.signature);
    }
    const decimals = t.kind === "transferChecked" ? t.decimals : (src?.decimals ?? dst?.decimals)!;
    settlements.push({
      signature: tx.signature,
      outerIndex: f.outerIndex,
      innerIndex: f.innerIndex,
      slot: tx.slot,
      blockTime,
      mint,
      tokenProgram: f.programId,
      amount: t.amount,
      decimals,
      payer: src?.owner ?? tx.keys[t.authority]!,
      payee,
      sourceAccount: tx.keys[t.source]!,
      destinationAccount: tx.keys[t.destination]!,
      feePayer: tx.feePayer,
      facilitator: isFacilitated ? tx.feePayer : null,
      memo,
    });
  }
  if (settlements.length === 0) return { kind: "none", signature: tx.signature, slot: tx.slot };
  settlements.forEach(checkRow);
  return { kind: "settlements", signature: tx.signature, slot: tx.slot, txIndex: tx.txIndex, settlements };
}

/** getTransaction JSON (or a Helius raw webhook item) to its settlements. Throws ParseError. */
export function parseTransaction(input: unknown, rules: WatchRules): ParseOutcome {
  return extractSettlements(normalizeRpcTransaction(input), rules);
}
