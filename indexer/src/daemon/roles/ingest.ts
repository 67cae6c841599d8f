import { createHash } from "node:crypto";
import { ingestSettings } from "../../env.js";
import { startIngest, type WatchRules } from "../../ingest/index.js";
import { componentLog } from "../../log.js";
import type { DaemonContext } from "./context.js";
import type { RoleHandle } from "./types.js";

/** One ingest writer per watched set: its lock's name is derived from the set itself. */
export function ingestLockName(rules: WatchRules): string {
  const set = [rules.mints, rules.facilitators, rules.merchants].map((l) => [...l].sort().join(",")).join("|");
  return `merit:ingest:${createHash("sha256").update(set).digest("hex").slice(0, 16)}`;
}

/** The poller over the watched addresses. */
export async function startIngestRole(ctx: DaemonContext): Promise<RoleHandle> {
  const settings = ingestSettings(ctx.cfg);
  const ingest = await startIngest({
    sql: ctx.sql,
    rpcUrl: ctx.rpcUrl,
    rules: ctx.rules,
    ...settings,
    // The local chain confirms at once and finalizes never: read it at "confirmed".
    commitment: ctx.cfg.RPC_URL ? settings.commitment : "confirmed",
    log: componentLog("ingest").line,
  });
  return {
    stop: ingest.stop,
    health: ingest.stats,
    status: () => `${ingest.stats().settlementsInserted} settlements ingested`,
  };
}
