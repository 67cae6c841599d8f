import { Connection, Keypair } from "@solana/web3.js";
import { MEMO_PROGRAM_ID, createDemoWorld, startDemoTraffic, type DemoWorld } from "@merit/localnet/demo";
import type { Sql } from "../db/connection.js";
import { latestRuleSetVersion, publishRuleSet } from "../rules/rule-sets.js";
import type { RuleSetInput } from "../rules/schema.js";
import { watchRules, type WatchRules } from "../ingest/index.js";
import { ensureDemoGraph } from "./demo-accounts.js";
import { keptKeypair, keptKeypairs } from "./keys.js";

/** The demo payers' keys under `<dataDir>/dev/keys/`. */
export const DEMO_PAYERS_FILE = "demo-payers";
/** Payers of the local stack's demo: enough for a leaderboard, referral chains and linked addresses. */
export const DEMO_PAYERS = 300;
/** Settlements per traffic tick: every payer pays within the first minute or so. */
const DEMO_PER_TICK = 5;

/**
 * The development scenario `npm start` runs when no RPC_URL is configured: a facilitator, three
 * merchants and a few hundred payers on the local chain (some referred by others, some paying from
 * a second, linked address), x402-style payments from each payer in turn, and a starter rule set
 * with a running campaign, so every stage of the pipeline has work to show.
 */
export const DEMO_RULES: RuleSetInput = {
  // 1 point (1000 millipoints) per whole token of volume
  earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000n, rounding: "floor" }],
  rules: [{ id: "first-payment", priority: 0, when: { firstSettlement: true }, award: { kind: "flat", points: 5000n } }],
  tiers: {
    windowDays: 30,
    levels: [
      { name: "bronze", minVolume: 0n, multiplierBps: 10000 },
      { name: "silver", minVolume: 100_000_000n, multiplierBps: 11000 },
      { name: "gold", minVolume: 1_000_000_000n, multiplierBps: 12500 },
    ],
  },
  campaigns: [
    {
      id: "launch-2x",
      name: "Launch week double points",
      type: "multiplier",
      multiplierBps: 20000,
      startsAt: new Date(Date.now() - 3600_000).toISOString(),
      endsAt: new Date(Date.now() + 7 * 86400_000).toISOString(),
      budget: 1_000_000_000n,
    },
  ],
  referral: { model: "diminishing", userShareBps: 5000, levelShareBps: 8000, levels: 3 },
};

export interface Demo {
  world: DemoWorld;
  rules: WatchRules;
  stop(): Promise<void>;
}

/**
 * `dataDir`: keep every key of the world there (mint, its authority, facilitator, merchants,
 * payers), so a restart on the same chain finds the same world, and the same demo wallets pay (and
 * can claim) across restarts.
 */
export async function startDemo(opts: {
  sql: Sql;
  rpcUrl: string;
  dataDir?: string;
  payers?: number;
  intervalMs?: number;
  log: (line: string) => void;
}): Promise<Demo> {
  const connection = new Connection(opts.rpcUrl, "confirmed");
  const t0 = performance.now();
  const n = opts.payers ?? DEMO_PAYERS;
  const d = opts.dataDir;
  const kept = (name: string, count: number) =>
    d ? keptKeypairs(d, name, count) : Array.from({ length: count }, () => Keypair.generate());
  const one = (name: string) => (d ? keptKeypair(d, name) : Keypair.generate());
  const keys = {
    authority: one("demo-mint-authority"),
    mint: one("demo-mint"),
    facilitator: one("demo-facilitator"),
    merchants: kept("demo-merchants", 3),
    payers: kept(DEMO_PAYERS_FILE, n),
  };
  // The chain's part and the database's part are independent: done side by side. The graph is made
  // before any traffic: a referral is adopted before the referee's first settlement.
  const timed = async <T>(p: Promise<T>): Promise<[T, number]> => [await p, Math.round(performance.now() - t0)];
  const [[world, worldMs], [graph, graphMs]] = await Promise.all([
    timed(createDemoWorld(connection, { keys })),
    timed(ensureDemoGraph(opts.sql, keys.payers)),
  ]);
  if ((await latestRuleSetVersion(opts.sql)) === 0n) {
    const rs = await publishRuleSet(opts.sql, { body: DEMO_RULES, createdBy: "npm-start", note: "development demo rules" });
    opts.log(`published demo rule set v${rs.version}`);
  }
  // x402 payment references travel in a memo; a cluster without the Memo program gets plain transfers.
  const memo = (await connection.getAccountInfo(MEMO_PROGRAM_ID))?.executable === true;
  const traffic = startDemoTraffic(connection, world, { intervalMs: opts.intervalMs ?? 1000, perTick: DEMO_PER_TICK, memo, log: () => {} });
  opts.log(
    `demo: mint ${world.mint.toBase58()}, facilitator ${world.facilitator.publicKey.toBase58()}, ${world.merchants.length} merchants, ${world.payers.length} payers, ${graph.referrals} referrals, ${graph.links} linked addresses (chain ${worldMs} ms, accounts ${graphMs} ms)`,
  );
  return {
    world,
    rules: watchRules({
      mints: [world.mint.toBase58()],
      facilitators: [world.facilitator.publicKey.toBase58()],
      merchants: world.merchants.map((m) => m.publicKey.toBase58()),
    }),
    stop: traffic.stop,
  };
}
