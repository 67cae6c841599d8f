//! Turns llc's relocatable BPF object into an SBPF v0 shared object: places sections,
//! resolves every data and call relocation at link time, and leaves only syscalls for the
//! loader (as dynamic R_BPF_64_32 relocations it binds by name).

use crate::elf::{self, Layout, Program, SyscallReloc, MM_PROGRAM_START};
use crate::isa;
use object::elf::{EM_BPF, ET_REL, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE};
use object::read::elf::{ElfFile64, FileHeader};
use object::{
    LittleEndian, Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget,
};
use object::{SectionIndex, SectionKind};
use std::collections::{BTreeMap, HashMap};

const R_BPF_NONE: u32 = 0;
const R_BPF_64_64: u32 = 1;
const R_BPF_64_ABS64: u32 = 2;
const R_BPF_64_32: u32 = 10;

#[derive(Clone, Copy, PartialEq)]
enum Out {
    Text,
    Rodata,
}

struct Placement {
    out: Out,
    offset: u64,
}

pub fn relink(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let file = ElfFile64::<LittleEndian>::parse(bytes).map_err(|e| format!("llc output: {e}"))?;
    let header = file.elf_header();
    if header.e_machine(LittleEndian) != EM_BPF || header.e_type(LittleEndian) != ET_REL {
        return Err("llc output is not a relocatable BPF object".into());
    }
    let (placements, mut text, mut rodata, rodata_align) = place_sections(&file)?;
    let layout = Layout::new(text.len() as u64, rodata.len() as u64, rodata_align);
    let base = |p: &Placement| match p.out {
        Out::Text => layout.text_addr + p.offset,
        Out::Rodata => layout.rodata_addr + p.offset,
    };

    let mut syscalls = Vec::new();
    for section in file.sections() {
        let Some(place) = placements.get(&section.index()) else {
            continue;
        };
        for (offset, rel) in section.relocations() {
            let RelocationFlags::Elf { r_type } = rel.flags() else {
                unreachable!()
            };
            let RelocationTarget::Symbol(sym_index) = rel.target() else {
                return Err(format!("relocation at {offset:#x} without a symbol"));
            };
            let symbol = file.symbol_by_index(sym_index).map_err(|e| e.to_string())?;
            let name = symbol.name().unwrap_or("?").to_string();
            let target = match symbol.section_index() {
                Some(i) => placements.get(&i).map(|p| base(p) + symbol.address()),
                None => None,
            };
            let at = (place.offset + offset) as usize;
            let data: &mut Vec<u8> = if place.out == Out::Text {
                &mut text
            } else {
                &mut rodata
            };
            match (r_type, target) {
                (R_BPF_NONE, _) => {}
                (R_BPF_64_64, Some(target)) => {
                    // lddw: implicit addend in the first slot's imm, result split over both.
                    let addr = MM_PROGRAM_START + target + u64::from(read_u32(data, at + 4));
                    data[at + 4..at + 8].copy_from_slice(&(addr as u32).to_le_bytes());
                    data[at + 12..at + 16].copy_from_slice(&((addr >> 32) as u32).to_le_bytes());
                }
                (R_BPF_64_ABS64, Some(target)) => {
                    let addend = u64::from_le_bytes(data[at..at + 8].try_into().unwrap());
                    let addr = MM_PROGRAM_START + target + addend;
                    data[at..at + 8].copy_from_slice(&addr.to_le_bytes());
                }
                (R_BPF_64_32, Some(target)) if place.out == Out::Text => {
                    // The imm holds (addend - 8) / 8; SBPF v0 wants a pc-relative slot count.
                    let imm = read_u32(data, at + 4) as i32 as i64;
                    let dest = target as i64 + imm * 8 + 8;
                    let here = (layout.text_addr + place.offset + offset) as i64;
                    let rel = (dest - here - 8) / 8;
                    data[at + 4..at + 8].copy_from_slice(&(rel as i32).to_le_bytes());
                }
                (R_BPF_64_32, None) if place.out == Out::Text => {
                    check_syscall(&name, read_u32(data, at + 4))?;
                    data[at + 1] = 0; // upstream marks external calls src=1; v0 wants 0
                    let offset = layout.text_addr + place.offset + offset;
                    syscalls.push(SyscallReloc { offset, name });
                }
                (_, None) => {
                    return Err(format!("undefined symbol `{name}` (is lto = \"fat\" set?)"))
                }
                (other, _) => {
                    return Err(format!(
                        "unsupported relocation type {other} against `{name}` at {offset:#x}"
                    ))
                }
            }
        }
    }

    let functions = function_starts(&file, &placements, layout.text_addr);
    let name_of = |pc: usize| {
        let addr = layout.text_addr + (pc * isa::INSN) as u64;
        functions
            .range(..=addr)
            .next_back()
            .map_or("?".into(), |(_, n)| n.clone())
    };
    isa::fix_and_check(&mut text, &name_of)?;

    let entry = file
        .symbols()
        .find(|s| s.name() == Ok("entrypoint") && s.is_definition())
        .and_then(|s| {
            placements
                .get(&s.section_index()?)
                .map(|p| base(p) + s.address())
        })
        .ok_or("the program defines no `entrypoint` function")?;
    syscalls.sort_by_key(|s| s.offset);
    Ok(elf::write(&Program {
        layout: &layout,
        text: &text,
        rodata: &rodata,
        entry,
        syscalls: &syscalls,
    }))
}

type Placed = (HashMap<SectionIndex, Placement>, Vec<u8>, Vec<u8>, u64);

/// Concatenates executable sections into `.text` and read-only data into `.rodata`;
/// refuses writable data, which SBPF v0 cannot map.
fn place_sections(file: &ElfFile64<LittleEndian>) -> Result<Placed, String> {
    let mut placements = HashMap::new();
    let (mut text, mut rodata, mut rodata_align) = (Vec::new(), Vec::new(), 1u64);
    for section in file.sections() {
        let name = section.name().unwrap_or("?");
        let object::SectionFlags::Elf { sh_flags } = section.flags() else {
            continue;
        };
        if sh_flags & u64::from(SHF_ALLOC) == 0 || name == ".eh_frame" {
            continue; // debug info, BTF, unwind tables (nothing unwinds on SBPF): not loaded
        }
        let data = section.data().map_err(|e| e.to_string())?;
        let is_relro = name.starts_with(".data.rel.ro");
        let (out, buf) = if sh_flags & u64::from(SHF_EXECINSTR) != 0 {
            (Out::Text, &mut text)
        } else if name.starts_with(".rodata") || is_relro {
            rodata_align = rodata_align.max(section.align());
            (Out::Rodata, &mut rodata)
        } else if sh_flags & u64::from(SHF_WRITE) != 0
            || section.kind() == SectionKind::UninitializedData
        {
            return Err(writable_error(file, section.index(), name));
        } else {
            return Err(format!("unexpected loadable section {name}"));
        };
        let offset = elf::align(buf.len() as u64, section.align().max(1));
        buf.resize(offset as usize, 0);
        buf.extend_from_slice(data);
        placements.insert(section.index(), Placement { out, offset });
    }
    Ok((placements, text, rodata, rodata_align))
}

fn writable_error(file: &ElfFile64<LittleEndian>, index: SectionIndex, name: &str) -> String {
    let symbols: Vec<&str> = file
        .symbols()
        .filter(|s| s.section_index() == Some(index))
        .filter_map(|s| s.name().ok())
        .filter(|n| !n.is_empty())
        .collect();
    format!(
        "writable section {name} (symbols: {}): SBPF v0 has no writable globals (.data/.bss); \
         make the value a const or keep it in an account",
        symbols.join(", ")
    )
}

fn check_syscall(name: &str, imm: u32) -> Result<(), String> {
    if !(name.starts_with("sol_") || name == "abort") {
        return Err(format!(
            "call to undefined `{name}`, which is not a Solana syscall; the BPF backend has no \
             u128 multiply/divide, float or signed-division routines: rewrite with u64 math"
        ));
    }
    if imm != u32::MAX {
        return Err(format!(
            "call to `{name}` with addend imm {imm:#x} (expected -1)"
        ));
    }
    Ok(())
}

fn function_starts(
    file: &ElfFile64<LittleEndian>,
    placements: &HashMap<SectionIndex, Placement>,
    text_addr: u64,
) -> BTreeMap<u64, String> {
    file.symbols()
        .filter(|s| s.kind() == object::SymbolKind::Text)
        .filter_map(|s| {
            let p = placements.get(&s.section_index()?)?;
            Some((
                text_addr + p.offset + s.address(),
                s.name().ok()?.to_string(),
            ))
        })
        .collect()
}

fn read_u32(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(data[at..at + 4].try_into().unwrap())
}

#[cfg(test)]
mod tests {
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
            let s = file
                .section_by_name(name)
                .unwrap_or_else(|| panic!("no {name}"));
            (s.address(), s.data().unwrap().to_vec())
        }
        fn insn(&self, addr: u64) -> [u8; 8] {
            self.bytes[addr as usize..addr as usize + 8]
                .try_into()
                .unwrap()
        }
        fn u64_at(&self, addr: u64) -> u64 {
            u64::from_le_bytes(
                self.bytes[addr as usize..addr as usize + 8]
                    .try_into()
                    .unwrap(),
            )
        }
    }

    fn imm(insn: [u8; 8]) -> i32 {
        i32::from_le_bytes(insn[4..8].try_into().unwrap())
    }

    fn link_calls() -> Linked {
        Linked {
            bytes: relink(CALLS).unwrap(),
        }
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
            [
                ".text",
                ".rodata",
                ".dynamic",
                ".dynsym",
                ".dynstr",
                ".rel.dyn",
                ".shstrtab"
            ]
        );
        for s in file
            .elf_section_table()
            .iter()
            .filter(|s| s.sh_flags(LE) & u64::from(SHF_ALLOC) != 0)
        {
            assert_eq!(s.sh_addr(LE), s.sh_offset(LE));
        }
        let (text_addr, text) = out.section(".text");
        let entry = header.e_entry(LE);
        assert!(
            entry >= text_addr
                && entry < text_addr + text.len() as u64
                && (entry - text_addr) % 8 == 0
        );
        assert_eq!(
            out.insn(entry)[0],
            isa::LDDW,
            "entrypoint starts with lddw of the table"
        );
    }

    #[test]
    fn data_addresses_are_absolute_from_mm_program_start() {
        let out = link_calls();
        let entry = out.file().elf_header().e_entry(LE);
        let (lo, hi) = (
            imm(out.insn(entry)) as u32 as u64,
            imm(out.insn(entry + 8)) as u32 as u64,
        );
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
        assert_eq!(
            (syscall[1], imm(syscall)),
            (0, -1),
            "syscall: src 0, imm -1"
        );
        assert_eq!(
            (calls[1].1[1], imm(calls[1].1)),
            (0, 2),
            "callx r2 -> imm 2"
        );
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
        let tag = |t: u32| {
            entries
                .iter()
                .find(|d| d.d_tag(LE) == u64::from(t))
                .map(|d| d.d_val(LE))
        };
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
        assert!(
            err.contains("writable section .data") && err.contains("counter"),
            "{err}"
        );
    }

    #[test]
    fn refuses_calls_to_routines_that_are_not_syscalls() {
        let err = relink(include_bytes!("../tests/fixtures/builtin.o")).unwrap_err();
        assert!(
            err.contains("`__udivti3_like`, which is not a Solana syscall"),
            "{err}"
        );
    }
}
