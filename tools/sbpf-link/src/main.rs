//! `sbpf-link`: the linker rustc calls for `bpfel-unknown-none` (see scripts/build-program.mjs).
//!
//! rustc hands over one fat-LTO bitcode object plus the rlibs it was built from. The steps:
//! bitcode -> llvm-link -> opt (internalize, globaldce, O3) -> mem* intrinsics rewritten to syscalls
//! and missing routines supplied ([`memops`], [`lowering`]) -> opt (always-inline) -> llc (BPF v2,
//! 4 KiB frames) -> relocatable ELF -> [`relink`] -> SBPF v0 shared object.

mod args;
mod elf;
mod elf_out;
mod isa;
mod llvm;
mod lowering;
mod memops;
mod relink;

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match run(&argv) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sbpf-link: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(argv: &[String]) -> Result<(), String> {
    let args = args::parse(argv)?;
    let tools = llvm::Tools::locate()?;
    let work = tempdir(&args.output)?;
    let result = link(&args, &tools, &work);
    if std::env::var_os("SBPF_LINK_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&work);
    } else {
        eprintln!("sbpf-link: intermediate files kept in {}", work.display());
    }
    result
}

fn link(args: &args::Args, tools: &llvm::Tools, work: &Path) -> Result<(), String> {
    let bitcode = args::bitcode_inputs(&args.inputs, work)?;
    if bitcode.objects.is_empty() {
        return Err("no LLVM bitcode among the inputs: build with lto = \"fat\"".into());
    }
    let linked = work.join("linked.bc");
    tools.link(&bitcode.objects, &bitcode.libraries, &linked)?;
    let internal = work.join("internal.bc");
    tools.optimize(&linked, &args.exports, &internal)?;
    let ir = tools.disassemble(&internal)?;
    let rewritten = memops::rewrite(&ir)?;
    if std::env::var_os("SBPF_LINK_VERBOSE").is_some() {
        eprintln!("sbpf-link: {} mem* call(s) rewritten to syscalls", rewritten.calls);
    }
    let lowered = lowering::rewrite(&rewritten.text);
    let rewritten_path = work.join("rewritten.ll");
    std::fs::write(&rewritten_path, lowered).map_err(|e| format!("write IR: {e}"))?;
    let inlined = work.join("inlined.bc");
    tools.inline_helpers(&rewritten_path, &inlined)?;
    let object = work.join("program.o");
    tools.compile(&inlined, &object)?;
    let bytes = std::fs::read(&object).map_err(|e| format!("read {}: {e}", object.display()))?;
    let shared = relink::relink(&bytes)?;
    std::fs::write(&args.output, shared)
        .map_err(|e| format!("write {}: {e}", args.output.display()))
}

/// A scratch directory beside the output, so nothing depends on the system temp location.
fn tempdir(output: &Path) -> Result<std::path::PathBuf, String> {
    let parent = output.parent().unwrap_or(Path::new("."));
    let dir = parent.join(format!("sbpf-link-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    Ok(dir)
}
