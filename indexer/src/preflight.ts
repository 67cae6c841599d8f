import { createServer } from "node:net";
import postgres from "postgres";
import { CallerError, UpstreamError } from "./errors.js";

/**
 * Start-up checks the daemon runs before starting anything, so a port in use or a database that
 * does not answer is one line saying what to do, not a crash after the stack has said it is up.
 */

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
