// `npm test` (scripts/test.mjs) on a machine with Node only: the Rust suite needs cargo, and its
// absence is a notice, not a failure.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

describe("npm test without cargo", function () {
  this.timeout(60_000);

  it("given no cargo on PATH, when the suite runs, then the Rust suite is skipped with a notice and the run passes", async () => {
    // PATH without any directory holding cargo, but with node and npx (the runner starts mocha through them)
    const bin = mkdtempSync(join(tmpdir(), "merit-nocargo-"));
    after(() => rmSync(bin, { recursive: true, force: true }));
    for (const tool of ["node", "npx"]) symlinkSync(join(dirname(process.execPath), tool), join(bin, tool));
    symlinkSync("/bin/sh", join(bin, "sh"));
    const dirs = (process.env.PATH ?? "").split(delimiter).filter((d) => d && !existsSync(join(d, "cargo")));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: [bin, ...dirs].join(delimiter) };
    delete env.MERIT_SKIP_RUST;
    // one fast file, and a grep no test matches: only the runner's own behaviour is under test
    const { stdout } = await run(process.execPath, ["scripts/test.mjs", "tests/layering.test.ts", "--grep", "no test is named this"], {
      env,
    });
    assert.match(stdout, /cargo not found.*skipping the Rust suite/i, stdout);
    assert.doesNotMatch(stdout, /> cargo test/, stdout);
    assert.match(stdout, /0 passed, 0 failed/, stdout);
  });
});
