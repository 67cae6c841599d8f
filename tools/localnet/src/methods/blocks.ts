import type { Block } from "../blocks.js";
import type { Chain } from "../chain.js";
import { decodeTransaction } from "../decode-transaction.js";
import { annotatedKeys, checkVersion, encodeTransactionWithMeta, txEncoding } from "../encode-transaction.js";
import { config, int, type Params } from "../params.js";
import { RPC_BLOCK_NOT_AVAILABLE, RPC_SLOT_SKIPPED, RpcError, invalidParams } from "../rpc-error.js";
import type { Methods } from "./context.js";

/**
 * Blocks are the slots that hold transactions (plus the open one). Slots passed over while the
 * chain was idle answer like skipped slots on a cluster.
 */
function blockAt(chain: Chain, slot: number): Block {
  const open = chain.producer.tick();
  const block = chain.blocks.get(slot) ?? (slot === open.slot ? open : undefined);
  if (block) return block;
  if (slot > open.slot || slot < chain.producer.genesisSlot) {
    throw new RpcError(RPC_BLOCK_NOT_AVAILABLE, `Block not available for slot ${slot}`);
  }
  throw new RpcError(RPC_SLOT_SKIPPED, `Slot ${slot} was skipped, or missing due to ledger jump to recent snapshot`);
}

function records(chain: Chain, block: Block) {
  return block.txs.map((seq) => {
    const r = chain.history.at(seq);
    if (!r) throw new Error(`block ${block.slot} references unknown transaction ${seq}`);
    return r;
  });
}

export const blockMethods: Methods = {
  getBlock(params: Params, chain) {
    const block = blockAt(chain, int(params, 0, "slot"));
    const cfg = typeof params[1] === "string" ? { encoding: params[1] } : config(params, 1);
    const details = cfg.transactionDetails ?? "full";
    const header: Record<string, unknown> = {
      blockHeight: block.blockHeight,
      blockTime: block.blockTime,
      blockhash: block.blockhash,
      parentSlot: block.parentSlot,
      previousBlockhash: block.previousBlockhash,
    };
    if (cfg.rewards !== false) header.rewards = [];
    const txs = records(chain, block);
    switch (details) {
      case "none":
        return header;
      case "signatures":
        return { ...header, signatures: txs.map((r) => r.signature) };
      case "full": {
        const encoding = txEncoding(cfg.encoding);
        return {
          ...header,
          transactions: txs.map((r) => encodeTransactionWithMeta(r, encoding, checkVersion(r, cfg.maxSupportedTransactionVersion))),
        };
      }
      case "accounts":
        return {
          ...header,
          transactions: txs.map((r) => {
            const version = checkVersion(r, cfg.maxSupportedTransactionVersion);
            const tx = decodeTransaction(r.wire);
            const { err, fee, preBalances, postBalances, preTokenBalances, postTokenBalances } = r.meta;
            return {
              transaction: { accountKeys: annotatedKeys(r, tx), signatures: tx.signatures },
              meta: {
                err,
                fee,
                preBalances,
                postBalances,
                preTokenBalances,
                postTokenBalances,
                status: err === null ? { Ok: null } : { Err: err },
              },
              ...(version !== undefined ? { version } : {}),
            };
          }),
        };
      default:
        throw invalidParams(`unsupported transactionDetails: ${String(details)}`);
    }
  },

  getBlockTime(params: Params, chain) {
    return blockAt(chain, int(params, 0, "slot")).blockTime;
  },

  getBlocks(params: Params, chain) {
    const start = int(params, 0, "start slot");
    const end = typeof params[1] === "number" ? int(params, 1, "end slot") : chain.producer.tick().slot;
    if (end - start > 500_000) throw invalidParams("Slot range too large; max 500000");
    return [...chain.blocks.keys()].filter((s) => s >= start && s <= end);
  },

  getBlocksWithLimit(params: Params, chain) {
    const start = int(params, 0, "start slot");
    const limit = int(params, 1, "limit");
    return [...chain.blocks.keys()].filter((s) => s >= start).slice(0, limit);
  },
};
