//! Relinks llc fixtures (tests/fixtures/*.ll, built with llc) and reads the result back.
use super::*;
use object::read::elf::{Dyn, Rel, SectionHeader};
use object::LittleEndian as LE;

const CALLS: &[u8] = include_bytes!("../tests/fixtures/calls.o");

struct Linked {
    bytes: Vec<u8>,
}

impl Linked {
    fn file(&self) -> ElfFile64<'_, LE> {
        ElfFile64::parse(&*self.bytes).unwrap()
    }
    fn section(&self, name: &str) -> (u64, Vec<u8>) {
        let file = self.file();
        let s = file.section_by_name(name).unwrap_or_else(|| panic!("no {name}"));
        (s.address(), s.data().unwrap().to_vec())
    }
    fn insn(&self, addr: u64) -> [u8; 8] {
        self.bytes[addr as usize..addr as usize + 8].try_into().unwrap()
    }
    fn u64_at(&self, addr: u64) -> u64 {
        u64::from_le_bytes(self.bytes[addr as usize..addr as usize + 8].try_into().unwrap())
    }
}

fn imm(insn: [u8; 8]) -> i32 {
    i32::from_le_bytes(insn[4..8].try_into().unwrap())
}

fn link_calls() -> Linked {
    Linked { bytes: relink(CALLS).unwrap() }
}

#[test]
fn writes_an_sbpf_v0_shared_object_with_addresses_equal_to_offsets() {
    let out = link_calls();
    let file = out.file();
    let header = file.elf_header();
    assert_eq!(header.e_type(LE), object::elf::ET_DYN);
    assert_eq!(header.e_machine(LE), EM_BPF);
    assert_eq!(header.e_flags(LE), 0);
    let names: Vec<&str> = file.sections().map(|s| s.name().unwrap()).collect();
    assert_eq!(
        names,
        [".text", ".rodata", ".dynamic", ".dynsym", ".dynstr", ".rel.dyn", ".shstrtab"]
    );
    for s in file.elf_section_table().iter().filter(|s| s.sh_flags(LE) & u64::from(SHF_ALLOC) != 0)
    {
        assert_eq!(s.sh_addr(LE), s.sh_offset(LE));
    }
    let (text_addr, text) = out.section(".text");
    let entry = header.e_entry(LE);
    assert!(
        entry >= text_addr && entry < text_addr + text.len() as u64 && (entry - text_addr) % 8 == 0
    );
    assert_eq!(out.insn(entry)[0], isa::LDDW, "entrypoint starts with lddw of the table");
}

#[test]
fn data_addresses_are_absolute_from_mm_program_start() {
    let out = link_calls();
    let entry = out.file().elf_header().e_entry(LE);
    let (lo, hi) = (imm(out.insn(entry)) as u32 as u64, imm(out.insn(entry + 8)) as u32 as u64);
    let table = (hi << 32 | lo) - MM_PROGRAM_START;
    let (rodata_addr, rodata) = out.section(".rodata");
    assert!(table >= rodata_addr && table + 16 <= rodata_addr + rodata.len() as u64);
    let msg = out.u64_at(table) - MM_PROGRAM_START;
    assert_eq!(&out.bytes[msg as usize..msg as usize + 5], b"hello");
    let (text_addr, _) = out.section(".text");
    assert_eq!(
        out.u64_at(table + 8),
        MM_PROGRAM_START + text_addr,
        "pointer to helper, the first function"
    );
}

#[test]
fn calls_become_relative_syscalls_dynamic_and_callx_reads_imm() {
    let out = link_calls();
    let (text_addr, text) = out.section(".text");
    let calls: Vec<(u64, [u8; 8])> = (0..text.len() as u64 / 8)
        .map(|pc| (text_addr + pc * 8, out.insn(text_addr + pc * 8)))
        .filter(|(_, i)| i[0] == isa::CALL || i[0] == isa::CALLX)
        .collect();
    assert_eq!(calls.len(), 3);
    let (syscall_at, syscall) = calls[0];
    assert_eq!((syscall[1], imm(syscall)), (0, -1), "syscall: src 0, imm -1");
    assert_eq!((calls[1].1[1], imm(calls[1].1)), (0, 2), "callx r2 -> imm 2");
    let (internal_at, internal) = calls[2];
    assert_eq!(
        text_addr as i64
            + ((internal_at as i64 - text_addr as i64) / 8 + 1 + imm(internal) as i64) * 8,
        text_addr as i64,
        "calls helper"
    );

    let file = out.file();
    let dynamic = file.section_by_name(".rel.dyn").unwrap();
    let rels: &[object::elf::Rel64<LE>] =
        object::pod::slice_from_all_bytes(dynamic.data().unwrap()).unwrap();
    assert_eq!(rels.len(), 1);
    assert_eq!((rels[0].r_offset(LE), rels[0].r_type(LE)), (syscall_at, 10));
    let dynstr = file.section_by_name(".dynstr").unwrap().data().unwrap();
    assert_eq!(dynstr, b"\0entrypoint\0sol_log_\0");
    assert_eq!(rels[0].r_sym(LE), 2, "dynsym: null, entrypoint, sol_log_");
    let dyn_section = file.section_by_name(".dynamic").unwrap();
    let entries: &[object::elf::Dyn64<LE>] =
        object::pod::slice_from_all_bytes(dyn_section.data().unwrap()).unwrap();
    let tag = |t: u32| entries.iter().find(|d| d.d_tag(LE) == u64::from(t)).map(|d| d.d_val(LE));
    assert_eq!(tag(object::elf::DT_REL), Some(dynamic.address()));
    assert_eq!(tag(object::elf::DT_RELSZ), Some(16));
    assert_eq!(
        tag(object::elf::DT_SYMTAB),
        Some(file.section_by_name(".dynsym").unwrap().address())
    );
}

#[test]
fn refuses_writable_globals_by_name() {
    let err = relink(include_bytes!("../tests/fixtures/writable.o")).unwrap_err();
    assert!(err.contains("writable section .data") && err.contains("counter"), "{err}");
}

#[test]
fn refuses_calls_to_routines_that_are_not_syscalls() {
    let err = relink(include_bytes!("../tests/fixtures/builtin.o")).unwrap_err();
    assert!(err.contains("`__udivti3_like`, which is not a Solana syscall"), "{err}");
}
