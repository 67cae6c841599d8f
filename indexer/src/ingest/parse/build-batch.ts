import { ParseError } from "./normalized.js";
import { parseEnhanced } from "./enhanced.js";
import { parseTransaction } from "./transaction.js";
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

function signatureOf(body: unknown): string | null {
  const b = body as { signature?: unknown; transaction?: { signatures?: unknown[] } } | null;
  if (typeof b?.signature === "string") return b.signature;
  const s = b?.transaction?.signatures?.[0];
  return typeof s === "string" ? s : null;
}

async function parseOne(item: Received, ctx: BuildContext): Promise<{ outcome: ParseOutcome; item: Received }> {
  try {
    return { outcome: parseEnhanced(item.body, ctx.rules), item };
  } catch (err) {
    if (!(err instanceof ParseError) || err.reason !== "enhanced_without_instructions" || !ctx.fetchRaw) throw err;
    const raw = await ctx.fetchRaw(err.signature!);
    if (raw === null || raw === undefined) throw new ParseError("transaction_not_found", "enhanced item's transaction is not (yet) returned by getTransaction", err.signature);
    const resolved: Received = { body: raw, encoding: "rpc-json" };
    return { outcome: parseTransaction(raw, ctx.rules), item: resolved };
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
    let parsed: { outcome: ParseOutcome; item: Received };
    try {
      // The common case (raw JSON) stays synchronous: no promise per transaction on the hot path.
      parsed = received.encoding === "helius-enhanced" ? await parseOne(received, ctx) : { outcome: parseTransaction(received.body, ctx.rules), item: received };
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      reject(batch, ctx, err.signature ?? signatureOf(received.body), err.reason, err.message, received);
      continue;
    }
    const { outcome, item } = parsed;
    const unresolved = place(batch, ctx, outcome, item, outcome.kind === "settlements" ? outcome.txIndex : null);
    if (unresolved) place(batch, ctx, unresolved, item, ctx.blockIndex ? await ctx.blockIndex.resolve(unresolved.slot, unresolved.signature) : null, true);
  }
  return batch;
}

/**
 * buildBatch for one raw transaction whose block position is in the body (a Helius raw item, a
 * replayed or recorded transaction): no promise at all, for the replay and benchmark hot loops.
 * Returns false when the position must first be resolved over RPC (use buildBatch).
 */
export function addToBatch(batch: Batch, received: Received, ctx: BuildContext): boolean {
  let outcome: ParseOutcome;
  try {
    outcome = parseTransaction(received.body, ctx.rules);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    reject(batch, ctx, err.signature ?? signatureOf(received.body), err.reason, err.message, received);
    return true;
  }
  return place(batch, ctx, outcome, received, outcome.kind === "settlements" ? outcome.txIndex : null) === null;
}

function reject(batch: Batch, ctx: BuildContext, signature: string | null, reason: string, detail: string, item: Received): void {
  ctx.stats.rejected++;
  batch.rejects.push({ signature, source: ctx.source, reason, detail, body: item.text ?? JSON.stringify(item.body) });
}

/**
 * Puts a parsed transaction into the batch. Returns the outcome back when it has settlements but
 * no block position yet and `final` is false (the caller resolves it and calls again with final).
 */
function place(batch: Batch, ctx: BuildContext, outcome: ParseOutcome, item: Received, txIndex: number | null, final = false): (ParseOutcome & { kind: "settlements" }) | null {
  if (outcome.kind === "failed") ctx.stats.transactionsFailed++;
  if (outcome.kind !== "settlements") return null;
  if (txIndex === null) {
    if (!final) return outcome;
    reject(batch, ctx, outcome.signature, "tx_index_unavailable", `position of the transaction in block ${outcome.slot} is unknown (no getBlock for this slot from this source)`, item);
    return null;
  }
  // The parser's objects are fresh and owned here: complete them in place rather than copy.
  const rawIndex = batch.raws.length;
  for (const s of outcome.settlements as SettlementRow[]) {
    s.txIndex = txIndex;
    s.source = ctx.source;
    s.rawIndex = rawIndex;
    batch.settlements.push(s);
  }
  batch.raws.push({ signature: outcome.signature, slot: outcome.slot, source: ctx.source, encoding: item.encoding, txIndex, body: item.text ?? JSON.stringify(item.body) });
  return null;
}
