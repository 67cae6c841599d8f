use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::state::distributor::Distributor;
use crate::state::AccountState;

/// Accounts of guardian-or-admin instructions (pause, unpause).
pub struct PauseAccounts<'a> {
    pub authority: &'a AccountInfo,
    pub distributor: &'a AccountInfo,
    pub state: &'a mut Distributor,
}

impl<'a> PauseAccounts<'a> {
    #[inline(always)]
    pub fn parse(accounts: &'a [AccountInfo]) -> Result<Self, MeritError> {
        let [authority, distributor, ..] = accounts else {
            return Err(MeritError::NotEnoughAccounts);
        };
        // 1. The distributor is ours, writable, and of the right type.
        let state = Distributor::load_writable(distributor)?;
        // 2. The signer is its guardian or its admin.
        crate::instructions::shared::checks::require_authority(authority, &[&state.guardian, &state.admin])?;
        Ok(PauseAccounts { authority, distributor, state })
    }
}
