import { Connection } from "@solana/web3.js";
import { MEMO_PROGRAM_ID, createDemoWorld, startDemoTraffic, type DemoWorld } from "@merit/localnet/demo";
import type { Sql } from "../db/connection.js";
import { latestRuleSetVersion, publishRuleSet } from "../rules/rule-sets.js";
import type { RuleSetInput } from "../rules/schema.js";
import { watchRules, type WatchRules } from "../ingest/index.js";
import { keptKeypair, keptKeypairs } from "./keys.js";

/** The demo payers' keys under `<dataDir>/dev/keys/`. */
export const DEMO_PAYERS_FILE = "demo-payers";

/**
 * The development scenario `npm start` runs when no RPC_URL is configured: a facilitator, three
 * merchants and eight payers on the local chain, x402-style payments every couple of seconds, and
 * a starter rule set, so every stage of the pipeline has work to show.
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
 * `dataDir`: keep the world's keys there, so the same demo wallets pay (and can claim) across
 * restarts, and ingest watches the same mint, facilitator and merchants: a settlement confirmed
 * just before a crash is still ingested by the next start.
 */
export async function startDemo(opts: {
  sql: Sql;
  rpcUrl: string;
  dataDir?: string;
  intervalMs?: number;
  log: (line: string) => void;
}): Promise<Demo> {
  const connection = new Connection(opts.rpcUrl, "confirmed");
  const world = await createDemoWorld(connection, {
    payerKeys: opts.dataDir ? keptKeypairs(opts.dataDir, DEMO_PAYERS_FILE, 8) : undefined,
    keys: opts.dataDir
      ? {
          authority: keptKeypair(opts.dataDir, "demo-mint-authority"),
          mint: keptKeypair(opts.dataDir, "demo-mint"),
          facilitator: keptKeypair(opts.dataDir, "demo-facilitator"),
          merchants: keptKeypairs(opts.dataDir, "demo-merchants", 3),
        }
      : undefined,
  });
  if ((await latestRuleSetVersion(opts.sql)) === 0n) {
    const rs = await publishRuleSet(opts.sql, { body: DEMO_RULES, createdBy: "npm-start", note: "development demo rules" });
    opts.log(`published demo rule set v${rs.version}`);
  }
  // x402 payment references travel in a memo; a cluster without the Memo program gets plain transfers.
  const memo = (await connection.getAccountInfo(MEMO_PROGRAM_ID))?.executable === true;
  const traffic = startDemoTraffic(connection, world, { intervalMs: opts.intervalMs ?? 2000, memo, log: () => {} });
  opts.log(
    `demo: mint ${world.mint.toBase58()}, facilitator ${world.facilitator.publicKey.toBase58()}, ${world.merchants.length} merchants, ${world.payers.length} payers`,
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
