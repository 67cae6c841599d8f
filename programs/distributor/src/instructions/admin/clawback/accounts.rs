use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::instructions::shared::account_list::{take, AccountMeta};
use crate::instructions::shared::checks::require_authority;
use crate::pubkey::keys_eq;
use crate::state::distributor::Distributor;
use crate::state::AccountState;

/// clawback's accounts (the IDL's list; checked by `take`).
pub const ACCOUNTS: [AccountMeta; 6] = [
    AccountMeta::signer("admin"),
    AccountMeta::writable("distributor"),
    AccountMeta::readonly("mint"),
    AccountMeta::writable("vault"),
    AccountMeta::writable("destination"),
    AccountMeta::readonly("token_program"),
];

pub struct ClawbackAccounts<'a> {
    pub distributor: &'a AccountInfo,
    pub mint: &'a AccountInfo,
    pub vault: &'a AccountInfo,
    pub destination: &'a AccountInfo,
    pub token_program: &'a AccountInfo,
    pub state: &'a mut Distributor,
}

impl<'a> ClawbackAccounts<'a> {
    #[inline(always)]
    pub fn parse(accounts: &'a [AccountInfo]) -> Result<Self, MeritError> {
        // 0. Count, signer and writable flags: ACCOUNTS.
        let [admin, distributor, mint, vault, destination, token_program] = take(accounts, &ACCOUNTS)?;
        // 1. The distributor is ours and of the right type.
        let state = Distributor::load(distributor)?;
        // 2. The signer is its admin.
        require_authority(admin, &[&state.admin])?;
        // 3. Mint, vault and token program are the recorded ones; the vault is a token account.
        mint.require_key(&state.mint, MeritError::MintMismatch)?;
        vault.require_key(&state.vault, MeritError::VaultMismatch)?;
        vault.require_owner(&state.token_program)?;
        token_program.require_key(&state.token_program, MeritError::InvalidProgramId)?;
        // 4. The destination is not the vault (the token program checks its mint): a clawback
        //    into the vault would move nothing yet count in `total_clawed_back`.
        if keys_eq(destination.key(), &state.vault) {
            return Err(MeritError::ClawbackToVault);
        }
        Ok(ClawbackAccounts { distributor, mint, vault, destination, token_program, state })
    }
}
