use crate::instructions::admin::common::AdminAccounts;
use crate::account::AccountInfo;
use crate::errors::ProgramResult;
use crate::syscalls::unix_timestamp;

/// Changes apply to later proposals; roots already queued keep their activation time.
pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let params = super::data::SetParamsData::parse(data)?.params;
    let AdminAccounts { distributor, state } = AdminAccounts::parse(accounts, &super::accounts::ACCOUNTS)?;
    params.validate(Some(state.claim_expiry), unix_timestamp()?)?;
    params.apply(state);
    params.emit(distributor.key());
    Ok(())
}
