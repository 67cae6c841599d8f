import { createHash } from "node:crypto";
import bs58 from "bs58";
import { epochInfo } from "../blocks.js";
import { config, str, type Params } from "../params.js";
import { invalidParams } from "../rpc-error.js";
import { API_VERSION, withContext, type Methods } from "./context.js";

/** Stable across restarts: a localnet with a persisted history is the same chain. */
const GENESIS_HASH = bs58.encode(createHash("sha256").update("merit-localnet-genesis").digest());
const IDENTITY = bs58.encode(createHash("sha256").update("merit-localnet-identity").digest());

function nonNegative(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw invalidParams(`${name} must be a non-negative integer`);
  return value;
}

export const clusterMethods: Methods = {
  getSlot: (_p, chain) => chain.producer.tick().slot,

  getBlockHeight: (_p, chain) => chain.producer.tick().blockHeight,

  getLatestBlockhash(_p, chain) {
    const block = chain.producer.tick();
    return withContext(chain, { blockhash: block.blockhash, lastValidBlockHeight: chain.producer.lastValidBlockHeight() });
  },

  isBlockhashValid(params: Params, chain) {
    const hash = str(params, 0, "blockhash");
    chain.producer.tick();
    return withContext(chain, chain.producer.isBlockhashValid(hash));
  },

  getEpochInfo(_p, chain) {
    const block = chain.producer.tick();
    return {
      absoluteSlot: block.slot,
      blockHeight: block.blockHeight,
      ...epochInfo(block.slot, chain.inner.getEpochSchedule()),
      transactionCount: chain.history.size,
    };
  },

  getEpochSchedule(_p, chain) {
    const s = chain.inner.getEpochSchedule();
    return {
      firstNormalEpoch: Number(s.firstNormalEpoch),
      firstNormalSlot: Number(s.firstNormalSlot),
      leaderScheduleSlotOffset: Number(s.leaderScheduleSlotOffset),
      slotsPerEpoch: Number(s.slotsPerEpoch),
      warmup: s.warmup,
    };
  },

  getVersion: () => ({ "solana-core": API_VERSION, "feature-set": 0, "merit-localnet": "litesvm" }),
  getHealth: () => "ok",
  getGenesisHash: () => GENESIS_HASH,
  getIdentity: () => ({ identity: IDENTITY }),
  getSlotLeader: () => IDENTITY,
  getRecentPrioritizationFees: () => [],
  getTransactionCount: (_p, chain) => chain.history.size,
  getFirstAvailableBlock: (_p, chain) => chain.producer.genesisSlot,
  minimumLedgerSlot: (_p, chain) => chain.producer.genesisSlot,

  /**
   * merit extension, not a Solana method: moves chain time forward by `seconds` and/or skips
   * `slots`, opening a new block whose Clock sysvar shows the new time (for timelock tests).
   */
  merit_warp(params: Params, chain) {
    const cfg = config(params, 0);
    const seconds = nonNegative(cfg.seconds, "seconds");
    const slots = nonNegative(cfg.slots, "slots");
    if (seconds === undefined && slots === undefined) throw invalidParams("merit_warp needs { seconds } and/or { slots }");
    const block = chain.warp({ seconds, slots });
    return { slot: block.slot, blockHeight: block.blockHeight, unixTimestamp: block.blockTime };
  },
};
