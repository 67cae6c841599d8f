use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::state::distributor::Distributor;
use crate::state::AccountState;

pub struct AcceptAdminAccounts<'a> {
    pub new_admin: &'a AccountInfo,
    pub distributor: &'a AccountInfo,
    pub state: &'a mut Distributor,
}

impl<'a> AcceptAdminAccounts<'a> {
    #[inline(always)]
    pub fn parse(accounts: &'a [AccountInfo]) -> Result<Self, MeritError> {
        let [new_admin, distributor, ..] = accounts else {
            return Err(MeritError::NotEnoughAccounts);
        };
        // 1. The distributor is ours, writable, and of the right type.
        let state = Distributor::load_writable(distributor)?;
        // 2. The signer is the proposed admin (never the all-zero "none").
        new_admin.require_signer()?;
        if crate::pubkey::keys_eq(&state.pending_admin, &[0; 32]) || !crate::pubkey::keys_eq(new_admin.key(), &state.pending_admin) {
            return Err(MeritError::NoPendingAdmin);
        }
        Ok(AcceptAdminAccounts { new_admin, distributor, state })
    }
}
