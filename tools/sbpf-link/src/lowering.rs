//! Supplies, in textual IR, the routines the BPF backend would otherwise call out to and that
//! SBPF has no library for: `llvm.umul.with.overflow.i64` (what `u64::checked_mul` becomes;
//! llc lowers it through a 128-bit `__multi3`) and libc's `memcmp`/`bcmp` (slice equality),
//! which become the `sol_memcmp_` syscall. The helpers are `alwaysinline`; the caller runs
//! `opt -passes=always-inline` afterwards.

const UMULO: &str = "@llvm.umul.with.overflow.i64(";
const UMULO_HELPER: &str = "@sbpf.link.umul.with.overflow.i64(";

/// Overflow iff a != 0 and (a * b) / a != b: one multiply and one division, both native.
const UMULO_DEFINITION: &str =
    "define internal { i64, i1 } @sbpf.link.umul.with.overflow.i64(i64 %a, i64 %b) alwaysinline {
  %p = mul i64 %a, %b
  %z = icmp eq i64 %a, 0
  %d = select i1 %z, i64 1, i64 %a
  %q = udiv i64 %p, %d
  %ne = icmp ne i64 %q, %b
  %o = select i1 %z, i1 false, i1 %ne
  %s0 = insertvalue { i64, i1 } poison, i64 %p, 0
  %s1 = insertvalue { i64, i1 } %s0, i1 %o, 1
  ret { i64, i1 } %s1
}";

fn compare_definition(name: &str) -> String {
    format!(
        "define internal i32 @{name}(ptr %a, ptr %b, i64 %n) alwaysinline {{
  %r = alloca i32, align 4
  call void @sol_memcmp_(ptr %a, ptr %b, i64 %n, ptr %r)
  %v = load i32, ptr %r, align 4
  ret i32 %v
}}"
    )
}

pub fn rewrite(ir: &str) -> String {
    let mut out = String::with_capacity(ir.len() + 1024);
    let (mut umulo, mut compare) = (false, false);
    for line in ir.lines() {
        let is_declaration = line.starts_with("declare ");
        if is_declaration && (line.contains(" @memcmp(") || line.contains(" @bcmp(")) {
            let name = if line.contains(" @memcmp(") { "memcmp" } else { "bcmp" };
            out.push_str(&compare_definition(name));
            compare = true;
        } else if !is_declaration && line.contains(UMULO) {
            out.push_str(&line.replace(UMULO, UMULO_HELPER));
            umulo = true;
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    if umulo {
        out.push_str(UMULO_DEFINITION);
        out.push('\n');
    }
    if compare && !ir.lines().any(|l| l.starts_with("declare ") && l.contains("@sol_memcmp_(")) {
        out.push_str("declare void @sol_memcmp_(ptr, ptr, i64, ptr)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_multiplication_uses_the_inline_helper() {
        let ir = "  %r = call { i64, i1 } @llvm.umul.with.overflow.i64(i64 %a, i64 %b)\ndeclare { i64, i1 } @llvm.umul.with.overflow.i64(i64, i64) #3\n";
        let out = rewrite(ir);
        assert!(out.starts_with("  %r = call { i64, i1 } @sbpf.link.umul.with.overflow.i64(i64 %a, i64 %b)\ndeclare { i64, i1 } @llvm.umul.with.overflow.i64(i64, i64) #3\n"));
        assert!(out.ends_with(&format!("{UMULO_DEFINITION}\n")));
    }

    #[test]
    fn memcmp_and_bcmp_declarations_become_syscall_wrappers() {
        let ir = "declare noundef i32 @bcmp(ptr noundef, ptr noundef, i64 noundef) unnamed_addr #5\n  %c = call i32 @bcmp(ptr %x, ptr %y, i64 %n)\n";
        let out = rewrite(ir);
        assert!(
            out.starts_with("define internal i32 @bcmp(ptr %a, ptr %b, i64 %n) alwaysinline {\n")
        );
        assert!(out.contains("  %c = call i32 @bcmp(ptr %x, ptr %y, i64 %n)\n"));
        assert!(out.ends_with("declare void @sol_memcmp_(ptr, ptr, i64, ptr)\n"));
        let declared = format!(
            "{ir}declare void @sol_memcmp_(ptr noundef, ptr noundef, i64 noundef, ptr noundef)\n"
        );
        assert_eq!(
            rewrite(&declared).matches("@sol_memcmp_(ptr").count(),
            2,
            "one declaration, one call"
        );
    }

    #[test]
    fn leaves_other_ir_alone() {
        let ir = "define i64 @f(i64 %a) {\n  ret i64 %a\n}\n";
        assert_eq!(rewrite(ir), ir);
    }
}
