use super::accounts::PauseAccounts;
use crate::account::AccountInfo;
use crate::errors::ProgramResult;
use crate::events::{Event, PauseChanged};
use crate::instructions::require_no_args;
use crate::state::AccountState;

/// pause / unpause. While paused nothing pays out, activates or is proposed; vetoes still work.
pub fn process(accounts: &[AccountInfo], data: &[u8], paused: bool) -> ProgramResult {
    let PauseAccounts { authority, distributor, mut state } = PauseAccounts::parse(accounts)?;
    require_no_args(data)?;
    state.paused = paused as u8;
    state.store(distributor);
    PauseChanged { distributor: *distributor.key(), authority: *authority.key(), paused: paused as u8 }.emit();
    Ok(())
}
