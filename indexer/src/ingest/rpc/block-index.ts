import { UpstreamError } from "../../errors.js";
import type { RpcClient } from "./client.js";

/**
 * A transaction's position in its block, which settlements need for chain order. getTransaction
 * does not return it, so it comes from getBlock(slot, transactionDetails "signatures"), one call per
 * slot that holds a settlement, cached because a busy facilitator lands many in the same block.
 *
 * The rule when it cannot be known: `null` means the RPC says the block is not available (skipped,
 * pruned, outside its ledger), a permanent answer from that RPC. The caller then stores the
 * transaction as a reject (reason tx_index_unavailable) instead of guessing an order; `backfill`
 * against an archival RPC recovers it. Transient failures throw and are retried like any RPC error.
 */
const BLOCK_UNAVAILABLE = new Set([-32001, -32004, -32007, -32009, -32011]);
const CACHE_SLOTS = 256;

export class BlockIndex {
  private readonly cache = new Map<string, Map<string, number> | null>();

  constructor(
    private readonly rpc: RpcClient,
    private readonly commitment: "confirmed" | "finalized" = "finalized",
  ) {}

  async resolve(slot: bigint, signature: string): Promise<number | null> {
    const key = slot.toString();
    const cached = this.cache.get(key);
    if (cached === null) return null; // the RPC said the block is not available: a permanent answer
    const hit = cached?.get(signature);
    if (hit !== undefined) return hit;
    // Not in the block as read before: it may have been read while it still took transactions (the
    // local chain serves its open block; a pool of RPC nodes may answer from one a moment behind).
    // Read it again before calling the position unknowable.
    const positions = await this.fetch(slot);
    this.cache.delete(key);
    this.cache.set(key, positions);
    if (this.cache.size > CACHE_SLOTS) this.cache.delete(this.cache.keys().next().value!);
    return positions?.get(signature) ?? null;
  }

  private async fetch(slot: bigint): Promise<Map<string, number> | null> {
    let block: { signatures?: unknown } | null;
    try {
      block = await this.rpc.call("getBlock", [
        Number(slot),
        {
          encoding: "json",
          transactionDetails: "signatures",
          rewards: false,
          maxSupportedTransactionVersion: 0,
          commitment: this.commitment,
        },
      ]);
    } catch (err) {
      const code = err instanceof UpstreamError ? Number((err.cause as { code?: number } | undefined)?.code) : NaN;
      if (BLOCK_UNAVAILABLE.has(code)) return null;
      throw err;
    }
    if (block === null) return null;
    if (!Array.isArray(block.signatures)) throw new UpstreamError("rpc_garbage", `getBlock(${slot}) has no signatures list`, true);
    return new Map(block.signatures.map((s: string, i: number) => [s, i]));
  }
}
