//! The LLVM command line tools of the same major version as rustc's LLVM (bitcode is only
//! readable by the version that wrote it, or newer).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The LLVM major version rustc-web 1.96 links against; scripts/build-program.mjs checks that
/// rustc agrees before calling us.
const DEFAULT_PREFIX: &str = "/usr/lib/llvm-22";

pub struct Tools {
    bin: PathBuf,
}

impl Tools {
    pub fn locate() -> Result<Tools, String> {
        let prefix = std::env::var_os("LLVM_PREFIX").map(PathBuf::from);
        let prefix = prefix.unwrap_or_else(|| PathBuf::from(DEFAULT_PREFIX));
        let bin = prefix.join("bin");
        for tool in ["llvm-link", "opt", "llvm-dis", "llc"] {
            if !bin.join(tool).is_file() {
                return Err(format!(
                    "{} not found: install the Debian package llvm-22 (or set LLVM_PREFIX)",
                    bin.join(tool).display()
                ));
            }
        }
        Ok(Tools { bin })
    }

    /// The first object is linked whole; with `--only-needed`, every later module (other
    /// objects, library members) contributes only definitions something already refers to.
    pub fn link(
        &self,
        objects: &[PathBuf],
        libraries: &[PathBuf],
        out: &Path,
    ) -> Result<(), String> {
        let mut cmd = self.cmd("llvm-link");
        cmd.arg("--only-needed").args(objects).args(libraries).arg("-o").arg(out);
        run(cmd)
    }

    /// Everything but the exports becomes internal, then one more -O3 round: core's panic
    /// paths arrive from the rlib unoptimised, and once internal, dead-argument elimination
    /// drops the `fmt::Arguments` the program's panic handler never reads (with them all of
    /// core::fmt, which the BPF backend could not compile anyway: too many arguments).
    pub fn optimize(&self, input: &Path, exports: &[String], out: &Path) -> Result<(), String> {
        let mut cmd = self.cmd("opt");
        cmd.arg("-passes=internalize,globaldce,default<O3>")
            .arg(format!("-internalize-public-api-list={}", exports.join(",")))
            .arg(input)
            .arg("-o")
            .arg(out);
        run(cmd)
    }

    /// Inlines the `alwaysinline` helpers [`crate::lowering`] added, and nothing else: a full
    /// pipeline here could turn loops back into memory intrinsics after they were rewritten.
    pub fn inline_helpers(&self, input: &Path, out: &Path) -> Result<(), String> {
        let mut cmd = self.cmd("opt");
        cmd.arg("-passes=always-inline").arg(input).arg("-o").arg(out);
        run(cmd)
    }

    pub fn disassemble(&self, input: &Path) -> Result<String, String> {
        let mut cmd = self.cmd("llvm-dis");
        cmd.arg(input).arg("-o").arg("-");
        let out = output(cmd)?;
        String::from_utf8(out).map_err(|_| "llvm-dis printed invalid UTF-8".into())
    }

    /// BPF v2 (no 32-bit subregisters, so no ALU32 that SBPF v0 would sign-extend) with
    /// Solana's 4 KiB stack frames.
    pub fn compile(&self, input: &Path, out: &Path) -> Result<(), String> {
        let mut cmd = self.cmd("llc");
        cmd.args(["-march=bpfel", "-mcpu=v2", "-O3", "-filetype=obj", "-bpf-stack-size=4096"])
            .arg(input)
            .arg("-o")
            .arg(out);
        run(cmd)
    }

    fn cmd(&self, tool: &str) -> Command {
        Command::new(self.bin.join(tool))
    }
}

fn run(cmd: Command) -> Result<(), String> {
    output(cmd).map(|_| ())
}

fn output(mut cmd: Command) -> Result<Vec<u8>, String> {
    let shown = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| format!("cannot run {shown}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{shown} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}
