use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::state::distributor::Distributor;
use crate::state::AccountState;

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
        let [admin, distributor, mint, vault, destination, token_program, ..] = accounts else {
            return Err(MeritError::NotEnoughAccounts);
        };
        // 1. The distributor is ours, writable, and of the right type.
        let state = Distributor::load_writable(distributor)?;
        // 2. The signer is its admin.
        crate::instructions::shared::checks::require_authority(admin, &[&state.admin])?;
        // 3. Mint, vault and token program are the recorded ones; the vault is a token account.
        mint.require_key(&state.mint, MeritError::MintMismatch)?;
        vault.require_key(&state.vault, MeritError::VaultMismatch)?;
        vault.require_writable()?;
        vault.require_owner(&state.token_program)?;
        token_program.require_key(&state.token_program, MeritError::InvalidProgramId)?;
        // 4. The destination is writable (the token program checks its mint) and not the vault:
        //    a clawback into the vault would move nothing yet count in `total_clawed_back`.
        destination.require_writable()?;
        if crate::pubkey::keys_eq(destination.key(), &state.vault) {
            return Err(MeritError::ClawbackToVault);
        }
        Ok(ClawbackAccounts { distributor, mint, vault, destination, token_program, state })
    }
}
