import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { Connection } from "@solana/web3.js";
import { startLocalnet } from "@merit/localnet";
import { conversionSettings, env, ingestSettings, publishSettings } from "./env.js";
import { connect, supportsCopy } from "./db/connection.js";
import { componentLog, flushLogs, logger } from "./log.js";
import { migrate } from "./db/migrate.js";
import { serveEmbedded } from "./db/open.js";
import { exitCodeFor } from "./cli/exit.js";
import { MeritError } from "./errors.js";
import { getIngestWatermark, startIngest, watchRules, webhookRoutes, type WatchRules } from "./ingest/index.js";
import { startEngine } from "./engine/index.js";
import { createApp } from "./api/app.js";
import { adminRoutes } from "./api/admin/routes.js";
import { opsRoutes } from "./api/ops/routes.js";
import { signedRoutes } from "./api/signed/routes.js";
import { httpMetrics } from "./metrics/index.js";
import { offlineProgram } from "./publish/chain.js";
import { publisherKeypair } from "./publish/keypair.js";
import { ensureConfiguredDistributor } from "./publish/configured.js";
import { nextRun, parseSchedule } from "./publish/schedule.js";
import { startDemo } from "./dev/demo.js";
import { DEV_EPOCH_SCHEDULE, startDevLifecycle } from "./dev/lifecycle.js";
import type { DemoWorld } from "@merit/localnet/demo";
import { assertDatabaseAnswers, assertDataDirFree, assertPortFree, portError } from "./preflight.js";

/** merit_build_info's version: the repository's package.json. */
const MERIT_VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/**
 * `npm start`: the whole local stack in one process. Every dependency that is not configured is
 * started in-process — embedded PGlite instead of DATABASE_URL, the local chain (with demo
 * settlement traffic) instead of RPC_URL — so a fresh clone runs with no setup.
 */
async function main(): Promise<void> {
  const cfg = env();
  const log = componentLog("merit").line;
  // Stopped in reverse order of start: producers before the database they write to.
  const stops: (() => Promise<void>)[] = [];

  // Everything that can be refused is checked before anything starts or says it is up.
  const chainHistory = join(cfg.MERIT_DATA_DIR, "localnet", "ledger.jsonl");
  assertDataDirFree(cfg.MERIT_DATA_DIR, { embedded: !cfg.DATABASE_URL, chainHistory: cfg.RPC_URL ? undefined : chainHistory });
  const publisherSigner = cfg.PUBLISHER_KEYPAIR || cfg.PUBLISHER_SECRET_KEY ? publisherKeypair(cfg) : undefined;
  await assertPortFree(cfg.API_HOST, cfg.API_PORT, "API_PORT", "the API");
  if (!cfg.RPC_URL && cfg.LOCALNET_PORT !== 0) {
    await assertPortFree("127.0.0.1", cfg.LOCALNET_PORT, "LOCALNET_PORT", "the local chain's");
    await assertPortFree("127.0.0.1", cfg.LOCALNET_PORT + 1, "LOCALNET_PORT", "the local chain's WebSocket (LOCALNET_PORT + 1)");
  }
  if (cfg.DATABASE_URL) await assertDatabaseAnswers(cfg.DATABASE_URL);

  let databaseUrl = cfg.DATABASE_URL;
  if (!databaseUrl) {
    const t0 = performance.now();
    // the URL goes to a runtime file beside the data, so `merit` commands find this server
    const pg = await serveEmbedded(cfg.MERIT_DATA_DIR, "daemon");
    stops.unshift(pg.stop);
    databaseUrl = pg.url;
    log(`database: embedded PGlite at ${pg.url} (${ms(t0)}); set DATABASE_URL for a real server`);
  }
  const sql = connect(databaseUrl, { name: "merit-daemon" });
  stops.unshift(() => sql.end());
  const { applied, total } = await migrate(sql, { log: componentLog("db").line });
  log(`database: schema up to date (${total} migrations, ${applied.length} applied now)`);

  let rpcUrl = cfg.RPC_URL;
  let rules: WatchRules;
  let demoWorld: DemoWorld | undefined;
  if (!rpcUrl) {
    const t0 = performance.now();
    const chain = await startLocalnet({
      port: cfg.LOCALNET_PORT,
      historyFile: chainHistory,
      log: componentLog("localnet").line,
    });
    stops.unshift(chain.stop);
    rpcUrl = chain.url;
    log(`chain: local development chain at ${chain.url} (ws ${chain.wsUrl}) (${ms(t0)}); set RPC_URL for a real cluster`);
    const demo = await startDemo({ sql, rpcUrl, dataDir: cfg.MERIT_DATA_DIR, log: componentLog("demo").line });
    stops.unshift(demo.stop);
    rules = demo.rules;
    demoWorld = demo.world;
  } else {
    rules = watchRules({ mints: cfg.WATCH_MINTS, facilitators: cfg.WATCH_FACILITATORS, merchants: cfg.WATCH_MERCHANTS });
    log(`chain: ${rpcUrl} at ${cfg.RPC_COMMITMENT}`);
    // the configured distributor ([distributor] address), registered for the epochs daemon with its conversion
    if (cfg.DISTRIBUTOR_ADDRESS) {
      const c = new Connection(rpcUrl, "finalized");
      const o = {
        address: cfg.DISTRIBUTOR_ADDRESS,
        conversion: conversionSettings(cfg),
        program: offlineProgram(c, cfg.MERIT_PROGRAM_ID),
        log,
      };
      await ensureConfiguredDistributor(sql, c, o);
    }
  }

  // The local chain confirms at once and finalizes never: read it at "confirmed".
  const settings = ingestSettings(cfg);
  const ingest = await startIngest({
    sql,
    rpcUrl,
    rules,
    ...settings,
    commitment: cfg.RPC_URL ? settings.commitment : "confirmed",
    log: componentLog("ingest").line,
  });
  stops.unshift(ingest.stop);
  // One line per scored batch is debug detail; the status line below summarises.
  const engineLogger = componentLog("engine");
  const engineLog = (line: string) => (line.startsWith("engine: scored") ? engineLogger.debug(line) : engineLogger.line(line));
  // Scoring stays below ingest's completed slot, so a late-arriving earlier settlement can never be
  // scored after a later one (chain order is what makes the ledger reproducible).
  const engine = await startEngine({
    sql,
    pollIntervalMs: cfg.POLL_INTERVAL_MS,
    // The embedded PGlite takes the batch's ledger as one multi-row insert (no COPY): keep it small.
    batchSize: supportsCopy(sql) ? cfg.ENGINE_BATCH_SIZE : Math.min(cfg.ENGINE_BATCH_SIZE, 5000),
    checkpointEvery: cfg.ENGINE_CHECKPOINT_EVERY,
    maxSlot: async () => (await getIngestWatermark(sql)) ?? -1n,
    log: engineLog,
  });
  stops.unshift(engine.stop);

  // The webhook and the stack's counters sit outside the API's middleware: Helius delivers from a
  // few addresses and must not meet the per-IP rate limit.
  const root = new Hono();
  root.get("/health", (c) => c.json({ ok: true, ingest: ingest.stats(), engine: engine.stats() }, 200));
  if (cfg.HELIUS_WEBHOOK_AUTH)
    root.route("/", webhookRoutes({ sql, rules, authHeader: cfg.HELIUS_WEBHOOK_AUTH, rpcUrl, log: componentLog("webhook").line }));
  const epochSchedule = cfg.EPOCH_SCHEDULE ?? (demoWorld ? DEV_EPOCH_SCHEDULE : undefined);
  const schedule = epochSchedule ? parseSchedule(epochSchedule) : undefined;
  const startedAt = Date.now();
  const connection = new Connection(rpcUrl, "confirmed");
  const publishConnection = new Connection(rpcUrl, cfg.RPC_URL ? "finalized" : "confirmed");
  const publisher = publisherSigner
    ? {
        connection: publishConnection,
        dataDir: cfg.MERIT_DATA_DIR,
        signer: publisherSigner,
        send: publishSettings(cfg),
        log: componentLog("publish").line,
        program: offlineProgram(publishConnection, cfg.MERIT_PROGRAM_ID),
      }
    : undefined;
  const api = createApp({
    sql,
    connection,
    dataDir: cfg.MERIT_DATA_DIR,
    programId: cfg.MERIT_PROGRAM_ID,
    nextEpochClose: () => (schedule ? new Date(nextRun(schedule, Date.now(), startedAt)) : null),
    corsOrigins: cfg.API_CORS_ORIGINS,
    rateLimitPerMinute: cfg.API_RATE_LIMIT_PER_MINUTE,
    middleware: [httpMetrics()],
    routers: [
      { path: "/v1", router: signedRoutes({ sql }) },
      {
        path: "/v1/admin",
        router: adminRoutes({ sql, adminToken: cfg.ADMIN_TOKEN, dataDir: cfg.MERIT_DATA_DIR, publisher, log: componentLog("admin").line }),
      },
      {
        path: "/",
        router: opsRoutes({
          sql,
          rpcUrl,
          maxIngestLagSeconds: cfg.READY_MAX_INGEST_LAG_SECONDS,
          chain: { connection, programId: cfg.MERIT_PROGRAM_ID },
          version: MERIT_VERSION,
        }),
      },
    ],
  });
  root.route("/", api);
  const server = serve({ fetch: root.fetch, hostname: cfg.API_HOST, port: cfg.API_PORT });
  stops.unshift(() => new Promise<void>((r) => server.close(() => r())));
  // taken since the check above: still one line, before the stack says it is up
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(portError(cfg.API_HOST, cfg.API_PORT, "API_PORT", "the API", err.code ?? "error")),
    );
  });
  log(
    `api: http://${cfg.API_HOST}:${cfg.API_PORT}/v1 (reference at /docs, /openapi.json)${cfg.HELIUS_WEBHOOK_AUTH ? ", POST /webhooks/helius" : ""}`,
  );

  // The local stack's rewards: a distributor, the epochs daemon and a sample claim (dev/lifecycle.ts).
  const apiHost = ["0.0.0.0", "::"].includes(cfg.API_HOST) ? "127.0.0.1" : cfg.API_HOST;
  const rewards =
    demoWorld && epochSchedule
      ? await startDevLifecycle({
          sql,
          connection: publishConnection,
          dataDir: cfg.MERIT_DATA_DIR,
          rpcUrl,
          apiUrl: `http://${apiHost.includes(":") ? `[${apiHost}]` : apiHost}:${cfg.API_PORT}`,
          world: demoWorld,
          schedule: epochSchedule,
          send: publishSettings(cfg),
          programId: cfg.MERIT_PROGRAM_ID,
          log: componentLog("rewards").line,
        })
      : undefined;
  if (rewards) stops.unshift(rewards.stop);

  log("merit local stack is up: database, chain, ingest and rewards engine running. Ctrl-C to stop.");

  const status = setInterval(() => {
    const i = ingest.stats();
    const e = engine.stats();
    log(
      `status: ${i.settlementsInserted} settlements ingested, ${e.settlements} scored into ${e.ledgerRows} ledger rows${rewards?.status() ?? ""}`,
    );
  }, 10_000);
  stops.unshift(async () => clearInterval(status));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    // A component that hangs on stop must not keep the ports: a stop is promised within seconds.
    setTimeout(() => {
      process.stderr.write("merit: components did not stop within 4.5 s; exiting anyway\n");
      process.exit(1);
    }, 4500).unref();
    for (const stop of stops) await stop().catch((err) => logger().error({ err }, "stopping failed"));
    flushLogs();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  // While stopping, a request still in flight to a component already stopped (the local chain) may
  // fail with nobody left to await it: that must not kill the process before the embedded
  // database is released. Outside a stop, an unhandled rejection stays fatal.
  process.on("unhandledRejection", (err) => {
    if (stopping) return logger().debug({ err }, "ignored while stopping");
    logger().fatal({ err }, "unhandled rejection");
    flushLogs();
    process.exit(1);
  });
  // Under npx (and npm without exec) node runs below `sh -c`, which the signal npm passes on kills
  // without passing it further: once that parent is gone, stop as if signalled.
  if (cfg.npm_command) {
    const parent = process.ppid;
    setInterval(() => process.ppid !== parent && void shutdown("parent exited"), 250).unref();
  }
}

function ms(t0: number): string {
  return `${Math.round(performance.now() - t0)} ms`;
}

main().catch((err) => {
  // A configuration error, or a data directory another process holds, is one line saying what to
  // do; anything else is logged whole.
  if (err instanceof MeritError && err.kind !== "bug") process.stderr.write(`merit: ${err.message}\n`);
  else {
    logger().fatal({ err }, "start-up failed");
    flushLogs();
  }
  process.exit(exitCodeFor(err));
});
