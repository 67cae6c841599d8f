use super::accounts::VetoRootAccounts;
use crate::instructions::shared::root_accounts::RootAccounts;
use crate::account::AccountInfo;
use crate::errors::{MeritError, ProgramResult};
use crate::events::{Event, RootVetoed};
use crate::instructions::shared::checks::require_no_args;
use crate::state::epoch_root::{STATUS_PENDING, STATUS_VETOED};
use crate::syscalls::unix_timestamp;

/// Vetoes a pending root before its activation time, or at any time while the distributor is
/// paused (nothing activates while paused, so the guardian can pause first and decide later).
pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    require_no_args(data)?;
    let VetoRootAccounts { authority, roots } = VetoRootAccounts::parse(accounts)?;
    let RootAccounts { distributor, state, root, .. } = roots;
    if root.status != STATUS_PENDING {
        return Err(MeritError::RootNotPending);
    }
    let index = state.pending_index(root.epoch).ok_or(MeritError::RootNotPending)?;
    if state.paused == 0 && unix_timestamp()? >= state.pending[index].activates_at {
        return Err(MeritError::VetoWindowClosed);
    }
    state.remove_pending(index);
    root.status = STATUS_VETOED;
    RootVetoed { distributor: *distributor.key(), epoch: root.epoch, authority: *authority.key() }.emit();
    Ok(())
}
