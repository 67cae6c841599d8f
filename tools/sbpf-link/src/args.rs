//! The command line rustc passes to a `bpf` flavour linker, e.g.
//! `--export-symbols <file> <objects> <rlibs> -L <dir> --cpu v2 -o <out.so> -O3 --debug`.

use std::path::{Path, PathBuf};

pub struct Args {
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    pub exports: Vec<String>,
}

pub fn parse(argv: &[String]) -> Result<Args, String> {
    let mut inputs = Vec::new();
    let mut output = None;
    let mut exports = Vec::new();
    let mut it = argv.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-o" => output = Some(PathBuf::from(value(&mut it, "-o")?)),
            "--export-symbols" => {
                let file = value(&mut it, "--export-symbols")?;
                let text = std::fs::read_to_string(file)
                    .map_err(|e| format!("read export list {file}: {e}"))?;
                exports.extend(
                    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from),
                );
            }
            // Options that take a value we do not need: the pipeline fixes cpu and optimisation.
            "-L" | "--cpu" | "--cpu-features" | "--target" => {
                value(&mut it, arg)?;
            }
            flag if flag.starts_with('-') => {}
            path => inputs.push(PathBuf::from(path)),
        }
    }
    let output = output.ok_or("missing -o <output>")?;
    if !exports.iter().any(|e| e == "entrypoint") {
        exports.push("entrypoint".into());
    }
    Ok(Args { inputs, output, exports })
}

fn value<'a>(it: &mut impl Iterator<Item = &'a String>, flag: &str) -> Result<&'a str, String> {
    it.next().map(String::as_str).ok_or_else(|| format!("{flag} needs a value"))
}

/// The program's bitcode objects, then bitcode members of the rlibs (written into `work`).
/// rlibs supply what LTO left as declarations (core's out-of-line panic paths); they are linked
/// only for symbols still needed. compiler_builtins is skipped: its u128/float routines cannot be
/// compiled for BPF, and anything a program really needs from it surfaces as an undefined
/// symbol in `relink` with an explanation.
pub struct Bitcode {
    pub objects: Vec<PathBuf>,
    pub libraries: Vec<PathBuf>,
}

pub fn bitcode_inputs(inputs: &[PathBuf], work: &Path) -> Result<Bitcode, String> {
    let mut found = Bitcode { objects: Vec::new(), libraries: Vec::new() };
    for path in inputs {
        let is_archive = path.extension().is_some_and(|e| e == "rlib" || e == "a");
        if !is_archive {
            let bytes = std::fs::read(path).map_err(|e| format!("read {}: {e}", path.display()))?;
            if is_bitcode(&bytes) {
                found.objects.push(path.clone());
            }
            continue;
        }
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if file_name.starts_with("libcompiler_builtins-") {
            continue;
        }
        let bytes = std::fs::read(path).map_err(|e| format!("read {}: {e}", path.display()))?;
        let archive = object::read::archive::ArchiveFile::parse(&*bytes)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        for (i, member) in archive.members().enumerate() {
            let member = member.map_err(|e| format!("{}: {e}", path.display()))?;
            let data = member.data(&*bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            if is_bitcode(data) {
                let out = work.join(format!("{}.{i}.bc", file_name.trim_end_matches(".rlib")));
                std::fs::write(&out, data).map_err(|e| format!("write {}: {e}", out.display()))?;
                found.libraries.push(out);
            }
        }
    }
    Ok(found)
}

fn is_bitcode(bytes: &[u8]) -> bool {
    bytes.starts_with(b"BC\xc0\xde") || bytes.starts_with(&[0xde, 0xc0, 0x17, 0x0b])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_rustc_command_line() {
        let dir = std::env::temp_dir().join(format!("sbpf-link-args-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let symbols = dir.join("symbols");
        std::fs::write(&symbols, "entrypoint\nhelper\n").unwrap();
        let argv = strings(&[
            "--export-symbols",
            symbols.to_str().unwrap(),
            "a.o",
            "libcore.rlib",
            "-L",
            "raw",
            "--cpu",
            "v2",
            "-o",
            "out.so",
            "-O3",
            "--debug",
        ]);
        let args = parse(&argv).unwrap();
        assert_eq!(args.output, PathBuf::from("out.so"));
        assert_eq!(args.inputs, vec![PathBuf::from("a.o"), PathBuf::from("libcore.rlib")]);
        assert_eq!(args.exports, strings(&["entrypoint", "helper"]));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn requires_an_output_and_keeps_entrypoint() {
        assert!(parse(&strings(&["a.o"])).is_err());
        let args = parse(&strings(&["a.o", "-o", "x.so"])).unwrap();
        assert_eq!(args.exports, strings(&["entrypoint"]));
    }
}
