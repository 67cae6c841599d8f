//! What several admin instructions share: the admin-signed accounts and the authorities event.
use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::events::{AuthoritiesUpdated, Event};
use crate::instructions::shared::account_list::{take, AccountMeta};
use crate::instructions::shared::checks::require_authority;
use crate::pubkey::Pubkey;
use crate::state::distributor::Distributor;
use crate::state::AccountState;

/// Accounts of admin-only configuration instructions (set_authorities, set_params): the admin
/// (signer) and the distributor (writable).
pub struct AdminAccounts<'a> {
    pub distributor: &'a AccountInfo,
    pub state: &'a mut Distributor,
}

impl<'a> AdminAccounts<'a> {
    #[inline(always)]
    pub fn parse(accounts: &'a [AccountInfo], list: &[AccountMeta; 2]) -> Result<Self, MeritError> {
        // 0. Count, signer and writable flags: the instruction's ACCOUNTS.
        let [admin, distributor] = take(accounts, list)?;
        // 1. The distributor is ours and of the right type.
        let state = Distributor::load(distributor)?;
        // 2. The signer is its admin.
        require_authority(admin, &[&state.admin])?;
        Ok(AdminAccounts { distributor, state })
    }
}

/// AuthoritiesUpdated with the distributor's current authorities.
#[inline(always)]
pub fn emit_authorities(distributor: &Pubkey, state: &Distributor) {
    AuthoritiesUpdated {
        distributor: *distributor,
        admin: state.admin,
        pending_admin: state.pending_admin,
        publisher: state.publisher,
        guardian: state.guardian,
    }
    .emit();
}
