// The operator's group of `merit`, run as the real bin in a child process: help grouping, ingest
// commands against the default embedded database (no DATABASE_URL), with and without the daemon.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "../indexer/src/db/connection.js";
import { startEmbeddedPostgres } from "../indexer/src/db/embedded.js";
import { migrate } from "../indexer/src/db/migrate.js";
import { emptyBatch, persistBatch } from "../indexer/src/ingest/store/persist.js";
import { RUNTIME_FILE } from "../indexer/src/db/open.js";
import { embeddedEnv, freePort, MERIT_BIN, merit, meritIn } from "./helpers/indexer-cli.js";

/** `merit start` (what `npm start` runs) on free ports over `dataDir`, resolved once the stack is up. */
async function startDaemon(dataDir: string): Promise<{ child: ChildProcess; output: () => string; stop: () => Promise<void> }> {
  const env = embeddedEnv(dataDir, { API_PORT: String(await freePort()), LOCALNET_PORT: "0", POLL_INTERVAL_MS: "300", LOG_LEVEL: "info" });
  delete env.RPC_URL;
  const child = spawn(MERIT_BIN, ["start"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes("merit local stack is up")) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`merit start exited ${code}:\n${out}`));
    });
  });
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

const MINT = "So11111111111111111111111111111111111111112";
const FACILITATOR = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";

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
    assert.deepEqual(groups.slice(0, 6), ["Options", "Wallet holders", "Operators", "Admins", "Auditors", "Commands"]);
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

  it("given `merit start --roles` or MERIT_ROLES naming a role that does not exist, then one line naming the roles and exit 2, before anything starts", async () => {
    const dataDir = tmp();
    const flag = await meritIn(embeddedEnv(dataDir), "start", "--roles", "ingest,scoring");
    assert.equal(flag.code, 2, flag.stderr);
    assert.match(flag.stderr, /--roles: unknown role "scoring": the roles are ingest, engine, epochs, api/);
    const setting = await meritIn(embeddedEnv(dataDir, { MERIT_ROLES: "apis" }), "start");
    assert.equal(setting.code, 2, setting.stderr);
    assert.match(setting.stderr, /MERIT_ROLES: unknown role "apis"/);
    assert.ok(!existsSync(join(dataDir, "pgdata")), "the database was opened");
  });

  it('given more stored segments than replay reads at once in an embedded database, when `merit ingest replay` runs, then it reads every one (it failed with `portal "" does not exist`)', async () => {
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
    // and with nothing configured: the command opens the data directory itself
    const own = await meritIn(embeddedEnv(dataDir, { WATCH_MINTS: MINT, WATCH_FACILITATORS: FACILITATOR }), "ingest", "replay", "--json");
    assert.equal(own.code, 0, own.stderr);
    assert.equal(JSON.parse(own.stdout).transactionsFetched, 9);
  });

  it("given no DATABASE_URL and no daemon, when a command runs, then it opens the embedded data directory itself, migrated, and releases it", async () => {
    const dataDir = tmp();
    const r = await meritIn(embeddedEnv(dataDir), "ingest", "status", "--json");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).settlements.total, 0);
    assert.ok(existsSync(join(dataDir, "pgdata")), "the data directory is where the daemon keeps it");
    assert.ok(!existsSync(join(dataDir, RUNTIME_FILE)), "the runtime file is removed when the command ends");
  });

  it("given a runtime file left by a killed process, when a command runs, then the stale file is replaced and the command works", async () => {
    const dataDir = tmp();
    const gone = spawn(process.execPath, ["-e", "0"]);
    await new Promise((r) => gone.once("exit", r));
    writeFileSync(
      join(dataDir, RUNTIME_FILE),
      JSON.stringify({ pid: gone.pid, owner: "daemon", url: "postgres://postgres:postgres@127.0.0.1:9/postgres" }),
    );
    const r = await meritIn(embeddedEnv(dataDir), "ingest", "status", "--json");
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(dataDir, RUNTIME_FILE)));
  });

  it("given the data directory held by a live process that does not answer, when a command runs, then it waits, refuses with what to do, and exits 3", async () => {
    const dataDir = tmp();
    // this test process is alive and serves nothing at that URL
    writeFileSync(
      join(dataDir, RUNTIME_FILE),
      JSON.stringify({ pid: process.pid, owner: "daemon", url: "postgres://postgres:postgres@127.0.0.1:9/postgres" }),
    );
    const r = await meritIn(embeddedEnv(dataDir), "points", "leaderboard", "--json");
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^error: the daemon \\(process ${process.pid}\\) holds the embedded database .* does not answer .*: wait for it to finish, or stop process ${process.pid}; if that process is not merit, delete `,
      ),
    );
    assert.ok(existsSync(join(dataDir, RUNTIME_FILE)), "a live holder's file is left alone");
  });

  it("given `merit start` running on the embedded database, when commands run, then they use the daemon's server; after a clean stop they open the directory and see the same data", async () => {
    const dataDir = tmp();
    const daemon = await startDaemon(dataDir);
    let during: { settlements: { total: number } };
    try {
      const runtime = JSON.parse(readFileSync(join(dataDir, RUNTIME_FILE), "utf8")) as { pid: number; owner: string; url: string };
      assert.equal(runtime.owner, "daemon");
      assert.equal(runtime.pid, daemon.child.pid);
      // the demo traffic lands settlements while the daemon runs: wait for some
      for (let i = 0; ; i++) {
        const r = await meritIn(embeddedEnv(dataDir), "ingest", "status", "--json");
        assert.equal(r.code, 0, r.stderr + daemon.output());
        during = JSON.parse(r.stdout);
        if (during.settlements.total >= 2 || i > 60) break;
        await new Promise((res) => setTimeout(res, 500));
      }
      assert.ok(during.settlements.total >= 2, `no settlement while the daemon ran:\n${daemon.output()}`);
      const board = await meritIn(embeddedEnv(dataDir), "points", "leaderboard", "--json");
      assert.equal(board.code, 0, board.stderr);
      assert.ok(Array.isArray(JSON.parse(board.stdout)));
    } finally {
      await daemon.stop();
    }
    assert.ok(!existsSync(join(dataDir, RUNTIME_FILE)), `a clean stop removes the runtime file; the daemon said:\n${daemon.output()}`);
    const after = await meritIn(embeddedEnv(dataDir), "ingest", "status", "--json");
    assert.equal(after.code, 0, after.stderr);
    assert.ok(JSON.parse(after.stdout).settlements.total >= during.settlements.total);
  });
});
