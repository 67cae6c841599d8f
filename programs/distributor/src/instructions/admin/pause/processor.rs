use super::accounts::PauseAccounts;
use crate::account::AccountInfo;
use crate::errors::ProgramResult;
use crate::events::{Event, PauseChanged};
use crate::instructions::shared::checks::require_no_args;

/// pause / unpause. While paused nothing pays out, activates or is proposed; vetoes still work.
pub fn process(accounts: &[AccountInfo], data: &[u8], paused: bool) -> ProgramResult {
    require_no_args(data)?;
    let PauseAccounts { authority, distributor, state } = PauseAccounts::parse(accounts)?;
    state.paused = paused as u8;
    PauseChanged { distributor: *distributor.key(), authority: *authority.key(), paused: paused as u8 }.emit();
    Ok(())
}
