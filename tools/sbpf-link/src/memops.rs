//! Rewrites `llvm.memcpy/memmove/memset` calls in textual IR into the Solana syscalls
//! `sol_memcpy_`, `sol_memmove_`, `sol_memset_`.
//!
//! The BPF backend cannot lower a variable-size memory intrinsic at all ("A call to built-in
//! function 'memcpy' is not supported"), and a large constant one becomes hundreds of byte
//! loads and stores. A syscall costs about 10 CU plus a few instructions to set up, so only
//! copies of at most [`MAX_INLINE_STORES`] stores stay with the backend.

const MAX_INLINE_STORES: u64 = 8;

struct Intrinsic {
    call: &'static str,
    syscall: &'static str,
    declaration: &'static str,
}

const INTRINSICS: [Intrinsic; 3] = [
    Intrinsic {
        call: "call void @llvm.memcpy.p0.p0.i64(",
        syscall: "sol_memcpy_",
        declaration: "declare void @sol_memcpy_(ptr, ptr, i64)",
    },
    Intrinsic {
        call: "call void @llvm.memmove.p0.p0.i64(",
        syscall: "sol_memmove_",
        declaration: "declare void @sol_memmove_(ptr, ptr, i64)",
    },
    Intrinsic {
        call: "call void @llvm.memset.p0.i64(",
        syscall: "sol_memset_",
        declaration: "declare void @sol_memset_(ptr, i8 zeroext, i64)",
    },
];

pub struct Rewritten {
    pub text: String,
    pub calls: usize,
}

pub fn rewrite(ir: &str) -> Result<Rewritten, String> {
    let memset_wide = declared_param_is_i64(ir, "sol_memset_", 1);
    let mut out = String::with_capacity(ir.len() + 256);
    let mut used = [false; 3];
    let mut calls = 0;
    for line in ir.lines() {
        let found = INTRINSICS.iter().enumerate().find_map(|(i, intr)| {
            let at = line.find(intr.call)?;
            (!line.trim_start().starts_with("declare")).then_some((i, at))
        });
        let Some((index, at)) = found else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let intr = &INTRINSICS[index];
        let open = at + intr.call.len();
        let close = matching_paren(line, open).ok_or_else(|| format!("unbalanced call: {line}"))?;
        let args = split_args(&line[open..close]);
        if args.len() != 4 {
            return Err(format!("unexpected {} call: {line}", intr.syscall));
        }
        let is_memset = intr.syscall == "sol_memset_";
        let align =
            if is_memset { align_of(args[0]) } else { align_of(args[0]).min(align_of(args[1])) };
        if stays_inline(args[2], align) {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let value = if is_memset && memset_wide {
            widen_byte(args[1], calls, &mut out)?
        } else {
            args[1].to_string()
        };
        out.push_str(&line[..at]);
        out.push_str(&format!("call void @{}({}, {value}, {})", intr.syscall, args[0], args[2]));
        out.push_str(&line[close + 1..]);
        out.push('\n');
        used[index] = true;
        calls += 1;
    }
    for (intr, used) in INTRINSICS.iter().zip(used) {
        if used && !is_declared(ir, intr.syscall) {
            out.push_str(intr.declaration);
            out.push('\n');
        }
    }
    Ok(Rewritten { text: out, calls })
}

/// Whether a copy of this size operand is cheaper left to the backend's loads and stores.
fn stays_inline(size_arg: &str, align: u64) -> bool {
    let Some(size) = last_token(size_arg).parse::<u64>().ok() else {
        return false;
    };
    let unit = align.clamp(1, 8);
    size.div_ceil(unit) <= MAX_INLINE_STORES
}

fn align_of(arg: &str) -> u64 {
    let mut tokens = arg.split_whitespace();
    while let Some(token) = tokens.next() {
        if token == "align" {
            return tokens.next().and_then(|n| n.parse().ok()).unwrap_or(1);
        }
    }
    1
}

/// A program may declare `sol_memset_(ptr, u64, u64)` itself; then the i8 fill byte must be
/// zero-extended to match that declaration.
fn widen_byte(arg: &str, n: usize, out: &mut String) -> Result<String, String> {
    let value = last_token(arg);
    if let Ok(byte) = value.parse::<i64>() {
        return Ok(format!("i64 {}", byte as u8));
    }
    if !(value.starts_with('%') && arg.trim_start().starts_with("i8")) {
        return Err(format!("unsupported memset fill value: {arg}"));
    }
    out.push_str(&format!("  %sbpf.link.fill.{n} = zext i8 {value} to i64\n"));
    Ok(format!("i64 %sbpf.link.fill.{n}"))
}

fn last_token(arg: &str) -> &str {
    arg.split_whitespace().last().unwrap_or("")
}

fn is_declared(ir: &str, name: &str) -> bool {
    let needle = format!("@{name}(");
    ir.lines()
        .any(|l| (l.starts_with("declare ") || l.starts_with("define ")) && l.contains(&needle))
}

fn declared_param_is_i64(ir: &str, name: &str, index: usize) -> bool {
    let needle = format!("@{name}(");
    ir.lines()
        .filter(|l| l.starts_with("declare ") || l.starts_with("define "))
        .find_map(|l| {
            let open = l.find(&needle)? + needle.len();
            let close = matching_paren(l, open)?;
            let params = split_args(&l[open..close]);
            params.get(index).map(|p| p.trim_start().starts_with("i64"))
        })
        .unwrap_or(false)
}

/// Index of the `)` closing the parenthesis opened just before `start`.
fn matching_paren(s: &str, start: usize) -> Option<usize> {
    let mut depth = 1usize;
    for (i, c) in s[start..].char_indices() {
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => {
                depth -= 1;
                if depth == 0 {
                    return Some(start + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits call arguments on top-level commas (`range(i64 0, 65)` and constant expressions
/// hold commas of their own).
fn split_args(s: &str) -> Vec<&str> {
    let mut args = Vec::new();
    let (mut depth, mut begin) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth -= 1,
            ',' if depth == 0 => {
                args.push(s[begin..i].trim());
                begin = i + 1;
            }
            _ => {}
        }
    }
    if !s[begin..].trim().is_empty() {
        args.push(s[begin..].trim());
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    const VARIABLE_COPY: &str = "  call void @llvm.memcpy.p0.p0.i64(ptr nonnull align 1 %4, ptr nonnull readonly align 1 %10, i64 range(i64 0, 65) %21, i1 false), !alias.scope !6";

    #[test]
    fn variable_copy_becomes_a_syscall() {
        let out = rewrite(&format!("{VARIABLE_COPY}\n")).unwrap();
        assert_eq!(out.calls, 1);
        assert_eq!(
            out.text,
            "  call void @sol_memcpy_(ptr nonnull align 1 %4, ptr nonnull readonly align 1 %10, i64 range(i64 0, 65) %21), !alias.scope !6\n\
             declare void @sol_memcpy_(ptr, ptr, i64)\n"
        );
    }

    #[test]
    fn small_constant_copies_stay_inline_large_ones_do_not() {
        let aligned = "  tail call void @llvm.memmove.p0.p0.i64(ptr align 8 %a, ptr align 8 %b, i64 64, i1 false)\n";
        assert_eq!(rewrite(aligned).unwrap().calls, 0, "8 u64 stores");
        let unaligned = aligned.replace("align 8 %b", "align 1 %b");
        let out = rewrite(&unaligned).unwrap();
        assert_eq!(out.calls, 1, "64 byte stores");
        assert!(out.text.starts_with(
            "  tail call void @sol_memmove_(ptr align 8 %a, ptr align 1 %b, i64 64)\n"
        ));
    }

    #[test]
    fn memset_keeps_the_byte_or_widens_it_for_a_u64_declaration() {
        let call = "  call void @llvm.memset.p0.i64(ptr align 1 %p, i8 %v, i64 %n, i1 false)\n";
        let out = rewrite(call).unwrap();
        assert!(out.text.contains("call void @sol_memset_(ptr align 1 %p, i8 %v, i64 %n)"));
        assert!(out.text.ends_with("declare void @sol_memset_(ptr, i8 zeroext, i64)\n"));

        let wide =
            format!("{call}declare void @sol_memset_(ptr noundef, i64 noundef, i64 noundef)\n");
        let out = rewrite(&wide).unwrap();
        assert!(out.text.starts_with("  %sbpf.link.fill.0 = zext i8 %v to i64\n  call void @sol_memset_(ptr align 1 %p, i64 %sbpf.link.fill.0, i64 %n)\n"));
        assert_eq!(out.text.matches("declare void @sol_memset_").count(), 1);

        let constant = wide.replace("i8 %v", "i8 -1");
        assert!(rewrite(&constant).unwrap().text.contains("i64 255, i64 %n)"));
    }

    #[test]
    fn declarations_and_unrelated_lines_are_untouched() {
        let ir = "declare void @llvm.memcpy.p0.p0.i64(ptr noalias writeonly captures(none), ptr noalias readonly captures(none), i64, i1 immarg) #6\n  %x = add i64 1, 2\n";
        let out = rewrite(ir).unwrap();
        assert_eq!((out.text.as_str(), out.calls), (ir, 0));
    }

    #[test]
    fn splits_nested_arguments() {
        assert_eq!(
            split_args("ptr getelementptr inbounds (i8, ptr @g, i64 8), i64 range(i64 0, 5) %n"),
            vec!["ptr getelementptr inbounds (i8, ptr @g, i64 8)", "i64 range(i64 0, 5) %n"]
        );
    }
}
