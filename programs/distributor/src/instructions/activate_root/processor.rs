use super::accounts::{parse, RootAccounts};
use crate::account::AccountInfo;
use crate::errors::{MeritError, ProgramResult};
use crate::events::{Event, RootActivated};
use crate::instructions::require_no_args;
use crate::state::distributor::Distributor;
use crate::state::epoch_root::{EpochRoot, STATUS_ACTIVE, STATUS_PENDING};
use crate::state::AccountState;
use crate::syscalls::unix_timestamp;

pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let RootAccounts { distributor, epoch_root, mut state, mut root } = parse(accounts)?;
    require_no_args(data)?;
    activate(&mut state, &mut root, distributor.key(), unix_timestamp()?)?;
    root.store(epoch_root);
    state.store(distributor);
    Ok(())
}

/// Flips `root` (the head of the pending queue, due at `now`) to active and emits
/// RootActivated. Shared with claim, which activates lazily; the caller stores both accounts.
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
