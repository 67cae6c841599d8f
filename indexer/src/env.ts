import { z } from "zod";
import { CallerError } from "./errors.js";
import { scheduleProblem } from "./publish/schedule.js";
import { parseRoles, ROLES, type Role } from "./daemon/roles/names.js";
import { configFlag, configPath, editDistance, type FileSettings, readConfigFile } from "./config.js";

/**
 * The only place that reads process.env. Everything is validated at start-up so a typo in a
 * deployment fails in the first second with the variable's name, not hours later in a code path.
 */
const list = z
  .string()
  .default("")
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  );

const port = z.coerce
  .number({ error: "expected a port number" })
  .int("expected a port number")
  .min(0, "expected a port number")
  .max(65535, "expected a port number");
const base58Address = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, "expected a base58 address");

const schema = z.object({
  /** Unset: `npm start` runs an embedded PGlite (see db/embedded.ts) under MERIT_DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  MERIT_DATA_DIR: z.string().default(".merit"),
  /** Unset: `npm start` runs the local chain (`merit localnet`) and points at it. */
  RPC_URL: z.string().url().optional(),
  /** Tried in order after RPC_URL when it cannot be reached or answers 5xx (the config file's `rpc.urls` after the first). */
  RPC_FALLBACK_URLS: list.refine((urls) => urls.every((u) => URL.canParse(u)), "expected a comma-separated list of URLs"),
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
  /** Public HTTPS URL of this daemon's POST /webhooks/helius, used by `merit webhook register`. */
  HELIUS_WEBHOOK_URL: z.string().url().optional(),
  HELIUS_WEBHOOK_TYPE: z.enum(["raw", "enhanced", "rawDevnet", "enhancedDevnet"]).default("raw"),
  HELIUS_API_URL: z.string().url().default("https://api-mainnet.helius-rpc.com"),
  API_HOST: z.string().default("127.0.0.1"),
  API_PORT: port.default(8787),
  /**
   * Bearer token of the admin API (`/v1/admin/*`), compared in constant time. Unset: the admin API
   * answers 503 admin_disabled. Never logged.
   */
  ADMIN_TOKEN: z.string().min(24, "ADMIN_TOKEN must be at least 24 characters").optional(),
  /** `/readyz` reports not ready when ingest is further behind the chain head than this. */
  READY_MAX_INGEST_LAG_SECONDS: z.coerce.number().positive().default(120),
  /**
   * Origins browsers may call the API from (comma list, e.g. https://claim.example.com). Default:
   * the local development ports only; pages served by the API itself need none.
   */
  API_CORS_ORIGINS: list.default(["http://localhost:3000", "http://127.0.0.1:3000", "http://localhost:5173", "http://127.0.0.1:5173"]),
  /** Requests per minute per client IP before 429 (0: no limit). */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  LOCALNET_PORT: port.default(8899),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  /** `json` (one object per line, for log shippers) or `pretty`; default: pretty on a terminal, else json. */
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  /**
   * Set by the process that started the embedded PGlite, for itself and the child processes it
   * starts: a pool to that URL keeps to one connection (db/connection.ts). Not a setting.
   */
  MERIT_EMBEDDED_PG_URL: z.string().url().optional(),
  /**
   * The publisher's key (docs/publishing.md): a keypair file as solana-keygen writes it (a JSON
   * array of 64 bytes), or the secret itself in PUBLISHER_SECRET_KEY (the same JSON array, or
   * base58). Never logged; only its public key is.
   */
  PUBLISHER_KEYPAIR: z.string().min(1).optional(),
  /** The distributor program's id where it is not the committed IDL's (a deployment of your own). */
  MERIT_PROGRAM_ID: z
    .string()
    .regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, "MERIT_PROGRAM_ID must be a base58 address")
    .optional(),
  PUBLISHER_SECRET_KEY: z.string().min(1).optional(),
  /** Priority fee of publisher transactions, micro-lamports per compute unit. */
  PUBLISH_PRIORITY_FEE_MICROLAMPORTS: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
  /** Compute unit limit of publisher transactions (propose_root takes ~3,400, activate_root ~800). */
  PUBLISH_COMPUTE_UNIT_LIMIT: z.coerce.number().int().min(1_000).max(1_400_000).default(20_000),
  /** Sends of one transaction, each with a fresh blockhash, before giving up. */
  PUBLISH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  /**
   * When the daemon closes and publishes epochs: `every 6h`, `every 30m`, or UTC times
   * `at 00:00,12:00`. Unset: the daemon does not close epochs.
   */
  EPOCH_SCHEDULE: z.string().optional(),
  /**
   * The Solana RPC the claim page (/claim) tells browsers to use. Unset: the local chain's when it
   * runs; with RPC_URL, none (a provider's URL usually carries a key), and the page asks for ?rpc=.
   */
  CLAIM_PAGE_RPC_URL: z.string().url().optional(),
  /** Test hook: the publisher pauses this long after sending a proposal, before confirming (a crash window). */
  PUBLISH_TEST_PAUSE_AFTER_SEND_MS: z.coerce.number().int().min(0).optional(),
  /**
   * The roles this process runs (`merit start --roles` wins): ingest, engine, epochs, api. Several
   * processes over one Postgres elect one leader per writer role; API processes all serve.
   */
  MERIT_ROLES: z
    .string()
    .optional()
    .transform((s, ctx): Role[] => {
      if (s === undefined) return [...ROLES];
      const r = parseRoles(s);
      if (typeof r === "string") {
        ctx.addIssue({ code: "custom", message: r });
        return z.NEVER;
      }
      return r;
    }),
  /**
   * Where the API's public reads go (a streaming replica); admin and signed writes stay on
   * DATABASE_URL. Unset: everything on DATABASE_URL.
   */
  DATABASE_READ_URL: z.string().url().optional(),
  /** POST /v1/events refuses a request whose X-Merit-Timestamp is further than this from the server's clock. */
  EVENTS_REPLAY_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** Receives a JSON POST when a distributor's vault becomes short of what it owes (publish/vault.ts). */
  VAULT_ALERT_WEBHOOK_URL: z.string().url().optional(),
  /** The configuration file (merit.config.toml) when not `--config` or ./merit.config.toml; the environment overrides its keys. */
  MERIT_CONFIG: z.string().min(1).optional(),
  /** The distributor the daemon closes and publishes epochs for (its PDA address). */
  DISTRIBUTOR_ADDRESS: base58Address.optional(),
  /** How the epochs daemon turns points into token base units when it registers DISTRIBUTOR_ADDRESS (epochs/convert.ts). */
  EPOCH_CONVERSION: z.enum(["fixed", "budget"]).default("fixed"),
  /** `fixed`: base units per point. */
  EPOCH_UNITS_PER_POINT: z
    .string()
    .regex(/^[1-9]\d*$/, "expected a whole number of base units")
    .default("1"),
  /** `budget`: base units shared out per epoch in proportion to points. */
  EPOCH_BUDGET_PER_EPOCH: z
    .string()
    .regex(/^[1-9]\d*$/, "expected a whole number of base units")
    .optional(),
  /** Not a setting: npm and npx set it in the processes they start (main.ts stops when they go). */
  npm_command: z.string().optional(),
});

/**
 * Cross-field rules, checked before anything starts: a setting that only means something with
 * another one is refused alone rather than silently ignored.
 */
const checked = schema.superRefine((e, ctx) => {
  if (e.RPC_URL && e.WATCH_MINTS.length + e.WATCH_FACILITATORS.length + e.WATCH_MERCHANTS.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["RPC_URL"],
      message: "RPC_URL needs at least one of WATCH_MINTS, WATCH_FACILITATORS, WATCH_MERCHANTS (what counts as a settlement)",
    });
  }
  if (e.HELIUS_WEBHOOK_URL && !e.HELIUS_WEBHOOK_AUTH) {
    ctx.addIssue({
      code: "custom",
      path: ["HELIUS_WEBHOOK_URL"],
      message: "HELIUS_WEBHOOK_URL needs HELIUS_WEBHOOK_AUTH (the header Helius sends and the webhook checks)",
    });
  }
  if (e.PUBLISHER_KEYPAIR && e.PUBLISHER_SECRET_KEY) {
    ctx.addIssue({
      code: "custom",
      path: ["PUBLISHER_KEYPAIR"],
      message: "set PUBLISHER_KEYPAIR (a file) or PUBLISHER_SECRET_KEY (the key), not both",
    });
  }
  if (e.DATABASE_READ_URL && !e.DATABASE_URL) {
    ctx.addIssue({
      code: "custom",
      path: ["DATABASE_READ_URL"],
      message: "DATABASE_READ_URL needs DATABASE_URL (the primary its replica follows)",
    });
  }
  if (e.EPOCH_CONVERSION === "budget" && !e.EPOCH_BUDGET_PER_EPOCH) {
    ctx.addIssue({ code: "custom", path: ["EPOCH_CONVERSION"], message: "the budget conversion needs EPOCH_BUDGET_PER_EPOCH" });
  }
  if (e.EPOCH_SCHEDULE !== undefined) {
    const problem = scheduleProblem(e.EPOCH_SCHEDULE);
    if (problem) ctx.addIssue({ code: "custom", path: ["EPOCH_SCHEDULE"], message: problem });
  }
});

/** Prefixes of this daemon's settings: an unknown variable with one of them, close to a setting's name, is a typo. */
const PREFIXES = [
  "MERIT_",
  "RPC_",
  "WATCH_",
  "HELIUS_",
  "API_",
  "ENGINE_",
  "INGEST_",
  "LOCALNET_",
  "POLL_",
  "LOG_",
  "DATABASE_",
  "PUBLISH",
  "EPOCH_",
  "ADMIN_",
  "READY_",
  "EVENTS_",
  "CLAIM_",
  "DISTRIBUTOR_",
];
/** Variables with those prefixes that belong to the tooling, not to the daemon. */
const TOOLING = new Set(["MERIT_SKIP_RUST", "MERIT_TEST_EMBEDDED_PG"]);
const KNOWN = new Set(Object.keys(schema.shape));

function unknownVariables(source: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  for (const k of Object.keys(source)) {
    if (!PREFIXES.some((p) => k.startsWith(p)) || KNOWN.has(k) || TOOLING.has(k)) continue;
    const near = [...KNOWN].map((n) => [n, editDistance(k, n)] as const).sort((a, b) => a[1] - b[1])[0];
    // MERIT_ is ours alone; another program's API_KEY or LOG_DIR is only a typo when it is close to a setting
    if (near && near[1] <= 3) problems.push(`  ${k}: not a merit setting (did you mean ${near[0]}?)`);
    else if (k.startsWith("MERIT_")) problems.push(`  ${k}: not a merit setting`);
  }
  return problems;
}

export type Env = z.infer<typeof schema>;

/**
 * `file`: the config file's settings, which the environment overrides one by one. A problem with a
 * value that came from the file names the file and the key as written there.
 */
export function parseEnv(source: Record<string, string | undefined> = process.env, file?: FileSettings): Env {
  const merged = file ? { ...file.values, ...definedOnly(source) } : source;
  const where = (name: string) =>
    file?.keyOf[name] !== undefined && source[name] === undefined ? `${file.file}: ${file.keyOf[name]}` : name;
  const parsed = checked.safeParse(merged);
  const lines = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `  ${where(String(i.path[0] ?? ""))}: ${i.message}`)),
    ...unknownVariables(source),
  ];
  if (!parsed.success || lines.length > 0) throw new CallerError("bad_env", `invalid configuration:\n${lines.join("\n")}`);
  return parsed.data;
}

function definedOnly(source: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((kv): kv is [string, string] => kv[1] !== undefined));
}

/**
 * The environment over the configuration file: `--config` among `argv`, else MERIT_CONFIG, else
 * ./merit.config.toml when present, else the environment alone.
 */
export function loadEnv(source: Record<string, string | undefined> = process.env, argv: readonly string[] = []): Env {
  const path = configPath(configFlag(argv), source.MERIT_CONFIG);
  return parseEnv(source, path ? readConfigFile(path) : undefined);
}

/** The conversion a distributor the daemon registers gets (epochs/convert.ts parseConversion's shape). */
export function conversionSettings(e: Env): Record<string, string> {
  return e.EPOCH_CONVERSION === "budget"
    ? { mode: "budget" as const, budgetPerEpoch: e.EPOCH_BUDGET_PER_EPOCH! }
    : { mode: "fixed" as const, unitsPerPoint: e.EPOCH_UNITS_PER_POINT, rounding: "floor" as const };
}

/** Everything ingest takes from the environment, for every entry point that starts it. */
export function ingestSettings(e: Env) {
  return {
    // getSignaturesForAddress and getTransaction refuse "processed"
    commitment: e.RPC_COMMITMENT === "processed" ? ("confirmed" as const) : e.RPC_COMMITMENT,
    pollIntervalMs: e.POLL_INTERVAL_MS,
    batchSize: e.INGEST_BATCH_SIZE,
    rpc: {
      maxConcurrency: e.RPC_MAX_CONCURRENCY,
      requestsPerSecond: e.RPC_REQUESTS_PER_SECOND,
      timeoutMs: e.RPC_TIMEOUT_MS,
      maxRetries: e.RPC_MAX_RETRIES,
      fallbackUrls: e.RPC_FALLBACK_URLS,
    },
  };
}

/** Everything publishing takes from the environment (indexer/src/publish/send.ts SendSettings). */
export function publishSettings(e: Env) {
  return {
    priorityFeeMicroLamports: e.PUBLISH_PRIORITY_FEE_MICROLAMPORTS,
    computeUnitLimit: e.PUBLISH_COMPUTE_UNIT_LIMIT,
    maxAttempts: e.PUBLISH_MAX_ATTEMPTS,
    pollMs: 500,
    pauseAfterSendMs: e.PUBLISH_TEST_PAUSE_AFTER_SEND_MS,
  };
}

/**
 * Publishes a value to this process's environment and to the child processes it starts (the
 * embedded database's URL). The one writer, beside the one reader.
 */
export function exportToChildren(name: "MERIT_EMBEDDED_PG_URL", value: string): void {
  process.env[name] = value;
  if (cached) cached = { ...cached, [name]: value };
}

let cached: Env | undefined;
/** The validated configuration of this process (environment over the config file), read once. */
export function env(): Env {
  cached ??= loadEnv(process.env, process.argv);
  return cached;
}
