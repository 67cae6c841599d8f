#!/usr/bin/env node
// `npm test`: every suite the project has, one plain summary line at the end.
// - cargo test: host-side Rust unit tests (program logic, merkle vectors, the linker)
// - mocha: TypeScript unit and flow tests (litesvm, Postgres, HTTP)
// Extra arguments go to mocha (e.g. `npm test -- --grep claim`); MERIT_SKIP_RUST=1 skips cargo.
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";

const args = process.argv.slice(2);
let passed = 0;
let failed = 0;
let broken = false;

function run(cmd, cmdArgs, parse) {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let out = "";
    child.stdout.on("data", (d) => {
      process.stdout.write(d);
      out += d;
    });
    child.stderr.on("data", (d) => {
      process.stderr.write(d);
      out += d;
    });
    child.on("error", (err) => {
      console.error(`${cmd}: ${err.message}`);
      resolve({ code: 127, out });
    });
    child.on("close", (code) => {
      const counts = parse(out);
      passed += counts.passed;
      failed += counts.failed;
      // A runner that exits non-zero without reporting a failed test (compile error, crash)
      // still fails the run.
      if (code !== 0 && counts.failed === 0) broken = true;
      resolve({ code, out });
    });
  });
}

function parseCargo(out) {
  let p = 0,
    f = 0;
  for (const m of out.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    p += Number(m[1]);
    f += Number(m[2]);
  }
  return { passed: p, failed: f };
}

function parseMocha(out) {
  const p = /(\d+) passing/.exec(out);
  const f = /(\d+) failing/.exec(out);
  return { passed: p ? Number(p[1]) : 0, failed: f ? Number(f[1]) : 0 };
}

/** Whether `cmd` is an executable file in a PATH directory. */
function onPath(cmd) {
  return (process.env.PATH ?? "").split(delimiter).some((d) => {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

if (existsSync("Cargo.toml") && process.env.MERIT_SKIP_RUST !== "1") {
  // Node is all the TypeScript suite needs; the Rust unit tests are for those who build the program.
  if (!onPath("cargo"))
    console.log("> cargo not found: skipping the Rust suite (install Rust to run it; MERIT_SKIP_RUST=1 hides this notice)");
  else {
    console.log("> cargo test --workspace");
    await run("cargo", ["test", "--workspace"], parseCargo);
  }
}
// The spec list lives here, not in .mocharc.json, so `npx mocha some.test.ts` runs just that file.
const SPECS = [
  "tests/**/*.test.ts",
  "clients/src/**/*.test.ts",
  "indexer/src/**/*.test.ts",
  "tools/*/src/**/*.test.ts",
  "claim-page/src/**/*.test.ts",
];
const namesFiles = args.some((a) => a.endsWith(".ts"));
console.log("> mocha");
await run("npx", ["mocha", ...(namesFiles ? [] : SPECS), ...args], parseMocha);

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 || broken ? 1 : 0);
