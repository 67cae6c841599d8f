import { readFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import { Connection } from "@solana/web3.js";
import { Hono } from "hono";
import { adminRoutes } from "../../api/admin/routes.js";
import { buildClaimPageIfMissing, claimPageRoutes } from "../../api/claim-page.js";
import { createApp } from "../../api/app.js";
import { opsRoutes } from "../../api/ops/routes.js";
import { signedRoutes } from "../../api/signed/routes.js";
import { eventsRoutes } from "../../api/events/routes.js";
import { catalogRoutes } from "../../catalog/routes.js";
import { unlockablesRoutes } from "../../unlockables/routes.js";
import { publishSettings } from "../../env.js";
import { webhookRoutes } from "../../ingest/index.js";
import { componentLog } from "../../log.js";
import { httpMetrics } from "../../metrics/index.js";
import { portError } from "../../preflight.js";
import { offlineProgram } from "../../publish/chain.js";
import { nextRun, parseSchedule } from "../../publish/schedule.js";
import type { DaemonContext } from "./context.js";
import type { RoleHandle } from "./types.js";

/** merit_build_info's version: the repository's package.json. */
const MERIT_VERSION = (JSON.parse(readFileSync(new URL("../../../../package.json", import.meta.url), "utf8")) as { version: string })
  .version;

/**
 * The HTTP API. It holds no lock: any number of replicas may run. Public reads go to `readSql`
 * (a streaming replica when DATABASE_READ_URL is set); admin and signed writes to the primary.
 * `/health` shows the roles of this process, with their leadership.
 */
export async function startApiRole(ctx: DaemonContext, health: () => unknown): Promise<RoleHandle> {
  const { cfg, sql, readSql, rpcUrl } = ctx;
  const log = componentLog("merit").line;
  // The webhook and the stack's counters sit outside the API's middleware: Helius delivers from a
  // few addresses and must not meet the per-IP rate limit.
  const root = new Hono();
  root.get("/health", (c) => c.json(health() as object, 200));
  if (cfg.HELIUS_WEBHOOK_AUTH)
    root.route(
      "/",
      webhookRoutes({ sql, rules: ctx.rules, authHeader: cfg.HELIUS_WEBHOOK_AUTH, rpcUrl, log: componentLog("webhook").line }),
    );
  const schedule = ctx.epochSchedule ? parseSchedule(ctx.epochSchedule) : undefined;
  const startedAt = Date.now();
  const connection = new Connection(rpcUrl, "confirmed");
  const publishConnection = new Connection(rpcUrl, cfg.RPC_URL ? "finalized" : "confirmed");
  const publisher = ctx.publisherSigner
    ? {
        connection: publishConnection,
        dataDir: cfg.MERIT_DATA_DIR,
        signer: ctx.publisherSigner,
        send: publishSettings(cfg),
        log: componentLog("publish").line,
        program: offlineProgram(publishConnection, cfg.MERIT_PROGRAM_ID),
      }
    : undefined;
  const api = createApp({
    sql: readSql,
    connection,
    dataDir: cfg.MERIT_DATA_DIR,
    programId: cfg.MERIT_PROGRAM_ID,
    nextEpochClose: () => (schedule ? new Date(nextRun(schedule, Date.now(), startedAt)) : null),
    corsOrigins: cfg.API_CORS_ORIGINS,
    rateLimitPerMinute: cfg.API_RATE_LIMIT_PER_MINUTE,
    middleware: [httpMetrics()],
    routers: [
      { path: "/v1", router: signedRoutes({ sql }) },
      { path: "/v1", router: eventsRoutes({ sql, replayWindowSeconds: cfg.EVENTS_REPLAY_WINDOW_SECONDS }) },
      { path: "/v1", router: catalogRoutes({ sql }) },
      { path: "/v1", router: unlockablesRoutes({ sql }) },
      {
        path: "/v1/admin",
        router: adminRoutes({ sql, adminToken: cfg.ADMIN_TOKEN, dataDir: cfg.MERIT_DATA_DIR, publisher, log: componentLog("admin").line }),
      },
      {
        path: "/",
        router: opsRoutes({
          sql: readSql,
          rpcUrl,
          maxIngestLagSeconds: cfg.READY_MAX_INGEST_LAG_SECONDS,
          chain: { connection, programId: cfg.MERIT_PROGRAM_ID },
          version: MERIT_VERSION,
        }),
      },
    ],
  });
  // The claim page is the API's own origin; the chain it reads is the local one, or CLAIM_PAGE_RPC_URL.
  root.route("/", claimPageRoutes({ rpcUrl: cfg.CLAIM_PAGE_RPC_URL ?? (cfg.RPC_URL ? undefined : rpcUrl) }));
  const pageBuild = new AbortController();
  void buildClaimPageIfMissing(componentLog("claim-page").line, pageBuild.signal);
  root.route("/", api);
  const server = serve({ fetch: root.fetch, hostname: cfg.API_HOST, port: cfg.API_PORT });
  // taken since the preflight check: still one line, before the stack says it is up
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(portError(cfg.API_HOST, cfg.API_PORT, "API_PORT", "the API", err.code ?? "error")),
    );
  });
  log(
    `api: http://${cfg.API_HOST}:${cfg.API_PORT}/v1 (reference at /docs, /openapi.json)${cfg.HELIUS_WEBHOOK_AUTH ? ", POST /webhooks/helius" : ""}${readSql === sql ? "" : "; public reads from DATABASE_READ_URL"}`,
  );
  log(`claim page: http://${cfg.API_HOST}:${cfg.API_PORT}/claim/ (wallet holders connect a wallet and claim there)`);
  return {
    stop: async () => {
      pageBuild.abort();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
