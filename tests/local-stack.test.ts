import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type Stack, startStack, stopStack } from "./helpers/stack.js";

/**
 * `npm start` with no configuration at all, as a newcomer runs it: embedded database, development
 * chain, demo payments, ingest and the rewards engine in one process. The test waits for real
 * settlements to flow through ingest into the ledger and be visible over HTTP.
 */
describe("local stack (npm start)", function () {
  this.timeout(180_000);
  let stack: Stack | undefined;
  let dataDir = "";

  after(async () => {
    await stopStack(stack);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("given no configuration, when it starts, then demo settlements are ingested, scored and served", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "merit-stack-"));
    const apiPort = await freePort();
    stack = startStack(dataDir, apiPort);
    const { child } = stack;
    const output = () => stack!.output();

    const deadline = Date.now() + 150_000;
    let health: { ingest: { settlementsInserted: number }; engine: { settlements: number; ledgerRows: number } } | undefined;
    while (Date.now() < deadline) {
      assert.equal(child.exitCode, null, `npm start exited early:\n${output()}`);
      if (output().includes("merit local stack is up")) {
        const res = await fetch(`http://127.0.0.1:${apiPort}/health`).catch(() => undefined);
        if (res?.ok) {
          health = (await res.json()) as typeof health;
          if (health!.ingest.settlementsInserted >= 2 && health!.engine.settlements >= 2) break;
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(health, `the stack never reported healthy:\n${output()}`);
    assert.ok(health.ingest.settlementsInserted >= 2, `no settlements ingested:\n${output()}`);
    assert.ok(health.engine.settlements >= 2 && health.engine.ledgerRows >= health.engine.settlements, `nothing scored:\n${output()}`);

    const { rows: board } = (await (await fetch(`http://127.0.0.1:${apiPort}/v1/leaderboard`)).json()) as {
      rows: { rank: number; account: string; points: string }[];
    };
    assert.ok(board.length >= 1, "leaderboard is empty");
    assert.equal(board[0]!.rank, 1);
    assert.ok(BigInt(board[0]!.points) > 0n, "the top account has no points");
    for (let i = 1; i < board.length; i++) assert.ok(BigInt(board[i - 1]!.points) >= BigInt(board[i]!.points), "leaderboard not sorted");
  });
});
