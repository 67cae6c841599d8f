import type { Sql } from "../../db/connection.js";
import { buildBatch, type Received } from "../parse/build-batch.js";
import { persistBatch } from "../store/persist.js";
import { readRawSegments } from "../store/raw-segments.js";
import { newIngestStats, type IngestStats } from "../stats.js";
import type { WatchRules } from "../parse/watch-rules.js";

/**
 * Re-parse the stored raw transactions (after a parser fix or a change of watch rules) and insert
 * the settlements that are missing, with source 'replay'. No RPC: the block position was stored with
 * the raw transaction (bodies stored before it was: migration 00017 took it from their settlements).
 * One segment is one batch; its new settlements point at the body they were parsed from.
 */
export async function replayRawTransactions(
  sql: Sql,
  rules: WatchRules,
  opts: { onBatch?: (n: number, inserted: number) => void } = {},
): Promise<IngestStats> {
  const stats = newIngestStats();
  for await (const segment of readRawSegments(sql)) {
    const items: Received[] = segment.entries.map((e) => {
      const body = JSON.parse(e.body);
      // Carry the known position the way a Helius raw item does, so the parser attaches it.
      if (e.txIndex !== null && typeof body === "object" && body !== null && body.indexWithinBlock === undefined)
        body.indexWithinBlock = e.txIndex;
      return { body, encoding: e.encoding, text: e.body };
    });
    const batch = await buildBatch(items, { rules, source: "replay", stats });
    // buildBatch numbered the bodies it kept; the stored segment numbers them by position.
    const at = new Map(segment.entries.map((e) => [e.signature, e.index]));
    const positions = batch.raws.map((r) => at.get(r.signature)!);
    for (const s of batch.settlements) s.rawIndex = positions[s.rawIndex!];
    batch.raws = [];
    batch.rawSegment = segment.id;
    const { inserted } = await persistBatch(sql, batch);
    stats.settlementsInserted += inserted;
    stats.transactionsFetched += segment.entries.length;
    opts.onBatch?.(segment.entries.length, inserted);
  }
  stats.cycles = 1;
  return stats;
}
