import type { Keypair } from "@solana/web3.js";
import type { DemoWorld } from "@merit/localnet/demo";
import type { Sql } from "../../db/connection.js";
import type { Env } from "../../env.js";
import type { WatchRules } from "../../ingest/index.js";
import type { Leadership } from "../leadership.js";
import type { Role } from "./names.js";

/** What the roles of one daemon process share: settings, databases and the chain they watch. */
export interface DaemonContext {
  cfg: Env;
  /** The primary: every write, and every read a writer makes. */
  sql: Sql;
  /** Public API reads (DATABASE_READ_URL, a streaming replica); the primary when unset. */
  readSql: Sql;
  /** The embedded PGlite: one process, so no leadership to hold (daemon/leadership.ts). */
  embedded: boolean;
  rpcUrl: string;
  rules: WatchRules;
  /** The local stack's demo traffic, when there is no RPC_URL. */
  demoWorld?: DemoWorld;
  publisherSigner?: Keypair;
  /** The epoch schedule in force: EPOCH_SCHEDULE, or the local stack's default. */
  epochSchedule?: string;
  /** Where this deployment's API answers, as a client reaches it. */
  apiUrl: string;
  /** The roles this process runs, and their leadership (the API has none: it replicates). */
  roles: Role[];
  leadership: Partial<Record<Exclude<Role, "api">, Leadership>>;
}
