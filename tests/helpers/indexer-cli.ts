import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The bin npm links as node_modules/.bin/merit (`npx merit`). */
export const MERIT_BIN = fileURLToPath(new URL("../../indexer/bin/merit.mjs", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real `merit` command in a child process, as an operator or admin runs it, against the test
 * database (DATABASE_URL is inherited unless `env` says otherwise). Never throws: the exit code is
 * returned.
 */
export async function meritIn(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(MERIT_BIN, args, { env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export const merit = (...args: string[]): Promise<CliResult> => meritIn(process.env, ...args);

/** One clear line on stderr, no stack trace: what a caller error looks like. */
export function isOneLineError(stderr: string): boolean {
  const lines = stderr.trim().split("\n");
  return lines.length === 1 && lines[0]!.startsWith("error: ") && !/\n\s+at /.test(stderr);
}

/** The environment of an operator with nothing configured but a data directory (and watch rules for replay). */
export function embeddedEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, MERIT_DATA_DIR: dataDir, LOG_LEVEL: "warn" };
  delete env.DATABASE_URL;
  delete env.MERIT_EMBEDDED_PG_URL;
  delete env.MERIT_TEST_EMBEDDED_PG;
  return { ...env, ...extra };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Mocha helper: a temporary directory for the enclosing `describe`, and a writer of JSON files in it. */
export function useJsonDir(prefix: string): { dir: string; file: (name: string, v: unknown) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file: (name, v) => {
      const p = join(dir, name);
      writeFileSync(p, JSON.stringify(v));
      return p;
    },
  };
}
