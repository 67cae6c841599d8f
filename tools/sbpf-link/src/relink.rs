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
            let RelocationFlags::Elf { r_type } = rel.flags() else { unreachable!() };
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
            let data: &mut Vec<u8> = if place.out == Out::Text { &mut text } else { &mut rodata };
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
        functions.range(..=addr).next_back().map_or("?".into(), |(_, n)| n.clone())
    };
    isa::fix_and_check(&mut text, &name_of)?;

    let entry = file
        .symbols()
        .find(|s| s.name() == Ok("entrypoint") && s.is_definition())
        .and_then(|s| placements.get(&s.section_index()?).map(|p| base(p) + s.address()))
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
        return Err(format!("call to `{name}` with addend imm {imm:#x} (expected -1)"));
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
            Some((text_addr + p.offset + s.address(), s.name().ok()?.to_string()))
        })
        .collect()
}

fn read_u32(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(data[at..at + 4].try_into().unwrap())
}

#[cfg(test)]
#[path = "relink_tests.rs"]
mod tests;
