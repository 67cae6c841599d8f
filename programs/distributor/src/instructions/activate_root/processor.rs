use super::accounts::{parse, RootAccounts};
use crate::account::AccountInfo;
use crate::errors::{MeritError, ProgramResult};
use crate::events::{Event, RootActivated};
use crate::instructions::require_no_args;
use crate::state::distributor::Distributor;
use crate::state::epoch_root::{EpochRoot, STATUS_ACTIVE, STATUS_PENDING};
use crate::syscalls::unix_timestamp;

pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    require_no_args(data)?;
    let RootAccounts { distributor, state, root, .. } = parse(accounts)?;
    activate(state, root, distributor.key(), unix_timestamp()?)?;
    Ok(())
}

/// Flips `root` (the head of the pending queue, due at `now`) to active and emits
/// RootActivated. Shared with claim, which activates lazily.
#[inline(always)]
pub fn activate(state: &mut Distributor, root: &mut EpochRoot, distributor: &crate::Pubkey, now: i64) -> ProgramResult {
    if root.status != STATUS_PENDING {
        return Err(MeritError::RootNotPending);
    }
    state.activate_head(root.epoch, now)?;
    root.status = STATUS_ACTIVE;
    root.activated_at = now;
    RootActivated { distributor: *distributor, epoch: root.epoch, cumulative_total: root.cumulative_total, activated_at: now }.emit();
    Ok(())
}
