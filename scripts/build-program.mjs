#!/usr/bin/env node
// Builds the on-chain program offline with Debian's rustc + LLVM and tools/sbpf-link, into
// programs/distributor/bin/merit_distributor.so (+ .sha256). See docs/build.md.
//
//   npm run build:program                     build and write the committed .so
//   npm run build:program -- --check          rebuild into a temp dir; fail if bytes differ
//   npm run build:program -- --crate tools/sbf-smoke --out target/sbf-smoke/sbf_smoke.so
//   --online                                  resolve crates.io normally instead of std's vendor
//   --clean                                   build in a new temporary target dir (slow: ~3 min),
//                                             e.g. with --check to prove reproducibility
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { locateToolchain, offlineCargoConfig, ToolchainError } from "./lib/sbf-toolchain.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TARGET = "bpfel-unknown-none";

function parseArgs(argv) {
  const opts = { crate: "programs/distributor", out: undefined, check: false, online: false, clean: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--check") opts.check = true;
    else if (a === "--online") opts.online = true;
    else if (a === "--clean") opts.clean = true;
    else if (a === "--crate" || a === "--out") opts[a.slice(2)] = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  opts.out ??= opts.crate === "programs/distributor" ? "programs/distributor/bin/merit_distributor.so" : undefined;
  if (!opts.out || !opts.crate) throw new Error("--crate needs --out <file.so>");
  return opts;
}

function packageName(crateDir) {
  const manifest = readFileSync(join(ROOT, crateDir, "Cargo.toml"), "utf8");
  const name = /^\[package\][^[]*?^name\s*=\s*"([^"]+)"/ms.exec(manifest)?.[1];
  if (!name) throw new Error(`no [package] name in ${crateDir}/Cargo.toml`);
  return name;
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const step = (msg) => console.log(`[build-program ${elapsed()}] ${msg}`);

function run(cmd, args, env) {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", fail);
    child.on("exit", (code) => (code === 0 ? ok() : fail(new Error(`${basename(cmd)} ${args[0]} exited with ${code}`))));
  });
}

async function build(opts, outPath) {
  const tc = locateToolchain();
  step(`rustc ${tc.release} (LLVM ${tc.llvm}), LLVM tools ${tc.llvmPrefix}`);
  const cargoConfig = opts.online ? [] : offlineCargoConfig(tc);
  const targetDir = opts.clean ? (opts.targetDir = mkdtempSync(join(tmpdir(), "merit-sbf-target-"))) : join(ROOT, "target", "sbf");
  const hostEnv = { RUSTC: tc.rustc, CARGO_TARGET_DIR: targetDir };

  step("building the linker tools/sbpf-link (host)");
  await run(tc.cargo, ["build", "--release", "--quiet", "-p", "sbpf-link", ...cargoConfig], hostEnv);
  const linker = join(targetDir, "release", "sbpf-link");

  const name = packageName(opts.crate);
  step(`building ${name} for ${TARGET} (a clean build compiles core first: ~1 min on 2 cores)`);
  // Paths are remapped so the .so does not depend on where the repository is checked out.
  const rustflags = [
    "-C",
    "target-cpu=v2",
    `--remap-path-prefix=${ROOT}=.`,
    `--remap-path-prefix=${dirname(tc.vendor)}=/rustc/library`,
    `--remap-path-prefix=${process.env.CARGO_HOME ?? join(process.env.HOME ?? "/root", ".cargo")}=/cargo`,
  ].join(" ");
  // cargo does not track the linker binary: passing a digest of its sources as a (ignored)
  // link argument of the program crate relinks it, and only it, when the linker changes.
  await run(
    tc.cargo,
    [
      "rustc",
      "--release",
      "--lib",
      "-Zbuild-std=core",
      "--target",
      TARGET,
      "-p",
      name,
      ...cargoConfig,
      "--",
      "-C",
      `link-arg=--sbpf-link-id=${linkerId()}`,
    ],
    {
      ...hostEnv,
      RUSTC_BOOTSTRAP: "1",
      LLVM_PREFIX: tc.llvmPrefix,
      CARGO_TARGET_BPFEL_UNKNOWN_NONE_LINKER: linker,
      CARGO_TARGET_BPFEL_UNKNOWN_NONE_RUSTFLAGS: rustflags,
      CARGO_PROFILE_RELEASE_LTO: "fat",
      CARGO_PROFILE_RELEASE_CODEGEN_UNITS: "1",
      CARGO_PROFILE_RELEASE_PANIC: "abort",
      CARGO_PROFILE_RELEASE_OPT_LEVEL: "3",
    },
  );
  const built = join(targetDir, TARGET, "release", `lib${name.replaceAll("-", "_")}.so`);
  if (!existsSync(built)) throw new Error(`cargo finished but ${built} is missing`);
  mkdirSync(dirname(outPath), { recursive: true });
  copyFileSync(built, outPath);
  return readFileSync(outPath);
}

async function buildIn(opts, outPath) {
  try {
    return await build(opts, outPath);
  } finally {
    if (opts.clean && opts.targetDir) rmSync(opts.targetDir, { recursive: true, force: true });
  }
}

function linkerId() {
  const dir = join(ROOT, "tools", "sbpf-link");
  const files = [
    "Cargo.toml",
    ...readdirSync(join(dir, "src"))
      .sort()
      .map((f) => join("src", f)),
  ];
  const hash = createHash("sha256");
  for (const f of files) hash.update(f).update(readFileSync(join(dir, f)));
  return hash.digest("hex").slice(0, 16);
}

function sha256(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const out = resolve(ROOT, opts.out);
  if (opts.check) {
    if (!existsSync(out)) throw new Error(`${opts.out} does not exist: run npm run build:program first`);
    const dir = mkdtempSync(join(tmpdir(), "merit-build-check-"));
    try {
      const fresh = await buildIn(opts, join(dir, basename(out)));
      const committed = readFileSync(out);
      if (!fresh.equals(committed)) {
        console.error(
          `build-program --check: ${opts.out} is stale or not reproducible:\n` +
            `  committed sha256 ${sha256(committed)} (${committed.length} bytes)\n` +
            `  rebuilt   sha256 ${sha256(fresh)} (${fresh.length} bytes)\n` +
            `run npm run build:program and commit the result`,
        );
        process.exit(1);
      }
      step(`OK: ${opts.out} matches a fresh build (sha256 ${sha256(fresh)})`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const bytes = await buildIn(opts, out);
  writeFileSync(`${out}.sha256`, `${sha256(bytes)}  ${basename(out)}\n`);
  step(`wrote ${relative(ROOT, out)} (${bytes.length} bytes, sha256 ${sha256(bytes)})`);
}

main().catch((err) => {
  console.error(err instanceof ToolchainError ? `build-program: ${err.message}` : err);
  process.exit(1);
});
