//! Writes the SBPF v0 shared object: one `.text`, one `.rodata`, file offset == virtual
//! address, and the dynamic tables through which the loader binds syscalls by name.

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
        Layout {
            text_addr,
            rodata_addr,
            text_len,
            rodata_len,
        }
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

pub fn write(p: &Program) -> Vec<u8> {
    let l = p.layout;
    // .dynsym: null, entrypoint, then each syscall once in order of first use.
    let mut names: Vec<&str> = Vec::new();
    for s in p.syscalls {
        if !names.contains(&s.name.as_str()) {
            names.push(&s.name);
        }
    }
    let mut dynstr = vec![0u8];
    let mut name_offsets = Vec::new();
    for name in std::iter::once("entrypoint").chain(names.iter().copied()) {
        name_offsets.push(dynstr.len() as u32);
        dynstr.extend_from_slice(name.as_bytes());
        dynstr.push(0);
    }
    let has_rodata = l.rodata_len > 0;
    let has_rel = !p.syscalls.is_empty();
    let sec_text = 1u32;
    let sec_dynamic = if has_rodata { 3 } else { 2 };
    let (sec_dynsym, sec_dynstr) = (sec_dynamic + 1, sec_dynamic + 2);

    let dynamic_addr = align(
        if has_rodata {
            l.rodata_addr + l.rodata_len
        } else {
            l.text_addr + l.text_len
        },
        8,
    );
    let dyn_entries = if has_rel { 9 } else { 5 };
    let dynsym_addr = dynamic_addr + DYN * dyn_entries;
    let dynsym_len = SYM * (2 + names.len() as u64);
    let dynstr_addr = dynsym_addr + dynsym_len;
    let rel_addr = align(dynstr_addr + dynstr.len() as u64, 8);
    let rel_len = REL * p.syscalls.len() as u64;
    let dyn_end = if has_rel {
        rel_addr + rel_len
    } else {
        dynstr_addr + dynstr.len() as u64
    };

    let mut shstrtab = vec![0u8];
    let mut sections: Vec<Shdr> = vec![Shdr::default()];
    let mut add = |name: &str, sh: Shdr| {
        let sh_name = shstrtab.len() as u32;
        shstrtab.extend_from_slice(name.as_bytes());
        shstrtab.push(0);
        sections.push(Shdr {
            name: sh_name,
            ..sh
        });
    };
    add(".text", Shdr::alloc(1, 0x6, l.text_addr, l.text_len, 8));
    if has_rodata {
        add(
            ".rodata",
            Shdr::alloc(1, 0x2, l.rodata_addr, l.rodata_len, 8),
        );
    }
    add(
        ".dynamic",
        Shdr {
            link: sec_dynstr,
            entsize: DYN,
            ..Shdr::alloc(6, 0x3, dynamic_addr, DYN * dyn_entries, 8)
        },
    );
    add(
        ".dynsym",
        Shdr {
            link: sec_dynstr,
            info: 1,
            entsize: SYM,
            ..Shdr::alloc(11, 0x2, dynsym_addr, dynsym_len, 8)
        },
    );
    add(
        ".dynstr",
        Shdr::alloc(3, 0x2, dynstr_addr, dynstr.len() as u64, 1),
    );
    if has_rel {
        add(
            ".rel.dyn",
            Shdr {
                link: sec_dynsym,
                entsize: REL,
                ..Shdr::alloc(9, 0x2, rel_addr, rel_len, 8)
            },
        );
    }
    let shstrtab_name = shstrtab.len() as u32;
    shstrtab.extend_from_slice(b".shstrtab\0");
    let shstrtab_off = dyn_end;
    sections.push(Shdr {
        name: shstrtab_name,
        kind: 3,
        offset: shstrtab_off,
        size: shstrtab.len() as u64,
        addralign: 1,
        ..Shdr::default()
    });
    let shoff = align(shstrtab_off + shstrtab.len() as u64, 8);

    let mut out = Out(Vec::new());
    // ELF header
    out.bytes(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.u16(3)
        .u16(EM_BPF)
        .u32(1)
        .u64(p.entry)
        .u64(EHDR)
        .u64(shoff)
        .u32(0);
    out.u16(EHDR as u16)
        .u16(PHDR as u16)
        .u16(phnum(l.rodata_len) as u16);
    out.u16(SHDR as u16)
        .u16(sections.len() as u16)
        .u16(sections.len() as u16 - 1);
    // Program headers: text (R+X), rodata (R), dynamic tables (R), PT_DYNAMIC.
    out.phdr(1, 0x5, l.text_addr, l.text_len);
    if has_rodata {
        out.phdr(1, 0x4, l.rodata_addr, l.rodata_len);
    }
    out.phdr(1, 0x4, dynamic_addr, dyn_end - dynamic_addr);
    out.phdr(2, 0x6, dynamic_addr, DYN * dyn_entries);

    out.pad_to(l.text_addr).bytes(p.text);
    if has_rodata {
        out.pad_to(l.rodata_addr).bytes(p.rodata);
    }
    out.pad_to(dynamic_addr);
    if has_rel {
        out.u64(17)
            .u64(rel_addr)
            .u64(18)
            .u64(rel_len)
            .u64(19)
            .u64(REL);
        out.u64(30).u64(0x4); // DT_FLAGS = DF_TEXTREL: the relocations patch .text
    }
    out.u64(6)
        .u64(dynsym_addr)
        .u64(11)
        .u64(SYM)
        .u64(5)
        .u64(dynstr_addr);
    out.u64(10).u64(dynstr.len() as u64);
    out.u64(0).u64(0); // DT_NULL
    out.bytes(&[0; 24]); // null symbol
    out.u32(name_offsets[0])
        .bytes(&[0x12, 0])
        .u16(sec_text as u16)
        .u64(p.entry)
        .u64(0);
    for off in &name_offsets[1..] {
        out.u32(*off).bytes(&[0x10, 0]).u16(0).u64(0).u64(0);
    }
    out.bytes(&dynstr);
    if has_rel {
        out.pad_to(rel_addr);
        for s in p.syscalls {
            let sym = 2 + names.iter().position(|n| *n == s.name).unwrap() as u64;
            out.u64(s.offset).u64(sym << 32 | R_BPF_64_32);
        }
    }
    out.pad_to(shstrtab_off).bytes(&shstrtab).pad_to(shoff);
    for s in &sections {
        out.u32(s.name)
            .u32(s.kind)
            .u64(s.flags)
            .u64(s.addr)
            .u64(s.offset)
            .u64(s.size);
        out.u32(s.link).u32(s.info).u64(s.addralign).u64(s.entsize);
    }
    out.0
}

#[derive(Default, Clone, Copy)]
struct Shdr {
    name: u32,
    kind: u32,
    flags: u64,
    addr: u64,
    offset: u64,
    size: u64,
    link: u32,
    info: u32,
    addralign: u64,
    entsize: u64,
}

impl Shdr {
    /// An allocated section: its file offset is its address.
    fn alloc(kind: u32, flags: u64, addr: u64, size: u64, addralign: u64) -> Shdr {
        Shdr {
            kind,
            flags,
            addr,
            offset: addr,
            size,
            addralign,
            ..Shdr::default()
        }
    }
}

pub fn align(n: u64, to: u64) -> u64 {
    n.div_ceil(to) * to
}

struct Out(Vec<u8>);

impl Out {
    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(b);
        self
    }
    fn u16(&mut self, v: u16) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    fn pad_to(&mut self, offset: u64) -> &mut Self {
        assert!(
            self.0.len() as u64 <= offset,
            "layout overlap at {offset:#x}"
        );
        self.0.resize(offset as usize, 0);
        self
    }
    fn phdr(&mut self, kind: u32, flags: u32, addr: u64, size: u64) {
        self.u32(kind)
            .u32(flags)
            .u64(addr)
            .u64(addr)
            .u64(addr)
            .u64(size)
            .u64(size)
            .u64(8);
    }
}
