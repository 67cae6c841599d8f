import { join } from "node:path";
import { startLocalnet } from "@merit/localnet";
import type { DemoWorld } from "@merit/localnet/demo";
import { Connection } from "@solana/web3.js";
import { conversionSettings, env } from "../env.js";
import { connect } from "../db/connection.js";
import { componentLog, flushLogs, logger } from "../log.js";
import { migrate } from "../db/migrate.js";
import { serveEmbedded } from "../db/open.js";
import { exitCodeFor } from "../cli/exit.js";
import { MeritError } from "../errors.js";
import { watchRules, type WatchRules } from "../ingest/index.js";
import { offlineProgram } from "../publish/chain.js";
import { ensureConfiguredDistributor } from "../publish/configured.js";
import { publisherKeypair } from "../publish/keypair.js";
import { startDemo } from "../dev/demo.js";
import { DEV_EPOCH_SCHEDULE } from "../dev/lifecycle.js";
import { assertDatabaseAnswers, assertDataDirFree, assertPortFree } from "../preflight.js";
import { lead, type Leadership } from "./leadership.js";
import { startApiRole } from "./roles/api.js";
import type { DaemonContext } from "./roles/context.js";
import { ENGINE_LOCK, startEngineRole } from "./roles/engine.js";
import { EPOCHS_LOCK, startEpochsRole } from "./roles/epochs.js";
import { ingestLockName, startIngestRole } from "./roles/ingest.js";
import type { Role } from "./roles/names.js";
import type { RoleHandle } from "./roles/types.js";

export interface RunOptions {
  /** `merit start --roles`; default MERIT_ROLES (every role). */
  roles?: Role[];
}

/**
 * `merit start` / `npm start`: the roles this process runs (ingest, engine, epochs, api), each a
 * starter in roles/ returning its stop. Every dependency that is not configured is started
 * in-process — embedded PGlite instead of DATABASE_URL, the local chain (with demo settlement
 * traffic) instead of RPC_URL — so a fresh clone runs with no setup. Several processes over one
 * Postgres share the work: each writer role runs in one of them at a time (leadership.ts).
 */
async function run(opts: RunOptions): Promise<void> {
  const cfg = env();
  const roles = opts.roles ?? cfg.MERIT_ROLES;
  const has = (r: Role) => roles.includes(r);
  const log = componentLog("merit").line;
  // Stopped in reverse order of start: producers before the database they write to.
  const stops: (() => Promise<void>)[] = [];

  // Everything that can be refused is checked before anything starts or says it is up.
  const chainHistory = join(cfg.MERIT_DATA_DIR, "localnet", "ledger.jsonl");
  assertDataDirFree(cfg.MERIT_DATA_DIR, { embedded: !cfg.DATABASE_URL, chainHistory: cfg.RPC_URL ? undefined : chainHistory });
  const publisherSigner = cfg.PUBLISHER_KEYPAIR || cfg.PUBLISHER_SECRET_KEY ? publisherKeypair(cfg) : undefined;
  if (has("api")) await assertPortFree(cfg.API_HOST, cfg.API_PORT, "API_PORT", "the API");
  if (!cfg.RPC_URL && cfg.LOCALNET_PORT !== 0) {
    await assertPortFree("127.0.0.1", cfg.LOCALNET_PORT, "LOCALNET_PORT", "the local chain's");
    await assertPortFree("127.0.0.1", cfg.LOCALNET_PORT + 1, "LOCALNET_PORT", "the local chain's WebSocket (LOCALNET_PORT + 1)");
  }
  if (cfg.DATABASE_URL) await assertDatabaseAnswers(cfg.DATABASE_URL);
  if (cfg.DATABASE_READ_URL) await assertDatabaseAnswers(cfg.DATABASE_READ_URL);

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
  const readSql = cfg.DATABASE_READ_URL ? connect(cfg.DATABASE_READ_URL, { name: "merit-api-read" }) : sql;
  if (readSql !== sql) stops.unshift(() => readSql.end());

  let rpcUrl = cfg.RPC_URL;
  let rules: WatchRules;
  let demoWorld: DemoWorld | undefined;
  if (!rpcUrl) {
    const t0 = performance.now();
    const chain = await startLocalnet({ port: cfg.LOCALNET_PORT, historyFile: chainHistory, log: componentLog("localnet").line });
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
    // the configured distributor ([distributor] address), registered for the epochs role with its conversion
    if (cfg.DISTRIBUTOR_ADDRESS) {
      const c = new Connection(rpcUrl, "finalized");
      await ensureConfiguredDistributor(sql, c, {
        address: cfg.DISTRIBUTOR_ADDRESS,
        conversion: conversionSettings(cfg),
        program: offlineProgram(c, cfg.MERIT_PROGRAM_ID),
        log,
      });
    }
  }

  const apiHost = ["0.0.0.0", "::"].includes(cfg.API_HOST) ? "127.0.0.1" : cfg.API_HOST;
  const ctx: DaemonContext = {
    cfg,
    sql,
    readSql,
    embedded: !cfg.DATABASE_URL,
    rpcUrl,
    rules,
    demoWorld,
    publisherSigner,
    epochSchedule: cfg.EPOCH_SCHEDULE ?? (demoWorld ? DEV_EPOCH_SCHEDULE : undefined),
    apiUrl: `http://${apiHost.includes(":") ? `[${apiHost}]` : apiHost}:${cfg.API_PORT}`,
    roles,
    leadership: {},
  };

  // The writer roles, each led by one process per database (per watched set for ingest). The
  // engine and the epochs start after the API, so the sample claim finds it answering.
  const led = async (role: Exclude<Role, "api">, lockName: string, start: () => Promise<RoleHandle>) => {
    if (!has(role)) return;
    const l: Leadership = await lead({
      role,
      lockName,
      lockSession: () => connect(databaseUrl, { max: 1, name: `merit-${role}-lock` }),
      exclusive: !ctx.embedded,
      log: componentLog(role).line,
      start,
    });
    ctx.leadership[role] = l;
    stops.unshift(l.stop);
  };
  const health = () => {
    const of = (r: Exclude<Role, "api">) => ctx.leadership[r]?.handle()?.health?.() ?? null;
    const leadership = Object.fromEntries(Object.entries(ctx.leadership).map(([r, l]) => [r, l.state()]));
    return { ok: true, roles, leadership, ingest: of("ingest"), engine: of("engine") };
  };
  await led("ingest", ingestLockName(rules), () => startIngestRole(ctx));
  if (has("api")) stops.unshift((await startApiRole(ctx, health)).stop);
  await led("engine", ENGINE_LOCK, () => startEngineRole(ctx));
  await led("epochs", EPOCHS_LOCK, () => startEpochsRole(ctx));

  log(`merit ${roles.length === 4 ? "local stack" : `(${roles.join(", ")})`} is up: ${describe(ctx)}. Ctrl-C to stop.`);

  const status = setInterval(() => {
    const parts = (["ingest", "engine", "epochs"] as const).flatMap((r) => {
      const l = ctx.leadership[r];
      if (!l) return [];
      const s = l.handle()?.status?.();
      return [l.state() === "standby" ? `${r} standing by` : s];
    });
    const line = parts.filter(Boolean).join("; ");
    if (line) log(`status: ${line}`);
  }, 10_000);
  stops.unshift(async () => clearInterval(status));
  handleSignals(stops, cfg.npm_command !== undefined);
}

function describe(ctx: DaemonContext): string {
  const all = ["database", ...(ctx.cfg.RPC_URL ? [] : ["chain"]), ...ctx.roles];
  return all.join(", ");
}

/**
 * SIGINT and SIGTERM stop every role in reverse order of start; each lets its batch in hand commit
 * (their stop functions), then the databases close and the process exits 0.
 */
function handleSignals(stops: (() => Promise<void>)[], underNpm: boolean): void {
  const log = componentLog("merit").line;
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
  if (underNpm) {
    const parent = process.ppid;
    setInterval(() => process.ppid !== parent && void shutdown("parent exited"), 250).unref();
  }
}

function ms(t0: number): string {
  return `${Math.round(performance.now() - t0)} ms`;
}

/** Runs the daemon until a signal; a start-up failure ends the process with its exit code. */
export async function runDaemon(opts: RunOptions = {}): Promise<void> {
  await run(opts).catch((err: unknown) => {
    // A configuration error, or a data directory another process holds, is one line saying what to
    // do; anything else is logged whole.
    if (err instanceof MeritError && err.kind !== "bug") process.stderr.write(`merit: ${err.message}\n`);
    else {
      logger().fatal({ err }, "start-up failed");
      flushLogs();
    }
    process.exit(exitCodeFor(err));
  });
}
