use super::accounts::AdminAccounts;
use crate::account::AccountInfo;
use crate::errors::ProgramResult;
use crate::state::AccountState;
use crate::syscalls::unix_timestamp;

/// Changes apply to later proposals; roots already queued keep their activation time.
pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let AdminAccounts { distributor, mut state } = AdminAccounts::parse(accounts)?;
    let params = super::data::parse(data)?;
    params.validate(Some(state.claim_expiry), unix_timestamp()?)?;
    params.apply(&mut state);
    state.store(distributor);
    params.emit(distributor.key());
    Ok(())
}
