import { join } from "node:path";
import { env } from "./env.js";
import { useDatabase } from "./db.js";
import { migrate } from "./db/migrate.js";
import { startEmbeddedPostgres } from "./db/embedded.js";
import { MeritError } from "./errors.js";

/**
 * `npm start`: the whole local stack in one process. Every dependency that is not configured is
 * started in-process (embedded PGlite instead of DATABASE_URL), so a fresh clone runs with no setup.
 */
async function main(): Promise<void> {
  const cfg = env();
  const log = (line: string) => console.log(`[merit] ${line}`);
  const stops: (() => Promise<void>)[] = [];

  let databaseUrl = cfg.DATABASE_URL;
  if (!databaseUrl) {
    const t0 = performance.now();
    const pg = await startEmbeddedPostgres({ dataDir: join(cfg.MERIT_DATA_DIR, "pgdata") });
    stops.push(pg.stop);
    databaseUrl = pg.url;
    log(`embedded Postgres (PGlite) at ${pg.url} in ${Math.round(performance.now() - t0)} ms; set DATABASE_URL to use a real server`);
  }
  const sql = useDatabase(databaseUrl, { name: "merit-daemon" });
  stops.unshift(() => sql.end());
  const { applied, total } = await migrate(sql, { log });
  log(`schema up to date (${total} migrations, ${applied.length} applied now)`);

  log("merit local stack is up: database ready. Ctrl-C to stop.");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    for (const stop of stops) await stop().catch((e) => console.error(e));
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err) => {
  if (err instanceof MeritError && err.kind === "caller") {
    console.error(`merit: ${err.message}`);
  } else {
    console.error(err);
  }
  process.exit(1);
});
