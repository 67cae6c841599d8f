import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse, TomlError } from "smol-toml";
import { CallerError } from "./errors.js";

/**
 * The configuration file (`merit.config.toml`): nested sections whose keys stand for the
 * environment's settings, so env.ts validates both with one schema and the environment overrides
 * the file key by key. This module only reads and flattens the file; env.ts reads the environment.
 */

/** A file key: the setting it stands for, and whether its value is a path (resolved against the file's folder). */
interface FileKey {
  env: string;
  path?: boolean;
}

/** Every key the file accepts, as written in the file. `rpc.urls` is special: the first URL and its fallbacks. */
export const FILE_KEYS: Record<string, FileKey> = {
  data_dir: { env: "MERIT_DATA_DIR", path: true },
  "database.url": { env: "DATABASE_URL" },
  "rpc.commitment": { env: "RPC_COMMITMENT" },
  "rpc.max_concurrency": { env: "RPC_MAX_CONCURRENCY" },
  "rpc.requests_per_second": { env: "RPC_REQUESTS_PER_SECOND" },
  "rpc.timeout_ms": { env: "RPC_TIMEOUT_MS" },
  "rpc.max_retries": { env: "RPC_MAX_RETRIES" },
  "ingest.poll_interval_ms": { env: "POLL_INTERVAL_MS" },
  "ingest.batch_size": { env: "INGEST_BATCH_SIZE" },
  "engine.batch_size": { env: "ENGINE_BATCH_SIZE" },
  "engine.checkpoint_every": { env: "ENGINE_CHECKPOINT_EVERY" },
  "watch.mints": { env: "WATCH_MINTS" },
  "watch.facilitators": { env: "WATCH_FACILITATORS" },
  "watch.merchants": { env: "WATCH_MERCHANTS" },
  "helius.api_key": { env: "HELIUS_API_KEY" },
  "helius.webhook_secret": { env: "HELIUS_WEBHOOK_AUTH" },
  "helius.webhook_url": { env: "HELIUS_WEBHOOK_URL" },
  "helius.webhook_type": { env: "HELIUS_WEBHOOK_TYPE" },
  "helius.api_url": { env: "HELIUS_API_URL" },
  "api.host": { env: "API_HOST" },
  "api.port": { env: "API_PORT" },
  "api.admin_token": { env: "ADMIN_TOKEN" },
  "api.cors_origins": { env: "API_CORS_ORIGINS" },
  "api.rate_limit_per_minute": { env: "API_RATE_LIMIT_PER_MINUTE" },
  "api.ready_max_ingest_lag_seconds": { env: "READY_MAX_INGEST_LAG_SECONDS" },
  "distributor.address": { env: "DISTRIBUTOR_ADDRESS" },
  "distributor.program_id": { env: "MERIT_PROGRAM_ID" },
  "distributor.publisher_keypair": { env: "PUBLISHER_KEYPAIR", path: true },
  "epochs.schedule": { env: "EPOCH_SCHEDULE" },
  "epochs.conversion": { env: "EPOCH_CONVERSION" },
  "epochs.units_per_point": { env: "EPOCH_UNITS_PER_POINT" },
  "epochs.budget_per_epoch": { env: "EPOCH_BUDGET_PER_EPOCH" },
  "publish.priority_fee_microlamports": { env: "PUBLISH_PRIORITY_FEE_MICROLAMPORTS" },
  "publish.compute_unit_limit": { env: "PUBLISH_COMPUTE_UNIT_LIMIT" },
  "publish.max_attempts": { env: "PUBLISH_MAX_ATTEMPTS" },
  "localnet.port": { env: "LOCALNET_PORT" },
  "log.level": { env: "LOG_LEVEL" },
  "log.format": { env: "LOG_FORMAT" },
};
const RPC_URLS = "rpc.urls";
const KNOWN_KEYS = [...Object.keys(FILE_KEYS), RPC_URLS];

/** The file's settings as environment-style strings, and for each setting the key it came from. */
export interface FileSettings {
  /** The file's name as the user gave it, for error lines. */
  file: string;
  values: Record<string, string>;
  /** Setting name → the key as written in the file. */
  keyOf: Record<string, string>;
}

/** The default file, looked for in the working directory. */
export const DEFAULT_CONFIG_FILE = "merit.config.toml";

/**
 * Which file to read: `--config` (from the command line), else MERIT_CONFIG, else
 * ./merit.config.toml when it exists. An explicit path that does not exist is an error.
 */
export function configPath(flag: string | undefined, fromEnv: string | undefined, cwd = process.cwd()): string | undefined {
  const explicit = flag ?? fromEnv;
  if (explicit) {
    if (!existsSync(explicit))
      throw new CallerError(
        "bad_env",
        `${flag ? "--config" : "MERIT_CONFIG"} ${explicit}: no such file (give the path of a merit.config.toml)`,
      );
    return explicit;
  }
  const local = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(local) ? DEFAULT_CONFIG_FILE : undefined;
}

/** `--config <path>` or `--config=<path>` among a process's arguments. */
export function configFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--config") return argv[i + 1];
    if (a.startsWith("--config=")) return a.slice("--config=".length);
  }
  return undefined;
}

/** Reads and flattens one config file; unknown keys and values of the wrong shape are refused naming the key. */
export function readConfigFile(path: string): FileSettings {
  const file = path;
  let doc: Record<string, unknown>;
  try {
    doc = parse(readFileSync(path, "utf8"), { integersAsBigInt: true }) as Record<string, unknown>;
  } catch (err) {
    const detail =
      err instanceof TomlError ? `line ${err.line}, column ${err.column}: ${err.message.split("\n")[0]}` : (err as Error).message;
    throw new CallerError("bad_env", `${file}: not valid TOML (${detail})`);
  }
  return flattenConfig(doc, file, dirname(resolve(path)));
}

/** The parsed document → settings; `base` resolves relative paths (a key file beside the config). */
export function flattenConfig(doc: Record<string, unknown>, file: string, base: string): FileSettings {
  const values: Record<string, string> = {};
  const keyOf: Record<string, string> = {};
  const problems: string[] = [];
  const visit = (node: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      const key = prefix ? `${prefix}.${k}` : k;
      const isSection = typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
      // an unknown section too, so its keys are named in full (`databse.url` → database.url)
      if (isSection && !KNOWN_KEYS.includes(key)) {
        visit(v as Record<string, unknown>, key);
        continue;
      }
      if (key === RPC_URLS) {
        const urls = Array.isArray(v) ? v : [v];
        if (urls.length === 0 || !urls.every((u) => typeof u === "string")) {
          problems.push(`  ${file}: ${key}: expected a list of URLs, the first tried first`);
          continue;
        }
        values.RPC_URL = urls[0] as string;
        keyOf.RPC_URL = key;
        values.RPC_FALLBACK_URLS = urls.slice(1).join(",");
        keyOf.RPC_FALLBACK_URLS = key;
        continue;
      }
      const known = FILE_KEYS[key];
      if (!known) {
        problems.push(`  ${file}: ${key}: not a merit setting (did you mean ${nearest(key, KNOWN_KEYS)}?)`);
        continue;
      }
      const text = scalarText(v);
      if (text === undefined) {
        problems.push(`  ${file}: ${key}: expected a string, a number or a list of strings`);
        continue;
      }
      values[known.env] = known.path && text && !isAbsolute(text) ? resolve(base, text) : text;
      keyOf[known.env] = key;
    }
  };
  visit(doc, "");
  if (problems.length > 0) throw new CallerError("bad_env", `invalid configuration:\n${problems.join("\n")}`);
  return { file, values, keyOf };
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v.join(",");
  return undefined;
}

/** The candidate closest to `name` by edit distance (a misspelled setting's probable meaning). */
export function nearest(name: string, candidates: readonly string[]): string {
  return [...candidates].map((n) => [n, editDistance(name, n)] as const).sort((a, b) => a[1] - b[1])[0]![0];
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
