import type { Sql } from "../db/connection.js";
import { BlockIndex } from "./rpc/block-index.js";
import { discoverMerchantAccounts } from "./sources/discover.js";
import type { Commitment } from "./rpc/fetch-transactions.js";
import { advanceIngestWatermark } from "./store/cursors.js";
import { pollAddress, RecentSet } from "./sources/poller.js";
import { sleep } from "./rpc/rate-limit.js";
import { RpcClient, type RpcClientOptions } from "./rpc/client.js";
import { newIngestStats, type IngestStats } from "./stats.js";
import { watchedAddresses, type WatchRules } from "./parse/watch-rules.js";

export { webhookRoutes, type WebhookOptions } from "./sources/webhook.js";
export { watchRules, watchedAddresses, type WatchRules } from "./parse/watch-rules.js";
export { parseTransaction } from "./parse/transaction.js";
export { parseEnhanced } from "./parse/enhanced.js";
export { RpcClient } from "./rpc/client.js";
export { getIngestWatermark } from "./store/cursors.js";
export type { IngestStats } from "./stats.js";
export type { SettlementRow, ParsedSettlement } from "./types.js";

export interface StartIngestOptions {
  sql: Sql;
  rpcUrl: string;
  rules: WatchRules;
  /** "processed" is read as "confirmed": getSignaturesForAddress and getTransaction refuse it. */
  commitment?: Commitment | "processed";
  pollIntervalMs?: number;
  log?: (line: string) => void;
  rpc?: Omit<RpcClientOptions, "url" | "log">;
  /** Transactions per committed batch. */
  batchSize?: number;
}

export interface IngestHandle {
  stop(): Promise<void>;
  stats(): IngestStats;
}

/**
 * The daemon's poller: every `pollIntervalMs`, each watched address is brought up to date (see
 * poller.ts). Errors of one pass (RPC down, garbage answers, database unreachable) are logged and
 * counted and the next pass tries again; nothing here throws out of the loop.
 */
export async function startIngest(opts: StartIngestOptions): Promise<IngestHandle> {
  const log = opts.log ?? (() => {});
  const stats = newIngestStats();
  const commitment: Commitment = opts.commitment === "processed" ? "confirmed" : (opts.commitment ?? "finalized");
  const rpc = new RpcClient({ url: opts.rpcUrl, log, ...opts.rpc });
  const blockIndex = new BlockIndex(rpc, commitment);
  const committed = new RecentSet();
  let stopping = false;
  let wake: (() => void) | undefined;

  // Derived addresses are known at once; discovered token accounts are added by the first pass and
  // refreshed now and then, so a slow or absent RPC never holds up the daemon's start.
  let addresses = watchedAddresses(opts.rules);
  const DISCOVER_EVERY = 500;
  log(`ingest: watching ${addresses.length} derived addresses at ${commitment}`);

  const pass = async () => {
    if (stats.cycles % DISCOVER_EVERY === 0) {
      const before = addresses.length;
      addresses = watchedAddresses(opts.rules, await discoverMerchantAccounts(rpc, opts.rules, log));
      if (addresses.length !== before) log(`ingest: watching ${addresses.length} addresses (token accounts discovered)`);
    }
    // Noted before listing: once every address is listed and ingested after this moment, every
    // settlement at or below this slot is in the table.
    let head: bigint | undefined;
    try {
      head = BigInt(await rpc.call<number>("getSlot", [{ commitment }]));
    } catch (err) {
      log(`ingest: getSlot failed, the watermark waits for the next pass: ${(err as Error).message}`);
    }
    let complete = head !== undefined;
    for (const address of addresses) {
      if (stopping) return;
      try {
        await pollAddress(
          {
            sql: opts.sql,
            rpc,
            rules: opts.rules,
            stats,
            commitment,
            stream: "live",
            batchSize: opts.batchSize,
            blockIndex,
            committed,
            shouldStop: () => stopping,
          },
          address,
        );
      } catch (err) {
        complete = false;
        stats.rpcErrors++;
        stats.lastError = `${address}: ${(err as Error).message}`;
        log(`ingest: pass over ${address} failed, will retry next pass: ${(err as Error).message}`);
      }
    }
    if (complete && !stopping) {
      // The head slot's block may still take transactions (the local chain serves its open block
      // at "confirmed"): only the slot before it is surely complete. On a cluster this costs one slot.
      const completed = head! - 1n;
      try {
        await advanceIngestWatermark(opts.sql, completed);
        stats.watermark = Number(completed);
      } catch (err) {
        log(`ingest: could not store the watermark: ${(err as Error).message}`);
      }
    }
  };

  const loop = (async () => {
    while (!stopping) {
      await pass();
      stats.cycles++;
      stats.lastCycleAt = new Date();
      if (stopping) break;
      await Promise.race([sleep(opts.pollIntervalMs ?? 2000), new Promise<void>((r) => (wake = r))]);
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
    },
    stats: () => ({ ...stats }),
  };
}
