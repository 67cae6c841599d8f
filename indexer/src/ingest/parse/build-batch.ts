import { ParseError, type RejectReason } from "../../errors.js";
import { parseEnhanced } from "./enhanced.js";
import { isBase58, parseTransaction } from "./transaction.js";
import { emptyBatch, type Batch } from "../store/persist.js";
import type { BlockIndex } from "../rpc/block-index.js";
import type { IngestStats } from "../stats.js";
import type { WatchRules } from "./watch-rules.js";
import type { IngestSource, ParseOutcome, RawEncoding, SettlementRow } from "../types.js";

/** One transaction as received, before parsing. */
export interface Received {
  body: unknown;
  encoding: RawEncoding;
  /** The body's JSON text when the caller already has it (saves a stringify on the hot path). */
  text?: string;
}

export interface BuildContext {
  rules: WatchRules;
  source: IngestSource;
  stats: IngestStats;
  /** Resolves tx_index when the input does not carry it (getTransaction, enhanced items). */
  blockIndex?: BlockIndex;
  /** Fetches the raw transaction for an enhanced item that lacks instructions. */
  fetchRaw?: (signature: string) => Promise<unknown>;
}

/** The signature a received body names, if any (raw: transaction.signatures[0], enhanced: signature). */
export function signatureOf(body: unknown): string | null {
  const b = body as { signature?: unknown; transaction?: { signatures?: unknown[] } } | null;
  if (typeof b?.signature === "string") return b.signature;
  const s = b?.transaction?.signatures?.[0];
  return typeof s === "string" ? s : null;
}

type Parsed = { outcome: ParseOutcome; item: Received };

/**
 * Parses one enhanced item; an item that fails to parse is put in the batch as a reject and gives
 * null. Only fetching the raw transaction of an item without instructions (the RPC) may throw.
 */
async function parseEnhancedItem(received: Received, batch: Batch, ctx: BuildContext): Promise<Parsed | null> {
  let signature: string;
  try {
    try {
      return { outcome: parseEnhanced(received.body, ctx.rules), item: received };
    } catch (err) {
      if (!(err instanceof ParseError) || err.reason !== "enhanced_without_instructions" || !ctx.fetchRaw) throw err;
      // the RPC would answer a malformed signature with an error that no retry can fix
      if (!isBase58(err.signature, 64, 88)) throw new ParseError("bad_signature", "enhanced item's signature is not base58", err.signature);
      signature = err.signature;
    }
  } catch (err) {
    rejectParseFailure(batch, ctx, err, received);
    return null;
  }
  const raw = await ctx.fetchRaw(signature);
  const resolved: Received = { body: raw, encoding: "rpc-json" };
  try {
    if (raw === null || raw === undefined)
      throw new ParseError("transaction_not_found", "enhanced item's transaction is not (yet) returned by getTransaction", signature);
    return { outcome: parseTransaction(raw, ctx.rules), item: resolved };
  } catch (err) {
    rejectParseFailure(batch, ctx, err, raw === null || raw === undefined ? received : resolved);
    return null;
  }
}

/**
 * Parse received transactions into one persistable batch. Bad transactions become rejects and
 * never stop the batch; RPC failures (resolving tx_index or a raw transaction) propagate so the
 * caller retries the whole batch rather than committing part of it.
 */
export async function buildBatch(items: readonly Received[], ctx: BuildContext): Promise<Batch> {
  const batch = emptyBatch();
  for (const received of items) {
    // The common case (raw JSON) stays synchronous: no promise per transaction on the hot path.
    const parsed =
      received.encoding === "helius-enhanced" ? await parseEnhancedItem(received, batch, ctx) : parseOneSync(received, batch, ctx);
    if (parsed === null) continue;
    const { outcome, item } = parsed;
    const unresolved = place(batch, ctx, outcome, item, outcome.kind === "settlements" ? outcome.txIndex : null);
    if (unresolved)
      place(
        batch,
        ctx,
        unresolved,
        item,
        ctx.blockIndex ? await ctx.blockIndex.resolve(unresolved.slot, unresolved.signature) : null,
        true,
      );
  }
  return batch;
}

/** A raw JSON transaction's outcome, or null when it became a reject. */
function parseOneSync(received: Received, batch: Batch, ctx: BuildContext): Parsed | null {
  try {
    return { outcome: parseTransaction(received.body, ctx.rules), item: received };
  } catch (err) {
    rejectParseFailure(batch, ctx, err, received);
    return null;
  }
}

/**
 * buildBatch for one raw transaction whose block position is in the body (a Helius raw item, a
 * replayed or recorded transaction): no promise at all, for the replay and benchmark hot loops.
 * Returns false when the position must first be resolved over RPC (use buildBatch).
 */
export function addToBatch(batch: Batch, received: Received, ctx: BuildContext): boolean {
  const parsed = parseOneSync(received, batch, ctx);
  return (
    parsed === null ||
    place(batch, ctx, parsed.outcome, received, parsed.outcome.kind === "settlements" ? parsed.outcome.txIndex : null) === null
  );
}

/**
 * A transaction that failed to parse becomes a reject. Parsing is pure, so anything it throws is
 * about this one transaction: a ParseError with its reason, or an exception nobody foresaw (a bug
 * the input found) as `unexpected_parse_error` with the error's text, so that the rest of the batch,
 * the cursor and the watermark move on.
 */
function rejectParseFailure(batch: Batch, ctx: BuildContext, err: unknown, received: Received): void {
  if (err instanceof ParseError) return reject(batch, ctx, err.signature ?? signatureOf(received.body), err.reason, err.message, received);
  const e = err as Error | undefined;
  reject(batch, ctx, signatureOf(received.body), "unexpected_parse_error", `${e?.name ?? "error"}: ${e?.message ?? String(err)}`, received);
}

function reject(batch: Batch, ctx: BuildContext, signature: string | null, reason: RejectReason, detail: string, item: Received): void {
  ctx.stats.rejected++;
  batch.rejects.push({ signature, source: ctx.source, reason, detail, body: item.text ?? JSON.stringify(item.body) });
}

/**
 * Puts a parsed transaction into the batch. Returns the outcome back when it has settlements but
 * no block position yet and `final` is false (the caller resolves it and calls again with final).
 */
function place(
  batch: Batch,
  ctx: BuildContext,
  outcome: ParseOutcome,
  item: Received,
  txIndex: number | null,
  final = false,
): (ParseOutcome & { kind: "settlements" }) | null {
  if (outcome.kind === "failed") ctx.stats.transactionsFailed++;
  if (outcome.kind !== "settlements") return null;
  if (txIndex === null) {
    if (!final) return outcome;
    reject(
      batch,
      ctx,
      outcome.signature,
      "tx_index_unavailable",
      `position of the transaction in block ${outcome.slot} is unknown (no getBlock for this slot from this source)`,
      item,
    );
    return null;
  }
  // Transfers of this transaction that could not be stored: one reject per reason (the table's key).
  if (outcome.rejects) {
    const byReason = new Map<RejectReason, string[]>();
    for (const r of outcome.rejects) byReason.set(r.reason, [...(byReason.get(r.reason) ?? []), r.detail]);
    for (const [reason, details] of byReason) reject(batch, ctx, outcome.signature, reason, details.join("; "), item);
  }
  // The parser's objects are fresh and owned here: complete them in place rather than copy.
  const rawIndex = batch.raws.length;
  for (const s of outcome.settlements as SettlementRow[]) {
    s.txIndex = txIndex;
    s.source = ctx.source;
    s.rawIndex = rawIndex;
    batch.settlements.push(s);
  }
  batch.raws.push({
    signature: outcome.signature,
    slot: outcome.slot,
    source: ctx.source,
    encoding: item.encoding,
    txIndex,
    body: item.text ?? JSON.stringify(item.body),
  });
  return null;
}
