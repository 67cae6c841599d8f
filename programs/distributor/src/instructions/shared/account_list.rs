//! Each instruction's accounts as a table, `ACCOUNTS` in its `accounts.rs`: names in order,
//! signer and writable flags, fixed addresses. idl/generate.mjs writes the IDL's account lists
//! from these tables, and `take` enforces them before the instruction's own numbered checks, so
//! the IDL and the checks cannot disagree.
use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::pubkey::AlignedKey;

#[derive(Clone, Copy)]
pub struct AccountMeta {
    pub name: &'static str,
    pub signer: bool,
    pub writable: bool,
    /// The only address the account may have (a program); 8-aligned for a word-wise compare.
    pub address: Option<&'static AlignedKey>,
}

impl AccountMeta {
    pub const fn readonly(name: &'static str) -> Self {
        AccountMeta { name, signer: false, writable: false, address: None }
    }

    pub const fn writable(name: &'static str) -> Self {
        AccountMeta { name, signer: false, writable: true, address: None }
    }

    pub const fn signer(name: &'static str) -> Self {
        AccountMeta { name, signer: true, writable: false, address: None }
    }

    pub const fn signer_writable(name: &'static str) -> Self {
        AccountMeta { name, signer: true, writable: true, address: None }
    }

    pub const fn program(name: &'static str, address: &'static AlignedKey) -> Self {
        AccountMeta { name, signer: false, writable: false, address: Some(address) }
    }
}

/// The first `N` accounts, after checking in table order each one's signer flag
/// (`MissingSigner`), writable flag (`NotWritable`) and fixed address (`InvalidProgramId`);
/// `NotEnoughAccounts` when fewer are given. Accounts beyond `N` are ignored (Anchor's
/// remaining accounts).
#[inline(always)]
pub fn take<'a, const N: usize>(accounts: &'a [AccountInfo], list: &[AccountMeta; N]) -> Result<&'a [AccountInfo; N], MeritError> {
    let taken = accounts.first_chunk::<N>().ok_or(MeritError::NotEnoughAccounts)?;
    for (account, meta) in taken.iter().zip(list) {
        if meta.signer {
            account.require_signer()?;
        }
        if meta.writable {
            account.require_writable()?;
        }
        if let Some(address) = meta.address {
            account.require_key(&address.0, MeritError::InvalidProgramId)?;
        }
    }
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::parse_input;
    use crate::account::testing::{serialize, TestAccount};

    const LIST: [AccountMeta; 3] = [AccountMeta::signer_writable("payer"), AccountMeta::readonly("mint"), AccountMeta::program("system_program", &AlignedKey([0; 32]))];

    fn run(signer: bool, writable: bool, program: [u8; 32], count: usize) -> Result<(), MeritError> {
        let unique = |key: u8, signer: bool, writable: bool| TestAccount::Unique { key: [key; 32], owner: [9; 32], signer, writable, lamports: 1, data: vec![] };
        let all = [unique(1, signer, writable), unique(2, false, false), TestAccount::Unique { key: program, owner: [9; 32], signer: false, writable: false, lamports: 1, data: vec![] }];
        let mut buf = serialize(&all[..count], &[0; 8], &[0; 32]);
        // SAFETY: `buf` is laid out by `serialize` exactly like the loader's input.
        let input = unsafe { parse_input(buf.as_mut_ptr() as *mut u8) };
        take(&input.accounts[..input.count], &LIST).map(|_| ())
    }

    #[test]
    fn enforces_count_flags_and_addresses_in_order() {
        assert_eq!(run(true, true, [0; 32], 3), Ok(()));
        assert_eq!(run(true, true, [0; 32], 2), Err(MeritError::NotEnoughAccounts));
        assert_eq!(run(false, false, [0; 32], 3), Err(MeritError::MissingSigner));
        assert_eq!(run(true, false, [0; 32], 3), Err(MeritError::NotWritable));
        assert_eq!(run(true, true, [5; 32], 3), Err(MeritError::InvalidProgramId));
    }
}
