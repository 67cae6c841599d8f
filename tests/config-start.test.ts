import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { embeddedEnv, MERIT_BIN } from "./helpers/indexer-cli.js";

/**
 * One config for `npm start` and `merit start`: a file given with `--config` or MERIT_CONFIG,
 * validated before anything starts (a bad key is one `merit:` line naming it), its values used
 * (here the API port, seen through the preflight that refuses a held port), and each one
 * overridden by its environment variable.
 */
const run = promisify(execFile);
interface Result {
  code: number;
  out: string;
}
async function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Result> {
  try {
    const { stdout, stderr } = await run(cmd, args, { env, timeout: 60_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe("config file at start (npm start -- --config, merit start --config, MERIT_CONFIG)", function () {
  this.timeout(120_000);
  let dir = "";
  let held: Server[] = [];
  const hold = async (): Promise<number> => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    held.push(s);
    return (s.address() as { port: number }).port;
  };
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "merit-config-start-"));
  });
  afterEach(async () => {
    for (const s of held) await new Promise((r) => s.close(r));
    held = [];
    rmSync(dir, { recursive: true, force: true });
  });

  it("given a file with a bad api.port, when npm start -- --config runs, then it exits 2 with one merit: line naming the file's key, and nothing starts", async () => {
    const bad = file("bad.toml", '[api]\nport = "eighty"\n');
    const r = await exec("npm", ["start", "--silent", "--", "--config", bad], embeddedEnv(join(dir, "data")));
    assert.equal(r.code, 2, r.out);
    assert.match(
      r.out,
      new RegExp(`merit: invalid configuration:\\n {2}${bad.replace(/[.]/g, "\\.")}: api\\.port: expected a port number`),
    );
    assert.doesNotMatch(r.out, /database:|chain:|stack is up/);
  });

  it("given a file with a misspelled key, when merit start --config runs, then the line names the key it probably meant", async () => {
    const typo = file("typo.toml", "[api]\nprot = 8080\n");
    const r = await exec(MERIT_BIN, ["start", "--config", typo], embeddedEnv(join(dir, "data")));
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /api\.prot: not a merit setting \(did you mean api\.port\?\)/);
  });

  it("given a file naming an API port that is held, when merit start --config runs, then the file's port is the one refused; an API_PORT in the environment wins over it", async () => {
    const fromFile = await hold();
    const fromEnv = await hold();
    const cfg = file("ports.toml", `[api]\nhost = "127.0.0.1"\nport = ${fromFile}\n`);
    const r = await exec(MERIT_BIN, ["start", "--config", cfg], embeddedEnv(join(dir, "data")));
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, new RegExp(`merit: the API port 127\\.0\\.0\\.1:${fromFile} is in use`));
    // The same file through MERIT_CONFIG, with the variable set: the environment's port is refused
    const over = await exec(MERIT_BIN, ["start"], embeddedEnv(join(dir, "data"), { MERIT_CONFIG: cfg, API_PORT: String(fromEnv) }));
    assert.equal(over.code, 2, over.out);
    assert.match(over.out, new RegExp(`merit: the API port 127\\.0\\.0\\.1:${fromEnv} is in use`));
  });

  it("given --config naming a file that does not exist, then it says so", async () => {
    const r = await exec(MERIT_BIN, ["start", "--config", join(dir, "nope.toml")], embeddedEnv(join(dir, "data")));
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /merit: --config \S+nope\.toml: no such file/);
  });
});
