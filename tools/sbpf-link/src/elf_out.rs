//! Little-endian byte writing for the ELF writer: headers, padding, section header records.

pub struct Out(pub Vec<u8>);

impl Out {
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(b);
        self
    }

    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }

    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }

    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }

    /// Zero-fills up to `offset`; the layout guarantees nothing was written past it.
    pub fn pad_to(&mut self, offset: u64) -> &mut Self {
        assert!(self.0.len() as u64 <= offset, "layout overlap at {offset:#x}");
        self.0.resize(offset as usize, 0);
        self
    }

    /// A program header whose file offset, virtual and physical address are all `addr`.
    pub fn phdr(&mut self, kind: u32, flags: u32, addr: u64, size: u64) {
        self.u32(kind).u32(flags).u64(addr).u64(addr).u64(addr).u64(size).u64(size).u64(8);
    }

    pub fn shdr(&mut self, s: &Shdr) {
        self.u32(s.name).u32(s.kind).u64(s.flags).u64(s.addr).u64(s.offset).u64(s.size);
        self.u32(s.link).u32(s.info).u64(s.addralign).u64(s.entsize);
    }
}

#[derive(Default, Clone, Copy)]
pub struct Shdr {
    pub name: u32,
    pub kind: u32,
    pub flags: u64,
    pub addr: u64,
    pub offset: u64,
    pub size: u64,
    pub link: u32,
    pub info: u32,
    pub addralign: u64,
    pub entsize: u64,
}

impl Shdr {
    /// An allocated section: its file offset is its address.
    pub fn alloc(kind: u32, flags: u64, addr: u64, size: u64, addralign: u64) -> Shdr {
        Shdr { kind, flags, addr, offset: addr, size, addralign, ..Shdr::default() }
    }
}

/// Section names and their string table, in the order sections are added.
pub struct SectionTable {
    pub headers: Vec<Shdr>,
    pub names: Vec<u8>,
}

impl SectionTable {
    pub fn new() -> SectionTable {
        SectionTable { headers: vec![Shdr::default()], names: vec![0] }
    }

    pub fn add(&mut self, name: &str, sh: Shdr) {
        let offset = self.names.len() as u32;
        self.names.extend_from_slice(name.as_bytes());
        self.names.push(0);
        self.headers.push(Shdr { name: offset, ..sh });
    }
}
