import type { Sql } from "../../db/connection.js";
import { CallerError } from "../../errors.js";
import { BlockIndex } from "../rpc/block-index.js";
import type { Commitment } from "../rpc/fetch-transactions.js";
import { pollAddress, RecentSet } from "./poller.js";
import type { RpcClient } from "../rpc/client.js";
import { newIngestStats, type IngestStats } from "../stats.js";
import type { WatchRules } from "../parse/watch-rules.js";

/**
 * History from a given slot or signature up to now, for every watched address. It is the poller
 * with its own cursor stream named after the start point, so an interrupted backfill re-run with
 * the same start resumes where it committed last, and overlapping the live poller is harmless
 * (settlements are unique on signature and path).
 */
export interface BackfillOptions {
  sql: Sql;
  rpc: RpcClient;
  rules: WatchRules;
  addresses: readonly string[];
  fromSlot?: bigint;
  fromSignature?: string;
  commitment?: Commitment;
  batchSize?: number;
  onListed?: (address: string, count: number) => void;
  onBatch?: (address: string, transactions: number, settlements: number) => void;
}

export function backfillStream(o: { fromSlot?: bigint; fromSignature?: string }): string {
  if ((o.fromSlot === undefined) === (o.fromSignature === undefined)) {
    throw new CallerError("backfill_start", "give exactly one of --from-slot and --from-signature");
  }
  return o.fromSlot !== undefined ? `backfill:slot:${o.fromSlot}` : `backfill:signature:${o.fromSignature}`;
}

export async function backfill(o: BackfillOptions): Promise<IngestStats> {
  const stream = backfillStream(o);
  const stats = newIngestStats();
  const commitment = o.commitment ?? "finalized";
  const blockIndex = new BlockIndex(o.rpc, commitment);
  const committed = new RecentSet();
  for (const address of o.addresses) {
    await pollAddress(
      {
        sql: o.sql,
        rpc: o.rpc,
        rules: o.rules,
        stats,
        commitment,
        stream,
        batchSize: o.batchSize,
        blockIndex,
        committed,
        startAfterSignature: o.fromSignature,
        minSlot: o.fromSlot,
        onListed: o.onListed,
        onBatch: o.onBatch,
      },
      address,
    );
  }
  stats.cycles = 1;
  stats.lastCycleAt = new Date();
  return stats;
}
