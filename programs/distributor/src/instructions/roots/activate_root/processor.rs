use super::accounts::{parse, RootAccounts};
use crate::account::AccountInfo;
use crate::errors::ProgramResult;
use crate::instructions::shared::activation::activate;
use crate::instructions::shared::checks::require_no_args;
use crate::syscalls::unix_timestamp;

pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    require_no_args(data)?;
    let RootAccounts { distributor, state, root, .. } = parse(accounts)?;
    activate(state, root, distributor.key(), unix_timestamp()?)?;
    Ok(())
}
