import type { Sql } from "../../db/connection.js";
import { BlockIndex } from "../rpc/block-index.js";
import { buildBatch } from "../parse/build-batch.js";
import { getCursor } from "../store/cursors.js";
import { checkSignaturePage, getTransactions, type Commitment, type SignatureInfo } from "../rpc/fetch-transactions.js";
import { persistBatch } from "../store/persist.js";
import type { RpcClient } from "../rpc/client.js";
import type { IngestStats } from "../stats.js";
import type { WatchRules } from "../parse/watch-rules.js";

/**
 * One pass over one address: list the signatures newer than its cursor (getSignaturesForAddress
 * pages newest-first), then ingest them oldest-first in batches, each batch committed together with
 * the cursor moved to its newest signature. Everything before the cursor is therefore committed and
 * everything after it is fetched again after a crash; the unique key makes that repetition a no-op.
 */
export interface PollOptions {
  sql: Sql;
  rpc: RpcClient;
  rules: WatchRules;
  stats: IngestStats;
  commitment: Commitment;
  /** Cursor namespace: "live" for the daemon, "backfill:..." for a resumable backfill. */
  stream: string;
  /** Transactions per database batch. */
  batchSize?: number;
  /** Where a stream with no cursor starts: after this signature, and/or not below this slot. */
  startAfterSignature?: string;
  minSlot?: bigint;
  blockIndex?: BlockIndex;
  /** Signatures committed earlier in this process: skipped without a getTransaction. */
  committed?: RecentSet;
  onListed?: (address: string, count: number) => void;
  onBatch?: (address: string, transactions: number, settlements: number) => void;
  /** Checked between batches so stop() returns promptly; never between fetch and commit. */
  shouldStop?: () => boolean;
}

const PAGE = 1000;

export async function listNewSignatures(o: PollOptions, address: string): Promise<SignatureInfo[]> {
  const cursor = await getCursor(o.sql, address, o.stream);
  const until = cursor?.lastSignature ?? o.startAfterSignature;
  const out: SignatureInfo[] = [];
  let before: string | undefined;
  for (;;) {
    const config: Record<string, unknown> = { limit: PAGE, commitment: o.commitment };
    if (before) config.before = before;
    if (until) config.until = until;
    const page = checkSignaturePage(await o.rpc.call("getSignaturesForAddress", [address, config]), address);
    let reachedFloor = false;
    for (const s of page) {
      if (o.minSlot !== undefined && BigInt(s.slot) < o.minSlot) {
        reachedFloor = true;
        break;
      }
      out.push(s);
    }
    if (reachedFloor || page.length < PAGE) break;
    before = page[page.length - 1]!.signature;
  }
  return out.reverse();
}

export async function pollAddress(o: PollOptions, address: string): Promise<number> {
  const sigs = await listNewSignatures(o, address);
  o.onListed?.(address, sigs.length);
  const size = o.batchSize ?? 100;
  const blockIndex = o.blockIndex ?? new BlockIndex(o.rpc, o.commitment);
  let done = 0;
  for (let i = 0; i < sigs.length; i += size) {
    if (o.shouldStop?.()) break;
    const chunk = sigs.slice(i, i + size);
    // Failed transactions never count: no need to fetch them, but the cursor still passes them.
    const wanted = chunk.filter((s) => (s.err === null || s.err === undefined) && !o.committed?.has(s.signature)).map((s) => s.signature);
    const fetched = await getTransactions(o.rpc, wanted, { commitment: o.commitment });
    o.stats.transactionsFetched += fetched.size;
    o.stats.transactionsFailed += chunk.length - chunk.filter((s) => s.err === null || s.err === undefined).length;
    const batch = await buildBatch(
      wanted.map((s) => ({ body: fetched.get(s), encoding: "rpc-json" as const })),
      { rules: o.rules, source: "rpc", stats: o.stats, blockIndex },
    );
    for (const s of wanted) {
      if (fetched.get(s) === null) {
        o.stats.rejected++;
        batch.rejects.push({
          signature: s,
          source: "rpc",
          reason: "transaction_not_found",
          detail: `getTransaction returned null at ${o.commitment} after retries`,
          body: null,
        });
      }
    }
    const last = chunk[chunk.length - 1]!;
    batch.cursors.push({ address, stream: o.stream, lastSignature: last.signature, lastSlot: BigInt(last.slot) });
    const { inserted } = await persistBatch(o.sql, batch);
    o.stats.settlementsInserted += inserted;
    for (const s of wanted) o.committed?.add(s);
    done += chunk.length;
    o.onBatch?.(address, chunk.length, inserted);
  }
  return done;
}

/** A bounded set of recent signatures (insertion order eviction). */
export class RecentSet {
  private readonly items = new Set<string>();
  constructor(private readonly max = 20_000) {}
  has(s: string): boolean {
    return this.items.has(s);
  }
  add(s: string): void {
    this.items.add(s);
    if (this.items.size > this.max) this.items.delete(this.items.values().next().value!);
  }
}
