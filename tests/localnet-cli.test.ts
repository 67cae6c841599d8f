// `merit localnet` as a developer runs it: URLs and a ready line, JSON-RPC served, a clean stop
// on Ctrl-C that leaves the history file ready for the next start.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MERIT_BIN } from "./helpers/indexer-cli.js";
import { rpc } from "./helpers/localnet.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

function runCli(args: string[]) {
  const child = spawn(MERIT_BIN, ["localnet", ...args], { cwd: ROOT });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | string | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const m = /^ready (\S+) in \d+ ms/m.exec(out);
      if (m) resolve(m[1]!);
    });
    void exit.then((code) => reject(new Error(`exited ${code} before ready:\n${out}`)));
  });
  return { child, ready, exit, output: () => out };
}

describe("merit localnet (CLI)", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "merit-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("given `merit localnet --port 0 --ledger <file>`, when started, then it prints both URLs and a ready line, serves JSON-RPC and stops cleanly on SIGINT", async () => {
    const ledger = join(dir, "history.jsonl");
    const cli = runCli(["--port", "0", "--ledger", ledger]);
    const url = await cli.ready;
    const port = Number(new URL(url).port);
    assert.match(cli.output(), /development chain/);
    assert.ok(cli.output().includes(`WebSocket URL: ws://127.0.0.1:${port + 1}`));
    const { json } = await rpc(url, {
      jsonrpc: "2.0",
      id: 1,
      method: "requestAirdrop",
      params: ["11111111111111111111111111111112", 1_000_000_000],
    });
    const signature = (json as { result: string }).result;
    assert.equal(typeof signature, "string");
    cli.child.kill("SIGINT");
    assert.equal(await cli.exit, 0);
    const lines = readFileSync(ledger, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { t: string; record?: { signature: string } });
    assert.equal(lines[0]?.record?.signature, signature);
    assert.equal(lines.at(-1)?.t, "stop");
  });

  it("given a bad option, when started, then it fails fast with the reason", async () => {
    const cli = runCli(["--port", "nope"]);
    await assert.rejects(cli.ready);
    assert.notEqual(await cli.exit, 0);
    assert.match(cli.output(), /expected a port number/);
  });
});
