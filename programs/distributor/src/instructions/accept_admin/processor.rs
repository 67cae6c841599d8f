use super::accounts::AcceptAdminAccounts;
use crate::account::AccountInfo;
use crate::errors::ProgramResult;
use crate::instructions::require_no_args;
use crate::instructions::set_authorities::processor::emit_authorities;
use crate::state::AccountState;

/// Second step of the admin hand-over: the proposed admin takes over.
pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let AcceptAdminAccounts { new_admin, distributor, mut state } = AcceptAdminAccounts::parse(accounts)?;
    require_no_args(data)?;
    state.admin = *new_admin.key();
    state.pending_admin = [0; 32];
    state.store(distributor);
    emit_authorities(distributor.key(), &state);
    Ok(())
}
