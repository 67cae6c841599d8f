use super::accounts::AdminAccounts;
use super::data::SetAuthoritiesData;
use crate::account::AccountInfo;
use crate::errors::ProgramResult;
use crate::events::{AuthoritiesUpdated, Event};
use crate::state::distributor::Distributor;

/// Sets publisher and guardian and proposes the next admin, who must accept (accept_admin).
pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let args = SetAuthoritiesData::parse(data)?;
    let AdminAccounts { distributor, state } = AdminAccounts::parse(accounts)?;
    state.publisher = args.publisher;
    state.guardian = args.guardian;
    state.pending_admin = args.pending_admin;
    emit_authorities(distributor.key(), state);
    Ok(())
}

#[inline(always)]
pub fn emit_authorities(distributor: &crate::Pubkey, state: &Distributor) {
    AuthoritiesUpdated {
        distributor: *distributor,
        admin: state.admin,
        pending_admin: state.pending_admin,
        publisher: state.publisher,
        guardian: state.guardian,
    }
    .emit();
}
