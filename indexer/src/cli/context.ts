import type { Sql } from "../db/connection.js";
import { openDatabase } from "../db/open.js";
import { env, ingestSettings, type Env } from "../env.js";
import { componentLog, logToStderr } from "../log.js";
import { CallerError } from "../errors.js";
import { RpcClient } from "../ingest/rpc/client.js";
import { watchRules, type WatchRules } from "../ingest/parse/watch-rules.js";

/** What every ingest command needs, built from the validated environment. */
export interface IngestContext {
  env: Env;
  sql: Sql;
  /** Releases the database (and the embedded data directory when this command opened it). */
  close(): Promise<void>;
  rules: WatchRules;
  rpc: RpcClient;
  rpcUrl: string;
  log: (line: string) => void;
}

/** Progress and diagnostics of a command, on stderr through the one logger (stdout is the result). */
export function log(line: string): void {
  logToStderr();
  componentLog("cli").line(line);
}

/** Progress of long work: on stderr, and only on a terminal (piped or redirected, stderr keeps to errors). */
export function progress(line: string): void {
  if (process.stderr.isTTY) log(line);
}

export function rulesFromEnv(e: Env): WatchRules {
  return watchRules({ mints: e.WATCH_MINTS, facilitators: e.WATCH_FACILITATORS, merchants: e.WATCH_MERCHANTS });
}

export async function ingestContext(): Promise<IngestContext> {
  const e = env();
  if (!e.RPC_URL) throw new CallerError("no_rpc", "RPC_URL is required for this command: set it to the cluster's JSON-RPC endpoint");
  const rpc = new RpcClient({ url: e.RPC_URL, ...ingestSettings(e).rpc, log });
  const rules = rulesFromEnv(e);
  const db = await openDatabase({ name: "merit-ingest", max: 4 });
  return { env: e, sql: db.sql, close: () => db.close(), rules, rpc, rpcUrl: e.RPC_URL, log };
}
