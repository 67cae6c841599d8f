//! Checks `merkle.rs` against the shared vectors in tests/vectors/merkle.json (the same file the
//! TypeScript suite checks), with a minimal JSON reader: the program crate has no dependencies.
use crate::merkle::{leaf_hash, node_hash, verify};

#[derive(Debug)]
enum Json {
    Str(String),
    Num,
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
    Lit,
}

impl Json {
    fn get(&self, key: &str) -> &Json {
        match self {
            Json::Obj(fields) => &fields.iter().find(|(k, _)| k == key).unwrap_or_else(|| panic!("missing {key}")).1,
            _ => panic!("not an object looking up {key}"),
        }
    }
    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }
    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(items) => items,
            other => panic!("not an array: {other:?}"),
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn value(&mut self) -> Json {
        self.ws();
        match self.s[self.i] {
            b'{' => {
                self.i += 1;
                let mut fields = Vec::new();
                loop {
                    self.ws();
                    if self.s[self.i] == b'}' {
                        self.i += 1;
                        return Json::Obj(fields);
                    }
                    let Json::Str(key) = self.value() else { panic!("object key") };
                    self.ws();
                    assert_eq!(self.s[self.i], b':');
                    self.i += 1;
                    fields.push((key, self.value()));
                    self.ws();
                    if self.s[self.i] == b',' {
                        self.i += 1;
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    if self.s[self.i] == b']' {
                        self.i += 1;
                        return Json::Arr(items);
                    }
                    items.push(self.value());
                    self.ws();
                    if self.s[self.i] == b',' {
                        self.i += 1;
                    }
                }
            }
            b'"' => {
                self.i += 1;
                let start = self.i;
                while self.s[self.i] != b'"' {
                    self.i += if self.s[self.i] == b'\\' { 2 } else { 1 };
                }
                self.i += 1;
                Json::Str(String::from_utf8(self.s[start..self.i - 1].to_vec()).unwrap())
            }
            c if c == b'-' || c.is_ascii_digit() => {
                while self.i < self.s.len() && (self.s[self.i] == b'-' || self.s[self.i] == b'.' || self.s[self.i].is_ascii_alphanumeric()) {
                    self.i += 1;
                }
                Json::Num
            }
            _ => {
                while self.s[self.i].is_ascii_alphabetic() {
                    self.i += 1;
                }
                Json::Lit
            }
        }
    }
}

fn hex32(s: &str) -> [u8; 32] {
    assert_eq!(s.len(), 64, "{s}");
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

fn base58_32(s: &str) -> [u8; 32] {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut num = [0u8; 32];
    for c in s.bytes() {
        let mut carry = ALPHABET.iter().position(|&a| a == c).expect("base58 digit") as u32;
        for byte in num.iter_mut().rev() {
            carry += (*byte as u32) * 58;
            *byte = carry as u8;
            carry >>= 8;
        }
        assert_eq!(carry, 0, "base58 value exceeds 32 bytes");
    }
    num
}

fn load() -> Json {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/merkle.json");
    let text = std::fs::read(path).expect("tests/vectors/merkle.json (written by the Merkle helper)");
    Parser { s: &text, i: 0 }.value()
}

fn proof_bytes(leaf: &Json) -> Vec<u8> {
    leaf.get("proof").arr().iter().flat_map(|p| hex32(p.str())).collect()
}

#[test]
fn base58_decodes_known_keys() {
    assert_eq!(base58_32("11111111111111111111111111111111"), [0; 32]);
    assert_eq!(base58_32("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"), crate::pubkey::TOKEN_PROGRAM_ID);
}

#[test]
fn node_vectors() {
    let v = load();
    assert_eq!(v.get("format").str(), "merit-merkle");
    for n in v.get("nodes").arr() {
        assert_eq!(node_hash(&hex32(n.get("a").str()), &hex32(n.get("b").str())), hex32(n.get("node").str()));
    }
}

#[test]
fn every_case_leaf_hashes_and_proves_to_its_root() {
    let v = load();
    let cases = v.get("cases").arr();
    assert!(cases.len() >= 5);
    let mut proofs = 0;
    for case in cases {
        let distributor = base58_32(case.get("distributor").str());
        let root = hex32(case.get("root").str());
        for leaf in case.get("leaves").arr() {
            let claimant = base58_32(leaf.get("claimant").str());
            let amount: u64 = leaf.get("amount").str().parse().unwrap();
            let hash = leaf_hash(&distributor, &claimant, amount);
            assert_eq!(hash, hex32(leaf.get("leaf").str()), "case {}", case.get("name").str());
            assert!(verify(&root, hash, &proof_bytes(leaf)), "case {}", case.get("name").str());
            if amount < u64::MAX {
                assert!(!verify(&root, leaf_hash(&distributor, &claimant, amount + 1), &proof_bytes(leaf)));
            }
            proofs += 1;
        }
        if case.get("leaves").arr().is_empty() {
            assert_eq!(root, [0; 32]);
        }
    }
    assert!(proofs >= 20);
}

#[test]
fn leaves_of_another_distributor_do_not_verify() {
    let v = load();
    let wrong = v.get("wrong_distributor");
    let distributor = base58_32(wrong.get("distributor").str());
    let case = v.get("cases").arr().iter().find(|c| c.get("name").str() == wrong.get("case").str()).unwrap();
    let root = hex32(case.get("root").str());
    for leaf in wrong.get("leaves").arr() {
        let claimant = base58_32(leaf.get("claimant").str());
        let amount: u64 = leaf.get("amount").str().parse().unwrap();
        let hash = leaf_hash(&distributor, &claimant, amount);
        assert_eq!(hash, hex32(leaf.get("leaf").str()));
        assert!(!verify(&root, hash, &proof_bytes(leaf)));
    }
}
