import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MeritError } from "./errors.js";
import { assertDatabaseAnswers, assertDataDirFree, assertPortFree } from "./preflight.js";

async function listening(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

async function refusal(p: Promise<void> | (() => void)): Promise<MeritError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    assert.ok(err instanceof MeritError, String(err));
    return err;
  }
  assert.fail("accepted");
}

describe("preflight: what npm start refuses before starting anything", () => {
  it("given a port another server listens on, then it refuses naming the port and the setting; a free port and port 0 pass", async () => {
    const { server, port } = await listening();
    try {
      const err = await refusal(assertPortFree("127.0.0.1", port, "API_PORT", "the API"));
      assert.equal(err.code, "port_in_use");
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port} is in use.*set API_PORT to a free port`));
    } finally {
      await new Promise((r) => server.close(r));
    }
    await assertPortFree("127.0.0.1", port, "API_PORT", "the API");
    await assertPortFree("127.0.0.1", 0, "API_PORT", "the API");
  });

  it("given a DATABASE_URL nothing answers at, then it refuses naming DATABASE_URL, without the password", async () => {
    const { server, port } = await listening();
    await new Promise((r) => server.close(r));
    const err = await refusal(assertDatabaseAnswers(`postgres://merit:hunter2@127.0.0.1:${port}/merit`));
    assert.equal(err.code, "db_unavailable");
    assert.match(err.message, new RegExp(`^DATABASE_URL: the database at 127\\.0\\.0\\.1:${port}/merit does not answer`));
    assert.doesNotMatch(err.message, /hunter2/);
  });

  describe("a data directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "merit-preflight-"));
    const history = join(dir, "localnet", "ledger.jsonl");
    mkdirSync(join(dir, "localnet"));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("given the chain's history locked by a live process, then it refuses naming the directory and the process", async () => {
      // this test's parent lives as long as the test does
      writeFileSync(`${history}.lock`, String(process.ppid));
      const err = await refusal(() => assertDataDirFree(dir, { embedded: false, chainHistory: history }));
      assert.equal(err.code, "data_dir_in_use");
      assert.ok(err.message.includes(dir) && err.message.includes(`process ${process.ppid}`), err.message);
    });

    it("given a lock left by a process that is gone, or by this one, or no chain, then it passes", () => {
      writeFileSync(`${history}.lock`, "2147483646");
      assertDataDirFree(dir, { embedded: true, chainHistory: history });
      writeFileSync(`${history}.lock`, String(process.pid));
      assertDataDirFree(dir, { embedded: true, chainHistory: history });
      writeFileSync(`${history}.lock`, String(process.ppid));
      assertDataDirFree(dir, { embedded: true });
    });

    it("given the embedded database held by a live daemon, then it refuses; held by a command, it passes (the open waits for it)", async () => {
      rmSync(`${history}.lock`, { force: true });
      writeFileSync(join(dir, "embedded-pg.json"), JSON.stringify({ pid: process.ppid, owner: "daemon" }));
      const err = await refusal(() => assertDataDirFree(dir, { embedded: true, chainHistory: history }));
      assert.equal(err.code, "data_dir_in_use");
      writeFileSync(join(dir, "embedded-pg.json"), JSON.stringify({ pid: process.ppid, owner: "command" }));
      assertDataDirFree(dir, { embedded: true, chainHistory: history });
    });
  });
});
