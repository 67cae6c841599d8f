// `npm start` as a newcomer runs it, through the real npm: how it stops (Ctrl-C, SIGINT, SIGTERM to
// the npm process), how it refuses to start (ports in use, an unreachable database) and how two
// starts on one data directory behave.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { embeddedEnv, freePort } from "./helpers/indexer-cli.js";

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** A free port whose successor is free too: the local chain takes both (HTTP and WebSocket). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p < 65535 && (await isFree(p + 1))) return p;
  }
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
      .once("error", () => resolve(false))
      .listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

async function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer().once("error", reject);
    s.listen(port, "127.0.0.1", () => resolve(s));
  });
}

/** Every process below `pid` (children, grandchildren), from /proc. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) if (pp === p) out.push(c), walk(c);
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `npm start` in its own process group (as a terminal runs it), with `env` over the test's environment. */
function npmStart(env: NodeJS.ProcessEnv, command: string[] = ["npm", "start"]): Started {
  const child = spawn(command[0]!, command.slice(1), { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, output: () => out, exited };
}

async function untilUp(s: Started, ms = 150_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!s.output().includes("merit local stack is up")) {
    assert.equal(s.child.exitCode, null, `npm start exited early:\n${s.output()}`);
    assert.ok(Date.now() < deadline, `npm start never came up:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("local stack: starting and stopping (npm start)", function () {
  this.timeout(600_000);
  const dirs: string[] = [];
  const running: Started[] = [];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), "merit-startstop-"));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const s of running) {
      try {
        // the whole group: what a failed stop left behind must not outlive the test
        process.kill(-s.child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function stackEnv(dir: string): Promise<{ env: NodeJS.ProcessEnv; ports: number[] }> {
    const api = await freePort();
    const chain = await freePortPair();
    const env = embeddedEnv(dir, { API_PORT: String(api), LOCALNET_PORT: String(chain), POLL_INTERVAL_MS: "300", LOG_LEVEL: "info" });
    delete env.RPC_URL;
    return { env, ports: [api, chain, chain + 1] };
  }

  const NPX = ["npx", "merit", "start"];
  const stopCases: { name: string; command?: string[]; send: (npmPid: number) => void }[] = [
    { name: "SIGTERM to the npm process", send: (pid) => process.kill(pid, "SIGTERM") },
    { name: "SIGINT to the npm process", send: (pid) => process.kill(pid, "SIGINT") },
    { name: "Ctrl-C (SIGINT to the process group)", send: (pid) => process.kill(-pid, "SIGINT") },
    { name: "SIGTERM to the npx process of `npx merit start`", command: NPX, send: (pid) => process.kill(pid, "SIGTERM") },
    { name: "Ctrl-C on `npx merit start`", command: NPX, send: (pid) => process.kill(-pid, "SIGINT") },
  ];
  for (const c of stopCases) {
    it(`given the stack is up, when it gets ${c.name}, then every process exits and every port is free within 5 s`, async () => {
      const { env, ports } = await stackEnv(dataDir());
      const s = npmStart(env, c.command);
      running.push(s);
      await untilUp(s);
      const pid = s.child.pid!;
      const tree = descendants(pid);
      assert.ok(tree.length > 0, "npm started no child");
      for (const p of ports) assert.equal(await isFree(p), false, `port ${p} is not in use while the stack is up`);

      const t0 = Date.now();
      c.send(pid);
      const deadline = t0 + 5000;
      while (Date.now() < deadline && [pid, ...tree].some(alive)) await new Promise((r) => setTimeout(r, 100));
      const left = [pid, ...tree].filter(alive);
      assert.deepEqual(left, [], `still running ${Date.now() - t0} ms after the signal:\n${s.output()}`);
      for (const p of ports) assert.ok(await isFree(p), `port ${p} still in use after the stack stopped`);
    });
  }

  /** Runs `npm start` to its exit; the start must fail with one `merit:` line naming `key`, before anything is up. */
  async function refusesToStart(env: NodeJS.ProcessEnv, key: string): Promise<string> {
    const s = npmStart(env);
    running.push(s);
    const code = await s.exited;
    const out = s.output();
    assert.notEqual(code, 0, `npm start exited 0:\n${out}`);
    assert.ok(!out.includes("is up"), `it claimed to be up before failing:\n${out}`);
    // refused in preflight: no database was opened or migrated first
    assert.ok(!out.includes('"msg":"database: '), `it opened the database before refusing:\n${out}`);
    const lines = out.split("\n").filter((l) => l.startsWith("merit: "));
    assert.equal(lines.length, 1, `not one merit: line:\n${out}`);
    assert.ok(!/\n\s+at /.test(out), `a stack trace:\n${out}`);
    assert.ok(lines[0]!.includes(key), `the line does not name ${key}: ${lines[0]}`);
    return lines[0]!;
  }

  const portCases: { key: string; held: (ports: number[]) => number }[] = [
    { key: "API_PORT", held: ([api]) => api! },
    { key: "LOCALNET_PORT", held: ([, chain]) => chain! },
    { key: "LOCALNET_PORT", held: ([, , ws]) => ws! },
  ];
  for (const c of portCases) {
    it(`given ${c.key}'s ${c.held([0, 1, 2]) === 2 ? "WebSocket " : ""}port is in use, when it starts, then one merit: line says so before anything is up`, async () => {
      const { env, ports } = await stackEnv(dataDir());
      const port = c.held(ports);
      const holder = await occupy(port);
      try {
        const line = await refusesToStart(env, c.key);
        assert.ok(line.includes(String(port)), line);
      } finally {
        holder.close();
      }
    });
  }

  it("given DATABASE_URL names a server that does not answer, when it starts, then one merit: line says so before anything is up", async () => {
    const { env } = await stackEnv(dataDir());
    const dead = await freePort();
    await refusesToStart({ ...env, DATABASE_URL: `postgres://merit:secret@127.0.0.1:${dead}/merit` }, "DATABASE_URL");
  });

  it("given PUBLISHER_KEYPAIR names a file that is not a key, when it starts, then one merit: line says so before anything is up", async () => {
    const dir = dataDir();
    const { env } = await stackEnv(dir);
    const file = join(dir, "publisher.json");
    writeFileSync(file, "[1,2,3]");
    await refusesToStart({ ...env, PUBLISHER_KEYPAIR: file }, "PUBLISHER_KEYPAIR");
  });

  it("given the stack is up, when a second start runs on the same data directory, then it exits with one merit: line and the first runs on; after a clean stop, a start resumes the same data", async () => {
    const dir = dataDir();
    const { env } = await stackEnv(dir);
    const first = npmStart(env);
    running.push(first);
    await untilUp(first);

    // the same settings, as a newcomer typing `npm start` twice, then other ports on the same directory
    const other = (await stackEnv(dir)).env;
    for (const second of [env, other]) {
      const line = await refusesToStart(second, dir);
      assert.match(line, /another merit start \(process \d+\) is running/, line);
    }
    assert.equal(first.child.exitCode, null, `the first stack stopped:\n${first.output()}`);

    process.kill(first.child.pid!, "SIGTERM");
    assert.equal(await first.exited, 0, first.output());
    const again = npmStart(env);
    running.push(again);
    await untilUp(again);
    assert.match(again.output(), /schema up to date \(\d+ migrations, 0 applied now\)/, again.output());
    assert.doesNotMatch(again.output(), /history \S+: 0 transactions/, "the chain's history was not kept");
    process.kill(again.child.pid!, "SIGTERM");
    assert.equal(await again.exited, 0, again.output());
  });

  it("given a stack on DATABASE_URL is up, when a second start runs on the same data directory, then it exits with one merit: line before touching the database", async () => {
    const dir = dataDir();
    // the test database: the directory then holds only the local chain's history
    // (the embedded test database takes one connection per process, as the stack's own embedded one does:
    // the demo's traffic keeps ingest, the engine and the epochs busy at once)
    const withDb = async () => ({
      ...(await stackEnv(dir)).env,
      DATABASE_URL: process.env.DATABASE_URL,
      ...(process.env.MERIT_TEST_EMBEDDED_PG ? { MERIT_EMBEDDED_PG_URL: process.env.DATABASE_URL } : {}),
    });
    const first = npmStart(await withDb());
    running.push(first);
    await untilUp(first);
    const line = await refusesToStart(await withDb(), dir);
    assert.match(line, /another merit start \(process \d+\) is running/, line);
    assert.equal(first.child.exitCode, null, `the first stack stopped:\n${first.output()}`);
    // how it stops is the tests above: the embedded test database serves one session at a time, and
    // a stack sharing it with this process may need the 4.5 s give-up to exit
    process.kill(first.child.pid!, "SIGTERM");
    await first.exited;
  });
});
