import { connect, type Sql } from "../db/connection.js";
import { env, ingestSettings, type Env } from "../env.js";
import { componentLog, logToStderr } from "../log.js";
import { CallerError } from "../errors.js";
import { RpcClient } from "../ingest/rpc/client.js";
import { watchRules, type WatchRules } from "../ingest/parse/watch-rules.js";

/** What every ingest command needs, built from the validated environment. */
export interface IngestContext {
  env: Env;
  sql: Sql;
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

export function rulesFromEnv(e: Env): WatchRules {
  return watchRules({ mints: e.WATCH_MINTS, facilitators: e.WATCH_FACILITATORS, merchants: e.WATCH_MERCHANTS });
}

export function ingestContext(): IngestContext {
  const e = env();
  if (!e.DATABASE_URL)
    throw new CallerError("no_database", "DATABASE_URL is required for this command (the daemon's `npm start` runs the embedded database)");
  if (!e.RPC_URL) throw new CallerError("no_rpc", "RPC_URL is required for this command");
  const rpc = new RpcClient({ url: e.RPC_URL, ...ingestSettings(e).rpc, log });
  return { env: e, sql: connect(e.DATABASE_URL, { max: 4, name: "merit-ingest" }), rules: rulesFromEnv(e), rpc, rpcUrl: e.RPC_URL, log };
}
