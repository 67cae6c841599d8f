use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::pubkey::{keys_eq, SYSTEM_PROGRAM_ID, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID};

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
        let [admin, mint, distributor, vault, token_program, system_program, ..] = accounts else {
            return Err(MeritError::NotEnoughAccounts);
        };
        // 1. The admin signs and pays for both new accounts.
        admin.require_signer()?;
        admin.require_writable()?;
        // 2. Programs: SPL Token or Token-2022, and the System program.
        let token = token_program.key();
        if !keys_eq(token, &TOKEN_PROGRAM_ID) && !keys_eq(token, &TOKEN_2022_PROGRAM_ID) {
            return Err(MeritError::InvalidProgramId);
        }
        system_program.require_key(&SYSTEM_PROGRAM_ID, MeritError::InvalidProgramId)?;
        // 3. The mint belongs to that token program (its layout is checked by InitializeAccount3).
        mint.require_owner(token)?;
        // 4. Distributor and vault are writable and not created yet (addresses: processor).
        distributor.require_writable()?;
        vault.require_writable()?;
        if !distributor.is_uninitialized() || !vault.is_uninitialized() {
            return Err(MeritError::AlreadyInitialized);
        }
        Ok(InitializeDistributorAccounts { admin, mint, distributor, vault, token_program })
    }
}
