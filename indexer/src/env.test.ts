import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ingestSettings, parseEnv } from "./env.js";
import { MeritError } from "./errors.js";

const refusal = (source: Record<string, string>): string => {
  try {
    parseEnv(source);
  } catch (err) {
    assert.ok(err instanceof MeritError && err.code === "bad_env", `not a bad_env error: ${String(err)}`);
    return err.message;
  }
  assert.fail("accepted");
};

describe("env: the one reader of the configuration", () => {
  it("given RPC_URL and no WATCH_* list, then it refuses naming both", () => {
    const msg = refusal({ RPC_URL: "https://rpc.example" });
    assert.match(msg, /RPC_URL: RPC_URL needs at least one of WATCH_MINTS, WATCH_FACILITATORS, WATCH_MERCHANTS/);
    assert.doesNotThrow(() => parseEnv({ RPC_URL: "https://rpc.example", WATCH_MERCHANTS: "x" }));
  });

  it("given a misspelled setting, then it names it and the setting it was probably meant to be", () => {
    const msg = refusal({ RPC_MAX_CONCURENCY: "4", MERIT_DATADIR: "/tmp/x" });
    assert.match(msg, /RPC_MAX_CONCURENCY: not a merit setting \(did you mean RPC_MAX_CONCURRENCY\?\)/);
    assert.match(msg, /MERIT_DATADIR: not a merit setting \(did you mean MERIT_DATA_DIR\?\)/);
  });

  it("given MERIT_ROLES, then it is a subset of the roles in their order (all when unset), and an unknown role is refused naming the setting", () => {
    assert.deepEqual(parseEnv({}).MERIT_ROLES, ["ingest", "engine", "epochs", "api"]);
    assert.deepEqual(parseEnv({ MERIT_ROLES: "api, ingest" }).MERIT_ROLES, ["ingest", "api"]);
    assert.match(
      refusal({ MERIT_ROLES: "ingest,scoring" }),
      /MERIT_ROLES: unknown role "scoring": the roles are ingest, engine, epochs, api/,
    );
    assert.match(refusal({ MERIT_ROLES: " , " }), /MERIT_ROLES: no role named/);
  });

  it("given DATABASE_READ_URL without DATABASE_URL, then it is refused: a replica follows a primary", () => {
    assert.match(refusal({ DATABASE_READ_URL: "postgres://r/db" }), /DATABASE_READ_URL: DATABASE_READ_URL needs DATABASE_URL/);
    assert.doesNotThrow(() => parseEnv({ DATABASE_URL: "postgres://p/db", DATABASE_READ_URL: "postgres://r/db" }));
  });

  it("given variables of other programs, then it ignores them", () => {
    assert.doesNotThrow(() =>
      parseEnv({ PATH: "/bin", HOME: "/root", CI: "true", MERIT_SKIP_RUST: "1", API_KEY: "x", LOG_DIR: "/var/log" }),
    );
    assert.match(refusal({ MERIT_SOMETHING_ELSE_ENTIRELY: "1" }), /MERIT_SOMETHING_ELSE_ENTIRELY: not a merit setting$/m);
  });

  it("given publishing settings, then a key from two places and a schedule that is not one are refused, and good values parse", () => {
    assert.match(
      refusal({ PUBLISHER_KEYPAIR: "/k.json", PUBLISHER_SECRET_KEY: "x" }),
      /PUBLISHER_KEYPAIR: set PUBLISHER_KEYPAIR \(a file\) or PUBLISHER_SECRET_KEY \(the key\), not both/,
    );
    assert.match(refusal({ EPOCH_SCHEDULE: "hourly" }), /EPOCH_SCHEDULE: "hourly" is not a schedule/);
    assert.match(refusal({ PUBLISH_MAX_ATTEMPT: "5" }), /PUBLISH_MAX_ATTEMPT: not a merit setting \(did you mean PUBLISH_MAX_ATTEMPTS\?\)/);
    const e = parseEnv({
      EPOCH_SCHEDULE: "at 00:00,12:00",
      PUBLISH_PRIORITY_FEE_MICROLAMPORTS: "5000",
      PUBLISH_COMPUTE_UNIT_LIMIT: "30000",
    });
    assert.deepEqual([e.PUBLISH_PRIORITY_FEE_MICROLAMPORTS, e.PUBLISH_COMPUTE_UNIT_LIMIT, e.PUBLISH_MAX_ATTEMPTS], [5000, 30000, 5]);
  });

  it("given a webhook URL without its auth header, then it refuses", () => {
    assert.match(refusal({ HELIUS_WEBHOOK_URL: "https://me.example/webhooks/helius" }), /HELIUS_WEBHOOK_URL needs HELIUS_WEBHOOK_AUTH/);
  });

  it("given every ingest setting changed, then ingestSettings carries each one (what npm start and the CLI pass on)", () => {
    const s = ingestSettings(
      parseEnv({
        RPC_MAX_CONCURRENCY: "3",
        RPC_REQUESTS_PER_SECOND: "7.5",
        RPC_TIMEOUT_MS: "1234",
        RPC_MAX_RETRIES: "2",
        INGEST_BATCH_SIZE: "17",
        POLL_INTERVAL_MS: "999",
        RPC_COMMITMENT: "confirmed",
      }),
    );
    assert.deepEqual(s, {
      commitment: "confirmed",
      pollIntervalMs: 999,
      batchSize: 17,
      rpc: { maxConcurrency: 3, requestsPerSecond: 7.5, timeoutMs: 1234, maxRetries: 2, fallbackUrls: [] },
    });
    assert.equal(ingestSettings(parseEnv({ RPC_COMMITMENT: "processed" })).commitment, "confirmed");
  });

  it("is the only module of the daemon and the client library that reads process.env", () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const readers: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|mjs)$/.test(name) && !name.endsWith(".test.ts") && /process\.env\b/.test(readFileSync(p, "utf8")))
          readers.push(relative(root, p));
      }
    };
    walk(join(root, "indexer/src"));
    walk(join(root, "clients/src"));
    assert.deepEqual(readers, ["indexer/src/env.ts"]);
  });
});
