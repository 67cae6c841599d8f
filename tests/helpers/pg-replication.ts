import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./stack.js";

/**
 * A primary and a hot standby streaming from it, with Debian's PostgreSQL server binaries (the
 * newest under /usr/lib/postgresql, or PG_BIN): `pg_basebackup -R` copies the primary and writes
 * the standby's connection settings, as an operator sets up a read replica. fsync is off: these
 * clusters are thrown away.
 */
export interface ReplicatedPostgres {
  primaryUrl: string;
  replicaUrl: string;
  stop(): void;
}

export function postgresBin(): string | undefined {
  if (process.env.PG_BIN) return existsSync(join(process.env.PG_BIN, "pg_basebackup")) ? process.env.PG_BIN : undefined;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "pg_basebackup")) && existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(a) - Number(b));
  return versions.length ? join(root, versions.at(-1)!, "bin") : undefined;
}

export async function startReplicatedPostgres(bin: string): Promise<ReplicatedPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "merit-pg-repl-"));
  const asRoot = process.getuid?.() === 0;
  // initdb and the server refuse to run as root: run them as the postgres user then.
  const exec = (name: string, args: string[]) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, name), ...args], { stdio: "pipe" })
      : execFileSync(join(bin, name), args, { stdio: "pipe" });
  if (asRoot) execFileSync("chown", ["postgres:postgres", dir]);
  const [pPort, rPort] = [await freePort(), await freePort()];
  const opts = (port: number) =>
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100`;
  const primary = join(dir, "primary");
  const replica = join(dir, "replica");
  // trust for replication from loopback too (initdb's defaults have it; said here so it stays true)
  exec("initdb", ["-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
  exec("pg_ctl", ["-D", primary, "-l", join(dir, "primary.log"), "-w", "-o", `${opts(pPort)} -c wal_level=replica`, "start"]);
  const stopAll = () => {
    for (const d of [replica, primary]) {
      if (existsSync(join(d, "postmaster.pid"))) {
        try {
          exec("pg_ctl", ["-D", d, "-m", "immediate", "-w", "stop"]);
        } catch {
          // already gone
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    exec("pg_basebackup", ["-h", "127.0.0.1", "-p", String(pPort), "-U", "postgres", "-D", replica, "-R", "-X", "stream"]);
    exec("pg_ctl", ["-D", replica, "-l", join(dir, "replica.log"), "-w", "-o", `${opts(rPort)} -c hot_standby=on`, "start"]);
  } catch (err) {
    stopAll();
    throw err;
  }
  return {
    primaryUrl: `postgres://postgres@127.0.0.1:${pPort}/postgres`,
    replicaUrl: `postgres://postgres@127.0.0.1:${rPort}/postgres`,
    stop: stopAll,
  };
}
