import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import postgres from "postgres";
import { embeddedHolder } from "./db/open.js";
import { CallerError, UpstreamError } from "./errors.js";

/**
 * Start-up checks the daemon runs before starting anything, so a port in use or a database that
 * does not answer is one line saying what to do, not a crash after the stack has said it is up.
 */

/**
 * Refuses when another running stack holds `dataDir`: its embedded database (when `embedded`), or
 * the local chain's history file (`chainHistory`, when the local chain runs). A merit command
 * holding the database is not refused here: it finishes, and the database open waits for it.
 */
export function assertDataDirFree(dataDir: string, opts: { embedded: boolean; chainHistory?: string }): void {
  const db = opts.embedded ? embeddedHolder(dataDir) : undefined;
  const pid = db?.owner === "daemon" ? db.pid : opts.chainHistory ? liveLockOwner(`${opts.chainHistory}.lock`) : undefined;
  if (pid === undefined) return;
  throw new CallerError(
    "data_dir_in_use",
    `another merit start (process ${pid}) is running on ${dataDir}, and one stack may run per data directory: use that one, stop it (Ctrl-C in its terminal, or kill ${pid}), or set MERIT_DATA_DIR to another directory`,
  );
}

/** The pid in a lock file when that process lives and is not this one. */
function liveLockOwner(file: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM" ? pid : undefined;
  }
}

/** Refuses when `port` on `host` is taken; `key` is the setting that chose it. Port 0 is always free. */
export async function assertPortFree(host: string, port: number, key: string, what: string): Promise<void> {
  if (port === 0) return;
  const code = await new Promise<string | undefined>((resolve) => {
    const s = createServer()
      .once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"))
      .listen(port, host, () => s.close(() => resolve(undefined)));
  });
  if (code) throw portError(host, port, key, what, code);
}

export function portError(host: string, port: number, key: string, what: string, code: string): CallerError {
  const why = code === "EADDRINUSE" ? "is in use (another merit start?)" : `cannot be listened on (${code})`;
  return new CallerError("port_in_use", `${what} port ${host}:${port} ${why}: stop what holds it, or set ${key} to a free port`);
}

/** Refuses when the server DATABASE_URL names does not answer a query; the message never shows the password. */
export async function assertDatabaseAnswers(url: string): Promise<void> {
  const probe = postgres(url, { max: 1, connect_timeout: 5, idle_timeout: 1, onnotice: () => {} });
  try {
    await probe`select 1`;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    let where = "the server";
    try {
      const u = new URL(url);
      where = `${u.hostname}:${u.port || "5432"}${u.pathname}`;
    } catch {
      // zod already checked it is a URL; keep the generic wording
    }
    throw new UpstreamError(
      "db_unavailable",
      `DATABASE_URL: the database at ${where} does not answer (${e.code ?? e.message}): start it or correct DATABASE_URL, or unset it to use the embedded database`,
      true,
      err,
    );
  } finally {
    await probe.end({ timeout: 1 }).catch(() => {});
  }
}
