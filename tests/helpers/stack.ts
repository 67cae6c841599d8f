import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/** `npm start` as a child process with no configuration at all, as a newcomer runs it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Stack {
  child: ChildProcess;
  output: () => string;
}

/** The stack on `dataDir` and `apiPort`; the chain on a free port. `overrides`: settings a test adds on top. */
export function startStack(dataDir: string, apiPort: number, overrides: NodeJS.ProcessEnv = {}): Stack {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MERIT_DATA_DIR: dataDir,
    API_PORT: String(apiPort),
    LOCALNET_PORT: "0",
    POLL_INTERVAL_MS: "300",
  };
  // The zero-setup path: no database, RPC or schedule configured, whatever the test run itself uses.
  delete env.DATABASE_URL;
  delete env.MERIT_EMBEDDED_PG_URL;
  delete env.RPC_URL;
  delete env.EPOCH_SCHEDULE;
  Object.assign(env, overrides);
  const child = spawn(process.execPath, ["--import", "tsx", "indexer/src/main.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  return { child, output: () => output };
}

export async function stopStack(s: Stack | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once("exit", r));
  s.child.kill("SIGTERM");
  await exited;
}

/** Waits until the output has a line matching `re`; returns its groups. */
export async function waitFor(s: Stack, re: RegExp, ms: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = re.exec(s.output());
    if (m) return m;
    assert.equal(s.child.exitCode, null, `npm start exited early:\n${s.output()}`);
    assert.ok(Date.now() < deadline, `no line matching ${re} in time:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
