//! Writes the SBPF v0 shared object: one `.text`, one `.rodata`, file offset == virtual
//! address, and the dynamic tables through which the loader binds syscalls by name.

use crate::elf_out::{Out, SectionTable, Shdr};

/// Where the loader maps the program; link-time absolute addresses are rooted here.
pub const MM_PROGRAM_START: u64 = 0x1_0000_0000;

const EHDR: u64 = 64;
const PHDR: u64 = 56;
const SHDR: u64 = 64;
const SYM: u64 = 24;
const REL: u64 = 16;
const DYN: u64 = 16;
const EM_BPF: u16 = 247;
const R_BPF_64_32: u64 = 10;
const DT_STRTAB: u64 = 5;
const DT_SYMTAB: u64 = 6;
const DT_STRSZ: u64 = 10;
const DT_SYMENT: u64 = 11;
const DT_REL: u64 = 17;
const DT_RELSZ: u64 = 18;
const DT_RELENT: u64 = 19;
const DT_FLAGS: u64 = 30;
const DF_TEXTREL: u64 = 4;

/// Addresses of the program's sections, fixed before relocations are applied.
pub struct Layout {
    pub text_addr: u64,
    pub rodata_addr: u64,
    text_len: u64,
    rodata_len: u64,
}

impl Layout {
    pub fn new(text_len: u64, rodata_len: u64, rodata_align: u64) -> Layout {
        let text_addr = align(EHDR + PHDR * phnum(rodata_len), 8);
        let rodata_addr = align(text_addr + text_len, rodata_align.max(8));
        Layout { text_addr, rodata_addr, text_len, rodata_len }
    }
}

fn phnum(rodata_len: u64) -> u64 {
    if rodata_len > 0 {
        4
    } else {
        3
    }
}

/// A call to a syscall at `offset` (a virtual address in `.text`).
pub struct SyscallReloc {
    pub offset: u64,
    pub name: String,
}

pub struct Program<'a> {
    pub layout: &'a Layout,
    pub text: &'a [u8],
    pub rodata: &'a [u8],
    pub entry: u64,
    pub syscalls: &'a [SyscallReloc],
}

/// The dynamic tables: `.dynsym` holds null, `entrypoint`, then each syscall once in order of
/// first use; everything is placed after the program's sections.
struct Dynamic<'a> {
    names: Vec<&'a str>,
    dynstr: Vec<u8>,
    name_offsets: Vec<u32>,
    entries: u64,
    dynamic_addr: u64,
    dynsym_addr: u64,
    dynstr_addr: u64,
    rel_addr: u64,
    rel_len: u64,
    end: u64,
}

impl<'a> Dynamic<'a> {
    fn new(p: &'a Program) -> Dynamic<'a> {
        let l = p.layout;
        let mut names: Vec<&str> = Vec::new();
        for s in p.syscalls {
            if !names.contains(&s.name.as_str()) {
                names.push(&s.name);
            }
        }
        let (mut dynstr, mut name_offsets) = (vec![0u8], Vec::new());
        for name in std::iter::once("entrypoint").chain(names.iter().copied()) {
            name_offsets.push(dynstr.len() as u32);
            dynstr.extend_from_slice(name.as_bytes());
            dynstr.push(0);
        }
        let program_end =
            if l.rodata_len > 0 { l.rodata_addr + l.rodata_len } else { l.text_addr + l.text_len };
        let dynamic_addr = align(program_end, 8);
        let has_rel = !p.syscalls.is_empty();
        let entries = if has_rel { 9 } else { 5 };
        let dynsym_addr = dynamic_addr + DYN * entries;
        let dynstr_addr = dynsym_addr + SYM * (2 + names.len() as u64);
        let dynstr_end = dynstr_addr + dynstr.len() as u64;
        let rel_addr = align(dynstr_end, 8);
        let rel_len = REL * p.syscalls.len() as u64;
        let end = if has_rel { rel_addr + rel_len } else { dynstr_end };
        Dynamic {
            names,
            dynstr,
            name_offsets,
            entries,
            dynamic_addr,
            dynsym_addr,
            dynstr_addr,
            rel_addr,
            rel_len,
            end,
        }
    }

    fn has_rel(&self) -> bool {
        self.rel_len > 0
    }

    /// Section headers of the whole file, `.shstrtab` (not loaded) last at `self.end`.
    fn sections(&self, l: &Layout) -> SectionTable {
        let mut t = SectionTable::new();
        t.add(".text", Shdr::alloc(1, 0x6, l.text_addr, l.text_len, 8));
        if l.rodata_len > 0 {
            t.add(".rodata", Shdr::alloc(1, 0x2, l.rodata_addr, l.rodata_len, 8));
        }
        let dynstr_index = t.headers.len() as u32 + 2;
        let dynamic = Shdr::alloc(6, 0x3, self.dynamic_addr, DYN * self.entries, 8);
        t.add(".dynamic", Shdr { link: dynstr_index, entsize: DYN, ..dynamic });
        let dynsym = Shdr::alloc(11, 0x2, self.dynsym_addr, self.dynstr_addr - self.dynsym_addr, 8);
        t.add(".dynsym", Shdr { link: dynstr_index, info: 1, entsize: SYM, ..dynsym });
        t.add(".dynstr", Shdr::alloc(3, 0x2, self.dynstr_addr, self.dynstr.len() as u64, 1));
        if self.has_rel() {
            let rel = Shdr::alloc(9, 0x2, self.rel_addr, self.rel_len, 8);
            t.add(".rel.dyn", Shdr { link: dynstr_index - 1, entsize: REL, ..rel });
        }
        let name = t.names.len() as u32;
        t.names.extend_from_slice(b".shstrtab\0");
        let size = t.names.len() as u64;
        t.headers.push(Shdr {
            name,
            kind: 3,
            offset: self.end,
            size,
            addralign: 1,
            ..Shdr::default()
        });
        t
    }

    fn write(&self, out: &mut Out, p: &Program) {
        out.pad_to(self.dynamic_addr);
        if self.has_rel() {
            out.u64(DT_REL)
                .u64(self.rel_addr)
                .u64(DT_RELSZ)
                .u64(self.rel_len)
                .u64(DT_RELENT)
                .u64(REL);
            out.u64(DT_FLAGS).u64(DF_TEXTREL); // the relocations patch .text
        }
        out.u64(DT_SYMTAB).u64(self.dynsym_addr).u64(DT_SYMENT).u64(SYM);
        out.u64(DT_STRTAB).u64(self.dynstr_addr).u64(DT_STRSZ).u64(self.dynstr.len() as u64);
        out.u64(0).u64(0); // DT_NULL
        out.bytes(&[0; 24]); // null symbol
                             // entrypoint: GLOBAL FUNC in .text (section 1); syscalls: GLOBAL NOTYPE undefined.
        out.u32(self.name_offsets[0]).bytes(&[0x12, 0]).u16(1).u64(p.entry).u64(0);
        for off in &self.name_offsets[1..] {
            out.u32(*off).bytes(&[0x10, 0]).u16(0).u64(0).u64(0);
        }
        out.bytes(&self.dynstr);
        if self.has_rel() {
            out.pad_to(self.rel_addr);
            for s in p.syscalls {
                let sym = 2 + self.names.iter().position(|n| *n == s.name).unwrap() as u64;
                out.u64(s.offset).u64(sym << 32 | R_BPF_64_32);
            }
        }
    }
}

pub fn write(p: &Program) -> Vec<u8> {
    let l = p.layout;
    let dynamic = Dynamic::new(p);
    let sections = dynamic.sections(l);
    let shoff = align(dynamic.end + sections.names.len() as u64, 8);

    let mut out = Out(Vec::new());
    out.bytes(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.u16(3).u16(EM_BPF).u32(1).u64(p.entry).u64(EHDR).u64(shoff).u32(0);
    out.u16(EHDR as u16).u16(PHDR as u16).u16(phnum(l.rodata_len) as u16);
    let shnum = sections.headers.len() as u16;
    out.u16(SHDR as u16).u16(shnum).u16(shnum - 1);
    // Program headers: text (R+X), rodata (R), dynamic tables (R), PT_DYNAMIC.
    out.phdr(1, 0x5, l.text_addr, l.text_len);
    if l.rodata_len > 0 {
        out.phdr(1, 0x4, l.rodata_addr, l.rodata_len);
    }
    out.phdr(1, 0x4, dynamic.dynamic_addr, dynamic.end - dynamic.dynamic_addr);
    out.phdr(2, 0x6, dynamic.dynamic_addr, DYN * dynamic.entries);

    out.pad_to(l.text_addr).bytes(p.text);
    if l.rodata_len > 0 {
        out.pad_to(l.rodata_addr).bytes(p.rodata);
    }
    dynamic.write(&mut out, p);
    out.pad_to(dynamic.end).bytes(&sections.names).pad_to(shoff);
    for s in &sections.headers {
        out.shdr(s);
    }
    out.0
}

pub fn align(n: u64, to: u64) -> u64 {
    n.div_ceil(to) * to
}
