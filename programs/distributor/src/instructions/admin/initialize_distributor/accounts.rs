use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::instructions::shared::account_list::{take, AccountMeta};
use crate::pubkey::{keys_eq, SYSTEM_PROGRAM, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID};

/// initialize_distributor's accounts (the IDL's list; checked by `take`).
pub const ACCOUNTS: [AccountMeta; 6] = [
    AccountMeta::signer_writable("admin"),
    AccountMeta::readonly("mint"),
    AccountMeta::writable("distributor"),
    AccountMeta::writable("vault"),
    AccountMeta::readonly("token_program"),
    AccountMeta::program("system_program", SYSTEM_PROGRAM),
];

pub struct InitializeDistributorAccounts<'a> {
    pub admin: &'a AccountInfo,
    pub mint: &'a AccountInfo,
    pub distributor: &'a AccountInfo,
    pub vault: &'a AccountInfo,
    pub token_program: &'a AccountInfo,
}

impl<'a> InitializeDistributorAccounts<'a> {
    #[inline(always)]
    pub fn parse(accounts: &'a [AccountInfo]) -> Result<Self, MeritError> {
        // 0. Count, signer and writable flags, the System program: ACCOUNTS. The admin signs
        //    and pays for both new accounts.
        let [admin, mint, distributor, vault, token_program, _system_program] = take(accounts, &ACCOUNTS)?;
        // 1. The token program is SPL Token or Token-2022.
        let token = token_program.key();
        if !keys_eq(token, &TOKEN_PROGRAM_ID) && !keys_eq(token, &TOKEN_2022_PROGRAM_ID) {
            return Err(MeritError::InvalidProgramId);
        }
        // 2. The mint belongs to that token program (its layout is checked by InitializeAccount3).
        mint.require_owner(token)?;
        // 3. Distributor and vault are not created yet (their addresses: processor).
        if !distributor.is_uninitialized() || !vault.is_uninitialized() {
            return Err(MeritError::AlreadyInitialized);
        }
        Ok(InitializeDistributorAccounts { admin, mint, distributor, vault, token_program })
    }
}
