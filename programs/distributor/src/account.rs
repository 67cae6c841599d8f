//! Views into the loader's serialized input (BPF loader v2/upgradeable "aligned" format):
//!
//! ```text
//! u64 account count
//! per account:  u8 dup (0xff = first occurrence, else index of the original) and then
//!   first occurrence: u8 is_signer, u8 is_writable, u8 executable, [u8;4] padding,
//!                     [u8;32] key, [u8;32] owner, u64 lamports, u64 data_len,
//!                     data, 10 KiB realloc room, padding to 8, u64 rent_epoch
//!   duplicate:        [u8;7] padding
//! u64 instruction data length, instruction data, [u8;32] program id
//! ```
//! Every header starts 8-aligned, so the u64 header fields are read with aligned loads.
use crate::errors::MeritError;
use crate::pubkey::Pubkey;

const NON_DUP_MARKER: u8 = 0xff;
const HEADER_LEN: usize = 88;
const MAX_PERMITTED_DATA_INCREASE: usize = 10 * 1024;
/// Accounts kept for the processors; any beyond are skipped (Anchor's "remaining accounts").
pub const MAX_ACCOUNTS: usize = 12;

/// One account of the input buffer; copies of the same account (duplicates) share the pointer.
#[derive(Clone, Copy)]
pub struct AccountInfo {
    header: *mut u8,
}

impl AccountInfo {
    #[inline(always)]
    pub fn key(&self) -> &Pubkey {
        // SAFETY: `header` points at a full 88-byte header inside the input buffer.
        unsafe { &*(self.header.add(8) as *const Pubkey) }
    }

    #[inline(always)]
    pub fn owner(&self) -> &Pubkey {
        // SAFETY: as in `key`.
        unsafe { &*(self.header.add(40) as *const Pubkey) }
    }

    #[inline(always)]
    pub fn is_signer(&self) -> bool {
        // SAFETY: as in `key`.
        unsafe { *self.header.add(1) != 0 }
    }

    #[inline(always)]
    pub fn is_writable(&self) -> bool {
        // SAFETY: as in `key`.
        unsafe { *self.header.add(2) != 0 }
    }

    #[inline(always)]
    pub fn lamports(&self) -> u64 {
        // SAFETY: 8-aligned u64 at offset 72 of the header.
        unsafe { (self.header.add(72) as *const u64).read() }
    }

    #[inline(always)]
    pub fn data_len(&self) -> usize {
        // SAFETY: 8-aligned u64 at offset 80 of the header.
        unsafe { (self.header.add(80) as *const u64).read() as usize }
    }

    /// The runtime reads these addresses when the account is passed to a CPI.
    #[inline(always)]
    pub fn lamports_ptr(&self) -> *mut u64 {
        // SAFETY: in-bounds offset of the header.
        unsafe { self.header.add(72) as *mut u64 }
    }

    #[inline(always)]
    pub fn data_ptr(&self) -> *mut u8 {
        // SAFETY: data follows the header.
        unsafe { self.header.add(HEADER_LEN) }
    }

    #[inline(always)]
    pub fn data(&self) -> &[u8] {
        // SAFETY: `data_len` bytes follow the header.
        unsafe { core::slice::from_raw_parts(self.data_ptr(), self.data_len()) }
    }

    /// Fails with `MissingSigner` unless the account signed the transaction.
    #[inline(always)]
    pub fn require_signer(&self) -> Result<(), MeritError> {
        if self.is_signer() { Ok(()) } else { Err(MeritError::MissingSigner) }
    }

    #[inline(always)]
    pub fn require_writable(&self) -> Result<(), MeritError> {
        if self.is_writable() { Ok(()) } else { Err(MeritError::NotWritable) }
    }

    #[inline(always)]
    pub fn require_owner(&self, owner: &Pubkey) -> Result<(), MeritError> {
        if crate::pubkey::keys_eq(self.owner(), owner) { Ok(()) } else { Err(MeritError::InvalidAccountOwner) }
    }

    #[inline(always)]
    pub fn require_key(&self, key: &Pubkey, err: MeritError) -> Result<(), MeritError> {
        if crate::pubkey::keys_eq(self.key(), key) { Ok(()) } else { Err(err) }
    }

    /// A system-owned account with no data: the state a PDA has before the program creates it
    /// (it may already hold lamports someone sent to the address).
    #[inline(always)]
    pub fn is_uninitialized(&self) -> bool {
        self.data_len() == 0 && crate::pubkey::keys_eq(self.owner(), &crate::pubkey::SYSTEM_PROGRAM_ID)
    }
}

/// The parsed input: accounts (duplicates resolved), instruction data.
pub struct Input<'a> {
    pub accounts: [AccountInfo; MAX_ACCOUNTS],
    pub count: usize,
    pub data: &'a [u8],
}

/// Walks the serialized input.
///
/// # Safety
/// `input` must be the buffer the loader passes to the entrypoint (or one laid out the same way,
/// 8-aligned), alive for `'a`.
#[inline(always)]
pub unsafe fn parse_input<'a>(input: *mut u8) -> Input<'a> {
    // SAFETY: the caller guarantees the layout documented above.
    unsafe {
        let total = (input as *const u64).read() as usize;
        let mut cursor = input.add(8);
        let mut accounts = [AccountInfo { header: cursor }; MAX_ACCOUNTS];
        let mut i = 0;
        while i < total {
            let dup = *cursor;
            let info = if dup == NON_DUP_MARKER {
                let info = AccountInfo { header: cursor };
                let data_len = info.data_len();
                // The runtime sized the buffer: these sums cannot overflow, and wrapping keeps
                // the (unlinked) panic machinery out of the entrypoint.
                let unpadded = HEADER_LEN.wrapping_add(data_len).wrapping_add(MAX_PERMITTED_DATA_INCREASE);
                cursor = cursor.add((unpadded.wrapping_add(7) & !7).wrapping_add(8));
                info
            } else {
                cursor = cursor.add(8);
                // The loader only points duplicates at earlier accounts; beyond the kept ones
                // they are never read.
                let original = dup as usize;
                if original < MAX_ACCOUNTS { accounts[original] } else { AccountInfo { header: cursor } }
            };
            if i < MAX_ACCOUNTS {
                accounts[i] = info;
            }
            i = i.wrapping_add(1);
        }
        let data_len = (cursor as *const u64).read() as usize;
        let data = core::slice::from_raw_parts(cursor.add(8), data_len);
        Input { accounts, count: if total < MAX_ACCOUNTS { total } else { MAX_ACCOUNTS }, data }
    }
}

/// Serializes accounts the way the loader does, for host tests of the parser and checks.
#[cfg(not(any(target_arch = "bpf", target_arch = "sbf")))]
pub mod testing {
    /// (key, owner, is_signer, is_writable, lamports, data) or a duplicate of an earlier index.
    pub enum TestAccount {
        Unique { key: [u8; 32], owner: [u8; 32], signer: bool, writable: bool, lamports: u64, data: Vec<u8> },
        Dup(u8),
    }

    /// Returns an 8-aligned buffer (backed by u64s) holding the serialized input.
    pub fn serialize(accounts: &[TestAccount], ix_data: &[u8], program_id: &[u8; 32]) -> Vec<u64> {
        let mut bytes: Vec<u8> = Vec::new();
        bytes.extend_from_slice(&(accounts.len() as u64).to_le_bytes());
        for account in accounts {
            match account {
                TestAccount::Dup(i) => {
                    bytes.push(*i);
                    bytes.extend_from_slice(&[0; 7]);
                }
                TestAccount::Unique { key, owner, signer, writable, lamports, data } => {
                    bytes.extend_from_slice(&[0xff, *signer as u8, *writable as u8, 0, 0, 0, 0, 0]);
                    bytes.extend_from_slice(key);
                    bytes.extend_from_slice(owner);
                    bytes.extend_from_slice(&lamports.to_le_bytes());
                    bytes.extend_from_slice(&(data.len() as u64).to_le_bytes());
                    bytes.extend_from_slice(data);
                    bytes.resize(bytes.len() + super::MAX_PERMITTED_DATA_INCREASE, 0);
                    bytes.resize((bytes.len() + 7) & !7, 0);
                    bytes.extend_from_slice(&0u64.to_le_bytes());
                }
            }
        }
        bytes.extend_from_slice(&(ix_data.len() as u64).to_le_bytes());
        bytes.extend_from_slice(ix_data);
        bytes.extend_from_slice(program_id);
        bytes.resize((bytes.len() + 7) & !7, 0);
        bytes.chunks(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{serialize, TestAccount};
    use super::*;

    #[test]
    fn parses_accounts_duplicates_and_instruction_data() {
        let a = TestAccount::Unique { key: [1; 32], owner: [2; 32], signer: true, writable: false, lamports: 5, data: vec![9; 13] };
        let b = TestAccount::Unique { key: [3; 32], owner: [4; 32], signer: false, writable: true, lamports: 6, data: vec![] };
        let mut buf = serialize(&[a, b, TestAccount::Dup(0)], &[7, 7, 7], &[0; 32]);
        // SAFETY: `buf` is laid out by `serialize` exactly like the loader's input.
        let input = unsafe { parse_input(buf.as_mut_ptr() as *mut u8) };
        assert_eq!(input.count, 3);
        assert_eq!(input.accounts[0].key(), &[1; 32]);
        assert_eq!(input.accounts[0].data(), &[9; 13]);
        assert!(input.accounts[0].is_signer() && !input.accounts[0].is_writable());
        assert_eq!(input.accounts[1].owner(), &[4; 32]);
        assert_eq!(input.accounts[1].lamports(), 6);
        assert!(input.accounts[1].is_writable());
        assert_eq!(input.accounts[2].key(), &[1; 32]);
        assert_eq!(input.data, &[7, 7, 7]);
    }
}
