import { getTransactions, type Commitment } from "../ingest/rpc/fetch-transactions.js";
import type { RpcClient } from "../ingest/rpc/client.js";
import { extractSettlements } from "../ingest/parse/transaction.js";
import { ParseError } from "../errors.js";
import { normalizeRpcTransaction } from "../ingest/parse/normalized.js";
import type { WatchRules } from "../ingest/parse/watch-rules.js";
import type { Settlement } from "../scoring/types.js";
import type { ManifestSettlement } from "./manifest.js";

/** A settlement the chain does not back as the manifest names it. */
export interface SettlementProblem {
  signature: string;
  field: string;
  expected: string;
  got: string;
}

/**
 * The auditor does not know the operator's watch rules (which mints, facilitators, merchants make
 * a transfer a settlement): the manifest names the transfers. Every transfer of the transaction is
 * read under rules that accept it, and the named one (outer, inner) is taken.
 */
function acceptAll(tx: ReturnType<typeof normalizeRpcTransaction>): WatchRules {
  const mints = new Set<string>(tx.keys);
  const owners = new Set<string>();
  for (const b of tx.balances.values()) {
    mints.add(b.mint);
    if (b.owner) owners.add(b.owner);
  }
  return { mints, facilitators: new Set(), merchants: owners };
}

export interface FetchedSettlements {
  settlements: Settlement[];
  problem?: SettlementProblem;
}

/**
 * Fetches every transaction the manifest names (getTransaction, batched and concurrent within the
 * client's request budget), parses it with the indexer's parser and returns the settlements in the
 * manifest's order as the scorer reads them, or the first one the chain does not back.
 */
export async function fetchSettlements(
  rpc: RpcClient,
  list: readonly ManifestSettlement[],
  opts: { commitment?: Commitment; chunk?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<FetchedSettlements> {
  const signatures = [...new Set(list.map((s) => s.signature))];
  const parsed = new Map<string, Map<string, Settlement> | SettlementProblem>();
  const chunk = opts.chunk ?? 1000;
  for (let i = 0; i < signatures.length; i += chunk) {
    const part = signatures.slice(i, i + chunk);
    const txs = await getTransactions(rpc, part, { commitment: opts.commitment ?? "confirmed" });
    for (const sig of part) {
      const raw = txs.get(sig);
      if (!raw) {
        parsed.set(sig, { signature: sig, field: "transaction", expected: "on-chain", got: "not found" });
        continue;
      }
      try {
        const tx = normalizeRpcTransaction(raw);
        const out = extractSettlements(tx, acceptAll(tx));
        if (out.kind === "failed") {
          parsed.set(sig, { signature: sig, field: "transaction", expected: "succeeded", got: "failed" });
          continue;
        }
        const byIndex = new Map<string, Settlement>();
        if (out.kind === "settlements") {
          for (const p of out.settlements) {
            byIndex.set(`${p.outerIndex}/${p.innerIndex}`, {
              id: 0n,
              slot: p.slot,
              txIndex: out.txIndex ?? 0,
              outerIndex: p.outerIndex,
              innerIndex: p.innerIndex,
              blockTime: p.blockTime,
              mint: p.mint,
              amount: p.amount,
              decimals: p.decimals,
              payer: p.payer,
              payee: p.payee,
              memo: p.memo,
            });
          }
        }
        parsed.set(sig, byIndex);
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        parsed.set(sig, {
          signature: sig,
          field: "transaction",
          expected: "a transaction the parser reads",
          got: `${err.reason}: ${err.message}`,
        });
      }
    }
    opts.onProgress?.(Math.min(i + chunk, signatures.length), signatures.length);
  }
  const settlements: Settlement[] = [];
  for (const m of list) {
    const p = parsed.get(m.signature)!;
    if (!(p instanceof Map)) return { settlements, problem: p };
    const s = p.get(`${m.outer}/${m.inner}`);
    if (!s)
      return {
        settlements,
        problem: {
          signature: m.signature,
          field: `transfer ${m.outer}/${m.inner}`,
          expected: "a token transfer",
          got: "none at that instruction",
        },
      };
    if (s.slot !== m.slot)
      return { settlements, problem: { signature: m.signature, field: "slot", expected: m.slot.toString(), got: s.slot.toString() } };
    settlements.push({ ...s, id: BigInt(settlements.length + 1) });
  }
  return { settlements };
}
