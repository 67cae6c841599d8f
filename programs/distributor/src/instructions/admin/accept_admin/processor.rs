use super::accounts::AcceptAdminAccounts;
use crate::account::AccountInfo;
use crate::errors::ProgramResult;
use crate::instructions::shared::checks::require_no_args;
use crate::instructions::admin::common::emit_authorities;

/// Second step of the admin hand-over: the proposed admin takes over.
pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    require_no_args(data)?;
    let AcceptAdminAccounts { new_admin, distributor, state } = AcceptAdminAccounts::parse(accounts)?;
    state.admin = *new_admin.key();
    state.pending_admin = [0; 32];
    emit_authorities(distributor.key(), state);
    Ok(())
}
