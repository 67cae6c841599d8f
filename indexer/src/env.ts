import { z } from "zod";
import { CallerError } from "./errors.js";

/**
 * The only place that reads process.env. Everything is validated at start-up so a typo in a
 * deployment fails in the first second with the variable's name, not hours later in a code path.
 */
const list = z
  .string()
  .default("")
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

const schema = z.object({
  /** Unset: `npm start` runs an embedded PGlite (see db/embedded.ts) under MERIT_DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  MERIT_DATA_DIR: z.string().default(".merit"),
  /** Unset: `npm start` runs the local chain (`merit localnet`) and points at it. */
  RPC_URL: z.string().url().optional(),
  RPC_COMMITMENT: z.enum(["processed", "confirmed", "finalized"]).default("finalized"),
  RPC_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  RPC_REQUESTS_PER_SECOND: z.coerce.number().positive().default(20),
  POLL_INTERVAL_MS: z.coerce.number().int().min(50).default(2000),
  RPC_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  RPC_MAX_RETRIES: z.coerce.number().int().min(0).max(20).default(6),
  /** Transactions per committed ingest batch (settlements + cursor in one database transaction). */
  INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  /** Settlements per engine batch (one database transaction; read and scored in chunks of 5,000). */
  ENGINE_BATCH_SIZE: z.coerce.number().int().min(1).max(500_000).default(50_000),
  /**
   * The engine writes its state tables back at least every this many settlements (and whenever it
   * catches up). Larger: cheaper scoring during a backfill, longer re-scoring after a restart.
   */
  ENGINE_CHECKPOINT_EVERY: z.coerce.number().int().min(1).default(1_000_000),
  WATCH_MINTS: list,
  WATCH_FACILITATORS: list,
  WATCH_MERCHANTS: list,
  HELIUS_API_KEY: z.string().optional(),
  HELIUS_WEBHOOK_AUTH: z.string().min(16, "HELIUS_WEBHOOK_AUTH must be at least 16 characters").optional(),
  /** Public HTTPS URL of this daemon's POST /webhooks/helius, used by `helius register`. */
  HELIUS_WEBHOOK_URL: z.string().url().optional(),
  HELIUS_WEBHOOK_TYPE: z.enum(["raw", "enhanced", "rawDevnet", "enhancedDevnet"]).default("raw"),
  HELIUS_API_URL: z.string().url().default("https://api-mainnet.helius-rpc.com"),
  API_HOST: z.string().default("127.0.0.1"),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  LOCALNET_PORT: z.coerce.number().int().min(0).max(65535).default(8899),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

export type Env = z.infer<typeof schema>;

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new CallerError("bad_env", `invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

let cached: Env | undefined;
/** The validated environment of this process, parsed once. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
