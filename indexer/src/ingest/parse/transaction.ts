import { MEMO_PROGRAMS } from "@merit/clients/programs";
import { MalformedInstruction, ParseError } from "../../errors.js";
import { decodeTokenTransfer, isTokenProgram, type TokenTransfer } from "./token-instructions.js";
import { decodeData, normalizeRpcTransaction, type NormalizedTx } from "./normalized.js";
import { matches, type WatchRules } from "./watch-rules.js";
import { VOLUME_DECIMALS } from "../../scoring/points/math.js";
import type { ParsedSettlement, ParseOutcome, TransferReject } from "../types.js";

const utf8 = new TextDecoder("utf-8");
/**
 * Base58's alphabet as a table over char codes. A loop over it costs what a regex does on fresh
 * strings, but without the regex's or a cache's memory: the bounded Set of checked addresses it
 * replaces showed in bench:ingest's profile (docs/performance-history.md, ingest).
 */
const BASE58 = new Uint8Array(128);
for (const c of "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") BASE58[c.charCodeAt(0)] = 1;

export function isBase58(s: unknown, min: number, max: number): s is string {
  if (typeof s !== "string") return false;
  const n = s.length;
  if (n < min || n > max) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || BASE58[c] === 0) return false;
  }
  return true;
}

function checkAddress(a: string, s: ParsedSettlement): void {
  if (!isBase58(a, 32, 44))
    throw new ParseError(
      "bad_address",
      `settlement ${s.outerIndex}/${s.innerIndex} names "${String(a).slice(0, 60)}", not a base58 address`,
      s.signature,
    );
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
  if (!isBase58(s.signature, 64, 88))
    throw new ParseError("bad_signature", `"${String(s.signature).slice(0, 100)}" is not a base58 signature`, s.signature);
  // int2 columns: no real transaction comes near (1,232 bytes), a hand-made payload might
  if (s.outerIndex > MAX_INT2 || s.innerIndex > MAX_INT2)
    throw new ParseError("bad_shape", `instruction path ${s.outerIndex}/${s.innerIndex} is beyond an int2`, s.signature);
}

const MAX_INT2 = 32_767;

/**
 * The largest volume one settlement may carry, in micro-units (6 decimals, see points/math.ts):
 * 2^53 - 1, about 9.007 billion whole tokens. The engine keeps volumes and their per-account sums
 * (volume_total, tier windows, campaign volumes) in bigint columns, 2^63 - 1: a settlement past
 * this limit is a reject (volume_out_of_range), which leaves a factor of 1,024 for the sums.
 */
export const MAX_SETTLEMENT_VOLUME = 2n ** 53n - 1n;

const maxAmounts: bigint[] = [];
/**
 * The largest amount at `decimals` whose volume (toVolume, the engine's definition) is within
 * MAX_SETTLEMENT_VOLUME: one comparison per settlement instead of a BigInt power and division.
 */
export function maxSettlementAmount(decimals: number): bigint {
  return (maxAmounts[decimals] ??=
    decimals >= VOLUME_DECIMALS
      ? (MAX_SETTLEMENT_VOLUME + 1n) * 10n ** BigInt(decimals - VOLUME_DECIMALS) - 1n
      : MAX_SETTLEMENT_VOLUME / 10n ** BigInt(VOLUME_DECIMALS - decimals));
}

/** Memo bytes as text: invalid UTF-8 becomes U+FFFD (the decoder), and so does NUL, which PostgreSQL's text refuses. */
function decodeMemo(data: string, sig: string): string {
  let text: string;
  try {
    text = utf8.decode(decodeData(data));
  } catch {
    throw new ParseError("bad_instruction_data", "a memo instruction's data is not base58", sig);
  }
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\ufffd") : text;
}

interface Found {
  outerIndex: number;
  innerIndex: number;
  programId: string;
  transfer: TokenTransfer;
}

/** Every token transfer in execution order, plus the memos' data (decoded only when needed), from top-level and inner instructions. */
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
      memos.push(ix.data);
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
  const blockTime = tx.blockTime === null ? null : new Date(tx.blockTime * 1000);
  const isFacilitated = rules.facilitators.has(tx.feePayer);
  const settlements: ParsedSettlement[] = [];
  // Transfers that could be settlements but cannot be stored: reported, while their siblings are kept.
  const rejects: TransferReject[] = [];
  for (const f of found) {
    const t = f.transfer;
    const src = tx.balances.get(t.source);
    const dst = tx.balances.get(t.destination);
    const mint = t.kind === "transferChecked" ? tx.keys[t.mint]! : (src?.mint ?? dst?.mint);
    if (mint === undefined) {
      // Only worth a reject when the transfer could be ours: the merchant side is unknowable here.
      if (isFacilitated)
        rejects.push({
          reason: "transfer_mint_unknown",
          detail: `transfer ${f.outerIndex}/${f.innerIndex} has no token balance record to give its mint`,
        });
      continue;
    }
    if (!rules.mints.has(mint)) continue;
    const payee = dst?.owner;
    if (!matches(rules, mint, tx.feePayer, payee)) continue;
    if (payee === undefined) {
      rejects.push({
        reason: "destination_owner_unknown",
        detail: `transfer ${f.outerIndex}/${f.innerIndex} of a watched mint: destination has no owner in token balances`,
      });
      continue;
    }
    const decimals = t.kind === "transferChecked" ? t.decimals : (src?.decimals ?? dst?.decimals);
    if (decimals === undefined) {
      rejects.push({
        reason: "decimals_unknown",
        detail: `transfer ${f.outerIndex}/${f.innerIndex} of a watched mint: no balance record gives its decimals`,
      });
      continue;
    }
    if (t.amount > maxSettlementAmount(decimals)) {
      rejects.push({
        reason: "volume_out_of_range",
        detail: `transfer ${f.outerIndex}/${f.innerIndex}: ${t.amount} at ${decimals} decimals is more than ${MAX_SETTLEMENT_VOLUME} micro-units of volume`,
      });
      continue;
    }
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
      memo: null,
    });
  }
  if (settlements.length === 0) {
    // Nothing to keep: the whole transaction is the reject, as before.
    if (rejects.length > 0) throw new ParseError(rejects[0]!.reason, rejects.map((r) => r.detail).join("; "), tx.signature);
    return { kind: "none", signature: tx.signature, slot: tx.slot };
  }
  settlements.forEach(checkRow);
  if (memos.length > 0) {
    const memo = memos.map((m) => decodeMemo(m, tx.signature)).join("\n");
    for (const s of settlements) s.memo = memo;
  }
  const out: Extract<ParseOutcome, { kind: "settlements" }> = {
    kind: "settlements",
    signature: tx.signature,
    slot: tx.slot,
    txIndex: tx.txIndex,
    settlements,
  };
  if (rejects.length > 0) out.rejects = rejects;
  return out;
}

/** getTransaction JSON (or a Helius raw webhook item) to its settlements. Throws ParseError. */
export function parseTransaction(input: unknown, rules: WatchRules): ParseOutcome {
  return extractSettlements(normalizeRpcTransaction(input), rules);
}
