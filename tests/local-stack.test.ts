import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * `npm start` with no configuration at all, as a newcomer runs it: embedded database, development
 * chain, demo payments, ingest and the rewards engine in one process. The test waits for real
 * settlements to flow through ingest into the ledger and be visible over HTTP.
 */
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe("local stack (npm start)", function () {
  this.timeout(180_000);
  let child: ChildProcess | undefined;
  let dataDir = "";
  let output = "";

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("given no configuration, when it starts, then demo settlements are ingested, scored and served", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "merit-stack-"));
    const apiPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MERIT_DATA_DIR: dataDir,
      API_PORT: String(apiPort),
      LOCALNET_PORT: "0",
      POLL_INTERVAL_MS: "300",
    };
    // The zero-setup path: no database or RPC configured, whatever the test run itself uses.
    delete env.DATABASE_URL;
    delete env.MERIT_EMBEDDED_PG_URL;
    delete env.RPC_URL;
    child = spawn(process.execPath, ["--import", "tsx", "indexer/src/main.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));

    const deadline = Date.now() + 150_000;
    let health: { ingest: { settlementsInserted: number }; engine: { settlements: number; ledgerRows: number } } | undefined;
    while (Date.now() < deadline) {
      assert.equal(child.exitCode, null, `npm start exited early:\n${output}`);
      if (output.includes("merit local stack is up")) {
        const res = await fetch(`http://127.0.0.1:${apiPort}/health`).catch(() => undefined);
        if (res?.ok) {
          health = (await res.json()) as typeof health;
          if (health!.ingest.settlementsInserted >= 2 && health!.engine.settlements >= 2) break;
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(health, `the stack never reported healthy:\n${output}`);
    assert.ok(health.ingest.settlementsInserted >= 2, `no settlements ingested:\n${output}`);
    assert.ok(health.engine.settlements >= 2 && health.engine.ledgerRows >= health.engine.settlements, `nothing scored:\n${output}`);

    const { rows: board } = (await (await fetch(`http://127.0.0.1:${apiPort}/v1/leaderboard`)).json()) as {
      rows: { rank: number; account: string; points: string }[];
    };
    assert.ok(board.length >= 1, "leaderboard is empty");
    assert.equal(board[0]!.rank, 1);
    assert.ok(BigInt(board[0]!.points) > 0n, "the top account has no points");
    for (let i = 1; i < board.length; i++) assert.ok(BigInt(board[i - 1]!.points) >= BigInt(board[i]!.points), "leaderboard not sorted");
  });
});
