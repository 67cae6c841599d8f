// Finds and checks the Debian toolchain the offline program build runs on, failing with the
// package to install: rustc-web (rustc + LLVM 22), cargo-web, rust-web-src (std sources for
// -Zbuild-std), llvm-22 (llvm-link/opt/llc, same major version as rustc's LLVM).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const RUSTC = "/usr/bin/rustc";
const CARGO = "/usr/bin/cargo";

export class ToolchainError extends Error {}

function missing(what, pkg) {
  return new ToolchainError(
    `${what} is missing: install the Debian package ${pkg} ` +
      `(apt-get install -y rustc-web cargo-web rust-web-src llvm-22). ` +
      `Elsewhere, build with the official toolchain: cargo build-sbf.`,
  );
}

/** Versions and paths of the toolchain, or a ToolchainError naming the missing package. */
export function locateToolchain() {
  if (!existsSync(RUSTC)) throw missing(RUSTC, "rustc-web");
  if (!existsSync(CARGO)) throw missing(CARGO, "cargo-web");
  const info = execFileSync(RUSTC, ["-vV"], { encoding: "utf8" });
  const release = /^release: (\S+)$/m.exec(info)?.[1];
  const llvm = /^LLVM version: (\d+)/m.exec(info)?.[1];
  if (!release || !llvm) throw new ToolchainError(`cannot read the version of ${RUSTC}:\n${info}`);
  const library = `/usr/src/rustc-${release}/library`;
  if (!existsSync(`${library}/core`)) throw missing(`${library} (std sources)`, "rust-web-src");
  const vendor = `${library}/vendor`;
  const llvmPrefix = process.env.LLVM_PREFIX ?? `/usr/lib/llvm-${llvm}`;
  for (const tool of ["llvm-link", "opt", "llvm-dis", "llc"]) {
    if (!existsSync(`${llvmPrefix}/bin/${tool}`)) throw missing(`${llvmPrefix}/bin/${tool}`, `llvm-${llvm}`);
  }
  const llc = execFileSync(`${llvmPrefix}/bin/llc`, ["--version"], { encoding: "utf8" });
  const llcMajor = /LLVM version (\d+)/.exec(llc)?.[1];
  if (llcMajor !== llvm) {
    throw new ToolchainError(
      `rustc uses LLVM ${llvm} but ${llvmPrefix} is LLVM ${llcMajor}: bitcode only passes between ` +
        `the same major version; install llvm-${llvm} or point LLVM_PREFIX at it`,
    );
  }
  return { rustc: RUSTC, cargo: CARGO, release, llvm, vendor, llvmPrefix };
}

/**
 * cargo --config flags that resolve crates.io from std's own vendored sources, offline. Scoped
 * to the program build (never in .cargo/config.toml) so host `cargo test` keeps using crates.io.
 */
export function offlineCargoConfig(toolchain) {
  if (!existsSync(toolchain.vendor)) throw missing(`${toolchain.vendor} (std's vendored crates)`, "rust-web-src");
  return [
    "--config",
    'source.crates-io.replace-with="debian-rust-vendor"',
    "--config",
    `source.debian-rust-vendor.directory="${toolchain.vendor}"`,
    "--config",
    "net.offline=true",
  ];
}
