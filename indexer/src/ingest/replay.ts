import type { Sql } from "../db.js";
import { buildBatch, type Received } from "./build-batch.js";
import { persistBatch } from "./persist.js";
import { newStats, type IngestStats } from "./stats.js";
import type { WatchRules } from "./watch-rules.js";
import type { RawEncoding } from "./types.js";

/**
 * Re-parse the stored raw transactions (after a parser fix or a change of watch rules) and insert
 * the settlements that are missing, with source 'replay'. No RPC: the block position was stored with
 * the raw transaction (older rows: taken from its settlement rows, or Helius's indexWithinBlock).
 */
export async function replayRawTransactions(sql: Sql, rules: WatchRules, opts: { batchSize?: number; onBatch?: (n: number, inserted: number) => void } = {}): Promise<IngestStats> {
  const stats = newStats();
  const rows = sql<{ signature: string; encoding: RawEncoding; body: string; tx_index: number | null }[]>`
    select r.signature, r.encoding, r.body,
           coalesce(r.tx_index, (select s.tx_index from settlements s where s.signature = r.signature limit 1)) as tx_index
    from raw_transactions r order by r.slot, r.signature`.cursor(opts.batchSize ?? 500);
  for await (const chunk of rows) {
    const items: Received[] = chunk.map((r) => {
      const body = JSON.parse(r.body);
      // Carry the known position the way a Helius raw item does, so the parser attaches it.
      if (r.tx_index !== null && typeof body === "object" && body !== null && body.indexWithinBlock === undefined) body.indexWithinBlock = r.tx_index;
      return { body, encoding: r.encoding, text: r.body };
    });
    const batch = await buildBatch(items, { rules, source: "replay", stats });
    batch.raws = [];
    const { inserted } = await persistBatch(sql, batch);
    stats.settlementsInserted += inserted;
    stats.transactionsFetched += chunk.length;
    opts.onBatch?.(chunk.length, inserted);
  }
  stats.cycles = 1;
  return stats;
}
