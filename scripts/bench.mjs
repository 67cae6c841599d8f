#!/usr/bin/env node
// `npm run bench`: every `bench:*` script in package.json, one after another. Each benchmark
// writes its own section of BENCHMARKS.md (between `<!-- bench:NAME -->` markers) with the
// machine and the date, so running one alone never erases the others.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const only = process.argv.slice(2);
const scripts = Object.keys(JSON.parse(readFileSync("package.json", "utf8")).scripts ?? {})
  .filter((name) => name.startsWith("bench:"))
  .filter((name) => only.length === 0 || only.includes(name.slice("bench:".length)));
if (scripts.length === 0) {
  console.error("no bench:* scripts found");
  process.exit(1);
}
const failed = [];
for (const name of scripts) {
  console.log(`\n=== npm run ${name}`);
  const r = spawnSync("npm", ["run", "--silent", name], { stdio: "inherit" });
  if (r.status !== 0) failed.push(name);
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(", ")}`);
  process.exit(1);
}
console.log(`\n${scripts.length} benchmarks written to BENCHMARKS.md`);
