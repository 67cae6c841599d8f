// The operator's group of `merit`, run as the real bin in a child process: help grouping, ingest
// commands against the default embedded database (no DATABASE_URL), with and without the daemon.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "../indexer/src/db/connection.js";
import { startEmbeddedPostgres } from "../indexer/src/db/embedded.js";
import { migrate } from "../indexer/src/db/migrate.js";
import { emptyBatch, persistBatch } from "../indexer/src/ingest/store/persist.js";
import { merit, meritIn } from "./helpers/indexer-cli.js";

const MINT = "So11111111111111111111111111111111111111112";
const FACILITATOR = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";

/** The environment of an operator with nothing configured but a data directory (and watch rules for replay). */
export function embeddedEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, MERIT_DATA_DIR: dataDir, LOG_LEVEL: "warn" };
  delete env.DATABASE_URL;
  delete env.MERIT_EMBEDDED_PG_URL;
  delete env.MERIT_TEST_EMBEDDED_PG;
  return { ...env, ...extra };
}

/** `n` stored raw transactions, one segment each (bodies the parser rejects: replay reads them all the same). */
async function storeSegments(url: string, n: number): Promise<void> {
  const sql = connect(url, { max: 1, name: "merit-test-segments" });
  try {
    await migrate(sql);
    for (let k = 0; k < n; k++) {
      const b = emptyBatch();
      const signature = `R${k}`.padEnd(88, "x");
      const slot = 100n + BigInt(k);
      b.raws.push({ signature, slot, source: "rpc", encoding: "rpc-json", txIndex: 0, body: JSON.stringify({ k }) });
      // a body is kept only with a new settlement of its transaction
      b.settlements.push({
        signature,
        outerIndex: 0,
        innerIndex: -1,
        slot,
        blockTime: new Date(1_700_000_000_000),
        mint: MINT,
        tokenProgram: FACILITATOR,
        amount: 5n,
        decimals: 6,
        payer: FACILITATOR,
        payee: FACILITATOR,
        sourceAccount: FACILITATOR,
        destinationAccount: FACILITATOR,
        feePayer: FACILITATOR,
        facilitator: null,
        memo: null,
        txIndex: 0,
        source: "rpc",
        rawIndex: 0,
      });
      await persistBatch(sql, b);
    }
  } finally {
    await sql.end();
  }
}

describe("merit, operator commands (the bin as a subprocess)", function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), "merit-cli-op-"));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("given --help, then the commands are grouped by who uses them, operators' ingest commands under `ingest`", async () => {
    const r = await merit("--help");
    assert.equal(r.code, 0, r.stderr);
    const groups = [...r.stdout.matchAll(/^(\S[^:\n]*):$/gm)].map((m) => m[1]);
    assert.deepEqual(groups.slice(0, 5), ["Options", "Operators", "Admins", "Auditors", "Commands"]);
    const operators = r.stdout.slice(r.stdout.indexOf("Operators:"), r.stdout.indexOf("Admins:"));
    for (const c of ["start", "localnet", "ingest", "webhook"]) assert.match(operators, new RegExp(`^  ${c}\\b`, "m"));
    const ingest = await merit("ingest", "--help");
    for (const c of ["backfill", "replay", "status", "rejects"]) assert.match(ingest.stdout, new RegExp(`^  ${c}\\b`, "m"));
  });

  it("given an unknown flag or command, then commander's message and exit 2", async () => {
    const flag = await merit("ingest", "status", "--bogus");
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option '--bogus'/);
    assert.equal((await merit("nope")).code, 2);
  });

  it("given more stored segments than replay reads at once in an embedded database, when `merit ingest replay` runs, then it reads every one (it failed with `portal \"\" does not exist`)", async () => {
    const dataDir = tmp();
    const pg = await startEmbeddedPostgres({ dataDir: join(dataDir, "pgdata"), exportUrl: false });
    try {
      await storeSegments(pg.url, 9);
      // the URL copied from the start log, as an operator did before the CLI found the database itself
      const r = await meritIn(
        embeddedEnv(dataDir, { DATABASE_URL: pg.url, WATCH_MINTS: MINT, WATCH_FACILITATORS: FACILITATOR }),
        "ingest",
        "replay",
        "--json",
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).transactionsFetched, 9);
    } finally {
      await pg.stop();
    }
  });
});
