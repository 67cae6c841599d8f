//! Account addresses: the key type, the program ids the distributor checks, and key comparison.

/// A 32-byte account address.
pub type Pubkey = [u8; 32];

/// Program id: the public key of `keys/localnet-program-keypair.json`
/// (5y2NyTdPLmNXuGWcwv6WFwA9cLakpE8qeVaWa3vYy2Ku).
pub const ID: Pubkey = [
    0x49, 0xc8, 0xd5, 0x03, 0xa5, 0x06, 0x43, 0x73, 0x05, 0xd0, 0x70, 0x8f, 0x1c, 0x6f, 0x14, 0x87,
    0x0a, 0x79, 0xdb, 0x4d, 0x19, 0x8b, 0x26, 0x54, 0x5c, 0x1d, 0xed, 0x0b, 0x59, 0x34, 0xef, 0x3c,
];

/// System program (all zeros).
pub const SYSTEM_PROGRAM_ID: Pubkey = [0; 32];

/// SPL Token (TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA).
pub const TOKEN_PROGRAM_ID: Pubkey = [
    0x06, 0xdd, 0xf6, 0xe1, 0xd7, 0x65, 0xa1, 0x93, 0xd9, 0xcb, 0xe1, 0x46, 0xce, 0xeb, 0x79, 0xac,
    0x1c, 0xb4, 0x85, 0xed, 0x5f, 0x5b, 0x37, 0x91, 0x3a, 0x8c, 0xf5, 0x85, 0x7e, 0xff, 0x00, 0xa9,
];

/// Token-2022 (TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb).
pub const TOKEN_2022_PROGRAM_ID: Pubkey = [
    0x06, 0xdd, 0xf6, 0xe1, 0xee, 0x75, 0x8f, 0xde, 0x18, 0x42, 0x5d, 0xbc, 0xe4, 0x6c, 0xcd, 0xda,
    0xb6, 0x1a, 0xfc, 0x4d, 0x83, 0xb9, 0x0d, 0x27, 0xfe, 0xbd, 0xf9, 0x28, 0xd8, 0xa1, 0x8b, 0xfc,
];

/// An address stored 8-aligned, so comparisons with it use word loads.
#[repr(C, align(8))]
pub struct AlignedKey(pub Pubkey);

/// `ID` as an aligned static for the hot owner checks.
pub static PROGRAM_ID: AlignedKey = AlignedKey(ID);
/// The System program id, aligned, for account tables (`AccountMeta::program`).
pub const SYSTEM_PROGRAM: &AlignedKey = &AlignedKey(SYSTEM_PROGRAM_ID);

/// Compares two addresses (no `memcmp`: the BPF link step has none). Keys in the loader's input,
/// in account data and in `AlignedKey` are 8-aligned: 4 word loads instead of 32 byte loads.
#[inline(always)]
pub fn keys_eq(a: &Pubkey, b: &Pubkey) -> bool {
    if (a.as_ptr() as usize | b.as_ptr() as usize) & 7 == 0 {
        // SAFETY: both point at 32 readable bytes and are 8-aligned.
        let (x, y) = unsafe { (&*(a.as_ptr() as *const [u64; 4]), &*(b.as_ptr() as *const [u64; 4])) };
        return (x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) == 0;
    }
    let word = |key: &Pubkey, at: usize| {
        let mut v = [0u8; 8];
        v.copy_from_slice(&key[at..at + 8]);
        u64::from_le_bytes(v)
    };
    let mut diff = 0u64;
    let mut i = 0;
    while i < 32 {
        diff |= word(a, i) ^ word(b, i);
        i += 8;
    }
    diff == 0
}
