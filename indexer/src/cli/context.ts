import { connect, type Sql } from "../db/connection.js";
import { env, type Env } from "../env.js";
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

export function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

export function rulesFromEnv(e: Env): WatchRules {
  return watchRules({ mints: e.WATCH_MINTS, facilitators: e.WATCH_FACILITATORS, merchants: e.WATCH_MERCHANTS });
}

export function ingestContext(): IngestContext {
  const e = env();
  if (!e.DATABASE_URL) throw new CallerError("no_database", "DATABASE_URL is required for this command (the daemon's `npm start` runs the embedded database)");
  if (!e.RPC_URL) throw new CallerError("no_rpc", "RPC_URL is required for this command");
  const rpc = new RpcClient({
    url: e.RPC_URL,
    maxConcurrency: e.RPC_MAX_CONCURRENCY,
    requestsPerSecond: e.RPC_REQUESTS_PER_SECOND,
    timeoutMs: e.RPC_TIMEOUT_MS,
    maxRetries: e.RPC_MAX_RETRIES,
    log,
  });
  return { env: e, sql: connect(e.DATABASE_URL, { max: 4, name: "merit-ingest" }), rules: rulesFromEnv(e), rpc, rpcUrl: e.RPC_URL, log };
}
