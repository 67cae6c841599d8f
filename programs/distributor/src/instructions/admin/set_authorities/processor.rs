use crate::instructions::admin::common::{emit_authorities, AdminAccounts};
use super::data::SetAuthoritiesData;
use crate::account::AccountInfo;
use crate::errors::ProgramResult;

/// Sets publisher and guardian and proposes the next admin, who must accept (accept_admin).
pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let args = SetAuthoritiesData::parse(data)?;
    let AdminAccounts { distributor, state } = AdminAccounts::parse(accounts, &super::accounts::ACCOUNTS)?;
    state.publisher = args.publisher;
    state.guardian = args.guardian;
    state.pending_admin = args.pending_admin;
    emit_authorities(distributor.key(), state);
    Ok(())
}
