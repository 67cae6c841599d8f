import { UpstreamError } from "../../errors.js";
import type { RpcClient } from "./client.js";

export type Commitment = "confirmed" | "finalized";

/**
 * getTransaction for many signatures: JSON-RPC batches of `batchSize`, sent concurrently (the
 * client's semaphore and token bucket keep it inside the budget). A `null` result (not yet visible
 * at this commitment on this node) is asked again a few times before it is reported as null.
 */
export async function getTransactions(
  rpc: RpcClient,
  signatures: readonly string[],
  opts: { commitment: Commitment; batchSize?: number; nullRetries?: number; retryDelayMs?: number },
): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  let pending = [...signatures];
  const size = opts.batchSize ?? 25;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const groups: string[][] = [];
    for (let i = 0; i < pending.length; i += size) groups.push(pending.slice(i, i + size));
    const results = await Promise.all(
      groups.map((g) =>
        rpc.batch<unknown>(
          g.map((s) => ({
            method: "getTransaction",
            params: [s, { encoding: "json", maxSupportedTransactionVersion: 0, commitment: opts.commitment }],
          })),
        ),
      ),
    );
    const missing: string[] = [];
    groups.forEach((g, gi) =>
      g.forEach((s, i) => {
        const r = results[gi]![i];
        if (r === null || r === undefined) missing.push(s);
        else out.set(s, r);
      }),
    );
    if (missing.length === 0 || attempt >= (opts.nullRetries ?? 3)) {
      for (const s of missing) out.set(s, null);
      break;
    }
    pending = missing;
    await new Promise((r) => setTimeout(r, (opts.retryDelayMs ?? 500) * (attempt + 1)));
  }
  return out;
}

export interface SignatureInfo {
  signature: string;
  slot: number;
  err: unknown;
}

export function checkSignaturePage(page: unknown, address: string): SignatureInfo[] {
  if (!Array.isArray(page) || page.some((s) => typeof s?.signature !== "string" || typeof s?.slot !== "number")) {
    throw new UpstreamError("rpc_garbage", `getSignaturesForAddress(${address}) did not return a list of {signature, slot}`, true);
  }
  return page as SignatureInfo[];
}
