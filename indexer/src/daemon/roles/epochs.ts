import { Connection } from "@solana/web3.js";
import { publishSettings } from "../../env.js";
import { componentLog } from "../../log.js";
import { offlineProgram } from "../../publish/chain.js";
import { startEpochs } from "../../publish/daemon.js";
import { startVaultMonitor } from "../../publish/vault.js";
import { startDevLifecycle } from "../../dev/lifecycle.js";
import type { DaemonContext } from "./context.js";
import type { RoleHandle } from "./types.js";

/** One publisher per database: it closes and publishes every distributor's epochs. */
export const EPOCHS_LOCK = "merit:epochs";

/**
 * The epoch close and publish schedule. On the local stack it is the whole reward half (a
 * distributor, the schedule and a sample claim: dev/lifecycle.ts); on a cluster it needs
 * EPOCH_SCHEDULE and the publisher's key, and without them it says so and does nothing.
 */
export async function startEpochsRole(ctx: DaemonContext): Promise<RoleHandle> {
  const connection = new Connection(ctx.rpcUrl, ctx.cfg.RPC_URL ? "finalized" : "confirmed");
  // Read-only: warns (log, metric, webhook) when a vault holds less than it owes plus the next epoch.
  const vaults = startVaultMonitor({
    sql: ctx.sql,
    connection,
    program: offlineProgram(connection, ctx.cfg.MERIT_PROGRAM_ID),
    webhookUrl: ctx.cfg.VAULT_ALERT_WEBHOOK_URL,
    log: componentLog("vault").line,
  });
  const epochs = await startEpochSchedule(ctx, connection);
  return {
    ...epochs,
    stop: async () => {
      await vaults.stop();
      await epochs.stop();
    },
  };
}

async function startEpochSchedule(ctx: DaemonContext, connection: Connection): Promise<RoleHandle> {
  const log = componentLog(ctx.demoWorld ? "rewards" : "epochs").line;
  if (ctx.demoWorld && ctx.epochSchedule) {
    const rewards = await startDevLifecycle({
      sql: ctx.sql,
      connection,
      dataDir: ctx.cfg.MERIT_DATA_DIR,
      rpcUrl: ctx.rpcUrl,
      apiUrl: ctx.apiUrl,
      world: ctx.demoWorld,
      schedule: ctx.epochSchedule,
      send: publishSettings(ctx.cfg),
      programId: ctx.cfg.MERIT_PROGRAM_ID,
      log,
    });
    return { stop: rewards.stop, status: () => rewards.status().replace(/^; /, "") };
  }
  if (!ctx.epochSchedule || !ctx.publisherSigner) {
    log("epochs: not closing epochs: that takes EPOCH_SCHEDULE and a publisher key (PUBLISHER_KEYPAIR or PUBLISHER_SECRET_KEY)");
    return { stop: async () => {} };
  }
  const daemon = startEpochs({
    sql: ctx.sql,
    connection,
    dataDir: ctx.cfg.MERIT_DATA_DIR,
    signer: ctx.publisherSigner,
    send: publishSettings(ctx.cfg),
    schedule: ctx.epochSchedule,
    log,
    program: offlineProgram(connection, ctx.cfg.MERIT_PROGRAM_ID),
  });
  return { stop: daemon.stop };
}
