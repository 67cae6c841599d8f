import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import { env, exportToChildren } from "../env.js";
import { UpstreamError } from "../errors.js";
import { connect, type Sql } from "./connection.js";
import { startEmbeddedPostgres } from "./embedded.js";
import { migrate } from "./migrate.js";

/**
 * How every process reaches the database. DATABASE_URL, when set, always wins. Otherwise the data
 * lives in the embedded PGlite under MERIT_DATA_DIR, which only one process may open at a time: the
 * one that opens it serves it on a loopback port and records that URL in a runtime file beside it
 * (removed again on a clean stop). The daemon opens it for as long as it runs; a command connects
 * to the daemon's server when the file names one that answers, and otherwise opens the directory
 * itself for the length of the command. A file whose process is gone is stale and replaced; one
 * whose process lives but does not answer is waited for briefly, then refused with what to do.
 */
export const RUNTIME_FILE = "embedded-pg.json";

export type Owner = "daemon" | "command";

interface Runtime {
  pid: number;
  owner: Owner;
  /** Absent while the owner is still starting the server. */
  url?: string;
}

export interface OpenDatabase {
  sql: Sql;
  url: string;
  /** where the data is: a server named by DATABASE_URL, the daemon's embedded server, or the directory opened here */
  via: "database_url" | "daemon" | "opened_here";
  close(): Promise<void>;
}

/** A served embedded database this process opened: its URL, and the stop that releases the directory. */
export interface ServedDatabase {
  url: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function runtimeFilePath(dataDir: string): string {
  return join(dataDir, RUNTIME_FILE);
}

function readRuntime(file: string): Runtime | undefined {
  try {
    const r = JSON.parse(readFileSync(file, "utf8")) as Runtime;
    return typeof r.pid === "number" ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Signal 0 only checks; EPERM means it exists under another user. */
function alive(pid: number): boolean {
  try {
    return process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The live process other than this one that holds the embedded database in `dataDir`, if any. */
export function embeddedHolder(dataDir: string): { pid: number; owner: Owner } | undefined {
  const held = readRuntime(runtimeFilePath(dataDir));
  return held && held.pid !== process.pid && alive(held.pid) ? { pid: held.pid, owner: held.owner } : undefined;
}

/** Whether a Postgres server answers a query at `url` within a couple of seconds. */
async function answers(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, connect_timeout: 2, idle_timeout: 1, onnotice: () => {} });
  try {
    await probe`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 }).catch(() => {});
  }
}

/**
 * Claims the data directory for this process (the runtime file, created exclusively), waiting up to
 * `waitMs` for a live holder to finish. Returns the server another process runs when `connectTo`
 * accepts that holder, else undefined once this process holds the directory.
 */
async function claimOrFind(
  dataDir: string,
  owner: Owner,
  connectTo: (holder: Runtime) => boolean,
  waitMs: number,
): Promise<Runtime | undefined> {
  const file = runtimeFilePath(dataDir);
  const deadline = Date.now() + waitMs;
  await mkdir(dataDir, { recursive: true });
  for (;;) {
    const held = readRuntime(file);
    if (held && held.pid !== process.pid) {
      const answering = held.url !== undefined && (await answers(held.url));
      if (answering && connectTo(held)) return held;
      if (alive(held.pid)) {
        if (Date.now() < deadline) {
          await sleep(250);
          continue;
        }
        throw busy(dataDir, held, answering);
      }
      // its process is gone (killed, crashed): the file is stale
      rmSync(file, { force: true });
    }
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, owner } satisfies Runtime), { flag: "wx" });
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      // another process claimed it between our read and write: look again
    }
  }
}

function busy(dataDir: string, held: Runtime, answering: boolean): UpstreamError {
  const file = runtimeFilePath(dataDir);
  const what =
    held.owner === "command"
      ? `another merit command (process ${held.pid}) has the embedded database in ${dataDir} open`
      : answering
        ? `a daemon (process ${held.pid}) already serves the embedded database in ${dataDir} at ${held.url}: one daemon per data directory`
        : `the daemon (process ${held.pid}) holds the embedded database in ${dataDir} but does not answer${held.url ? ` at ${held.url}` : ""}`;
  return new UpstreamError(
    "embedded_db_busy",
    `${what}: wait for it to finish, or stop process ${held.pid}; if that process is not merit, delete ${file}. Run \`merit start\` so that commands share the daemon's database`,
    true,
  );
}

/**
 * Opens the embedded database in `dataDir` for this process and serves it (the daemon, or a command
 * while no daemon runs). Refuses when a live process holds it after `waitMs`.
 */
export async function serveEmbedded(dataDir: string, owner: Owner, waitMs = 10_000): Promise<ServedDatabase> {
  await claimOrFind(dataDir, owner, () => false, waitMs);
  return serveClaimed(dataDir, owner);
}

/** Serves the directory this process has claimed; the runtime file gets the URL, and loses it on stop. */
async function serveClaimed(dataDir: string, owner: Owner): Promise<ServedDatabase> {
  const file = runtimeFilePath(dataDir);
  const release = () => {
    if (readRuntime(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  try {
    const pg = await startEmbeddedPostgres({ dataDir: join(dataDir, "pgdata") });
    writeFileSync(file, JSON.stringify({ pid: process.pid, owner, url: pg.url } satisfies Runtime));
    return {
      url: pg.url,
      async stop() {
        // released even when the server's stop fails: the file must never outlive this process's claim
        try {
          await pg.stop();
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * The database for one command: DATABASE_URL; else the daemon's embedded server when it runs;
 * else the embedded data directory opened here (migrated, as the daemon would) until close().
 */
export async function openDatabase(opts: { name: string; max?: number; waitMs?: number }): Promise<OpenDatabase> {
  const e = env();
  if (e.DATABASE_URL) {
    const sql = connect(e.DATABASE_URL, { max: opts.max, name: opts.name });
    return { sql, url: e.DATABASE_URL, via: "database_url", close: () => sql.end() };
  }
  const dataDir = e.MERIT_DATA_DIR;
  const daemon = await claimOrFind(dataDir, "command", (h) => h.owner === "daemon", opts.waitMs ?? 10_000);
  if (daemon?.url) {
    // one session behind the socket: pools to it keep to one connection (connection.ts)
    exportToChildren("MERIT_EMBEDDED_PG_URL", daemon.url);
    const sql = connect(daemon.url, { name: opts.name });
    return { sql, url: daemon.url, via: "daemon", close: () => sql.end() };
  }
  // this process holds the claim now: serve the directory for the length of the command
  const served = await serveClaimed(dataDir, "command");
  const sql = connect(served.url, { name: opts.name });
  try {
    await migrate(sql);
  } catch (err) {
    await sql.end();
    await served.stop();
    throw err;
  }
  return {
    sql,
    url: served.url,
    via: "opened_here",
    async close() {
      await sql.end();
      await served.stop();
    },
  };
}
