//! Activation of the due head of the pending queue: by activate_root, or lazily by a claim.
use crate::errors::{MeritError, ProgramResult};
use crate::events::{Event, RootActivated};
use crate::pubkey::Pubkey;
use crate::state::distributor::Distributor;
use crate::state::epoch_root::{EpochRoot, STATUS_ACTIVE, STATUS_PENDING};

/// Flips `root` (the head of the pending queue, due at `now`) to active and emits
/// RootActivated. Shared with claim, which activates lazily.
#[inline(always)]
pub fn activate(state: &mut Distributor, root: &mut EpochRoot, distributor: &Pubkey, now: i64) -> ProgramResult {
    if root.status != STATUS_PENDING {
        return Err(MeritError::RootNotPending);
    }
    state.activate_head(root.epoch, now)?;
    root.status = STATUS_ACTIVE;
    root.activated_at = now;
    RootActivated { distributor: *distributor, epoch: root.epoch, cumulative_total: root.cumulative_total, activated_at: now }.emit();
    Ok(())
}
