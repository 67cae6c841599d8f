//! Instruction-level checks and fixes between upstream BPF (cpu v2) and SBPF v0.

pub const INSN: usize = 8;
pub const LDDW: u8 = 0x18;
pub const CALL: u8 = 0x85;
pub const CALLX: u8 = 0x8d;

/// Opcodes SBPF v0 runs exactly as upstream BPF does. Left out on purpose: 32-bit ALU
/// (v0 sign-extends the result, upstream zero-extends), JMP32, atomics, legacy packet loads,
/// and the v4 sign-extending loads.
const V0_OPCODES: &[u8] = &[
    LDDW, // lddw
    0x61, 0x69, 0x71, 0x79, // ldx w/h/b/dw
    0x62, 0x6a, 0x72, 0x7a, // st
    0x63, 0x6b, 0x73, 0x7b, // stx
    0xd4, 0xdc, // le, be (ALU class, but width comes from imm, not a 32-bit op)
    0x07, 0x0f, 0x17, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x47, 0x4f, 0x57, 0x5f, 0x67,
    0x6f, // alu64
    0x77, 0x7f, 0x87, 0x97, 0x9f, 0xa7, 0xaf, 0xb7, 0xbf, 0xc7, 0xcf, // alu64
    0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d, 0x55, 0x5d, 0x65, 0x6d, 0x75,
    0x7d, // jmp
    0xa5, 0xad, 0xb5, 0xbd, 0xc5, 0xcd, 0xd5, 0xdd, // jmp
    CALL, CALLX, 0x95, // call, callx, exit
];

/// ALU64 opcodes whose non-zero `off` field selects a BPF v4 variant (sdiv, smod, movsx).
const OFF_SELECTS_V4: &[u8] = &[0x37, 0x3f, 0x97, 0x9f, 0xb7, 0xbf];

/// Moves `callx`'s register from `dst` (upstream) to `imm` (where SBPF v0 reads it), and
/// rejects every instruction v0 would run differently. `name_of(pc)` names the function
/// holding instruction `pc`, for the error message.
pub fn fix_and_check(text: &mut [u8], name_of: &dyn Fn(usize) -> String) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut pc = 0;
    while pc * INSN < text.len() {
        let insn = &mut text[pc * INSN..pc * INSN + INSN];
        let op = insn[0];
        let off = i16::from_le_bytes([insn[2], insn[3]]);
        if !V0_OPCODES.contains(&op) {
            problems.push(format!("{} (pc {pc}): opcode {op:#04x} {}", name_of(pc), describe(op)));
        } else if off != 0 && OFF_SELECTS_V4.contains(&op) {
            problems.push(format!("{} (pc {pc}): opcode {op:#04x} with off={off} is a BPF v4 instruction (sdiv/smod/movsx)", name_of(pc)));
        } else if op == CALLX {
            let dst = insn[1] & 0x0f;
            insn[1] = 0;
            insn[4..8].copy_from_slice(&u32::from(dst).to_le_bytes());
        }
        pc += if op == LDDW { 2 } else { 1 };
    }
    if problems.is_empty() {
        return Ok(());
    }
    let shown = problems.iter().take(10).cloned().collect::<Vec<_>>().join("\n  ");
    Err(format!("{} instruction(s) SBPF v0 cannot run as compiled:\n  {shown}", problems.len()))
}

fn describe(op: u8) -> &'static str {
    match op & 0x07 {
        0x04 => "(32-bit ALU: SBPF v0 sign-extends its result; use u64 arithmetic)",
        0x06 => "(JMP32: not in SBPF v0)",
        0x01 => "(sign-extending load: BPF v4 only)",
        0x03 => "(atomic: not in SBPF)",
        _ => "(not an SBPF v0 instruction)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insn(op: u8, regs: u8, off: i16, imm: i32) -> [u8; 8] {
        let mut b = [0u8; 8];
        b[0] = op;
        b[1] = regs;
        b[2..4].copy_from_slice(&off.to_le_bytes());
        b[4..8].copy_from_slice(&imm.to_le_bytes());
        b
    }

    fn program(insns: &[[u8; 8]]) -> Vec<u8> {
        insns.concat()
    }

    fn name(pc: usize) -> String {
        format!("f{pc}")
    }

    #[test]
    fn callx_register_moves_from_dst_to_imm() {
        let mut text = program(&[insn(CALLX, 0x08, 0, 0), insn(0x95, 0, 0, 0)]);
        fix_and_check(&mut text, &name).unwrap();
        assert_eq!(&text[..8], &insn(CALLX, 0, 0, 8));
    }

    #[test]
    fn lddw_second_slot_is_not_decoded() {
        // The second slot of lddw has opcode 0, which is not an instruction by itself.
        let mut text = program(&[insn(LDDW, 1, 0, 5), insn(0, 0, 0, 1), insn(0x95, 0, 0, 0)]);
        fix_and_check(&mut text, &name).unwrap();
    }

    #[test]
    fn rejects_alu32_jmp32_and_v4_encodings_by_name() {
        let cases = [
            (insn(0x04, 1, 0, 1), "32-bit ALU"), // add32
            (insn(0x16, 1, 0, 1), "JMP32"),      // jeq32
            (insn(0x81, 0x21, 0, 0), "sign-extending load"),
            (insn(0x3f, 0x21, 1, 0), "sdiv/smod/movsx"), // sdiv
            (insn(0xbf, 0x21, 8, 0), "sdiv/smod/movsx"), // movsx
            (insn(0xdb, 0x21, 0, 0), "atomic"),
        ];
        for (bad, why) in cases {
            let mut text = program(&[insn(0xb7, 0, 0, 0), bad]);
            let err = fix_and_check(&mut text, &name).unwrap_err();
            assert!(err.contains(why) && err.contains("f1 (pc 1)"), "{err}");
        }
    }

    #[test]
    fn accepts_byte_swaps_and_unsigned_division() {
        let mut text =
            program(&[insn(0xdc, 1, 0, 32), insn(0x3f, 0x21, 0, 0), insn(0x95, 0, 0, 0)]);
        fix_and_check(&mut text, &name).unwrap();
    }
}
