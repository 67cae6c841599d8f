use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::instructions::shared::account_list::{take, AccountMeta};
use crate::instructions::shared::checks::require_authority;
use crate::state::distributor::Distributor;
use crate::state::AccountState;

/// pause's and unpause's accounts (the IDL's list; checked by `take`).
pub const ACCOUNTS: [AccountMeta; 2] = [AccountMeta::signer("authority"), AccountMeta::writable("distributor")];

/// Accounts of guardian-or-admin instructions (pause, unpause).
pub struct PauseAccounts<'a> {
    pub authority: &'a AccountInfo,
    pub distributor: &'a AccountInfo,
    pub state: &'a mut Distributor,
}

impl<'a> PauseAccounts<'a> {
    #[inline(always)]
    pub fn parse(accounts: &'a [AccountInfo]) -> Result<Self, MeritError> {
        // 0. Count, signer and writable flags: ACCOUNTS.
        let [authority, distributor] = take(accounts, &ACCOUNTS)?;
        // 1. The distributor is ours and of the right type.
        let state = Distributor::load(distributor)?;
        // 2. The signer is its guardian or its admin.
        require_authority(authority, &[&state.guardian, &state.admin])?;
        Ok(PauseAccounts { authority, distributor, state })
    }
}
