import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real indexer CLI (`npm run indexer -- ...`) in a child process, as an admin runs it, against
 * the test database (DATABASE_URL is inherited). Never throws: the exit code is returned.
 */
export async function indexer(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "indexer/src/cli/main.ts", ...args], { env: process.env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** One clear line on stderr, no stack trace: what a caller error looks like. */
export function isOneLineError(stderr: string): boolean {
  const lines = stderr.trim().split("\n");
  return lines.length === 1 && lines[0]!.startsWith("error: ") && !/\n\s+at /.test(stderr);
}
