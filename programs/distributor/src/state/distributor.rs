//! Distributor: one per (mint, creator, id), PDA `["distributor", mint, creator, id u64 LE]`.
use super::AccountState;
use crate::errors::MeritError;
use crate::pda::{DISTRIBUTOR_SEED, VAULT_SEED};
use crate::pubkey::Pubkey;

/// Pending roots a distributor holds at once (proposed, not yet activated or vetoed).
pub const MAX_PENDING: usize = 4;

/// A proposed root waiting for its activation time, in proposal (= epoch) order.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct PendingRoot {
    pub epoch: u64,
    pub cumulative_total: u64,
    pub activates_at: i64,
}

#[derive(Clone, Copy)]
#[repr(C)]
pub struct Distributor {
    pub discriminator: [u8; 8],
    pub admin: Pubkey,
    /// Proposed next admin (two-step hand-over); all zeros when none.
    pub pending_admin: Pubkey,
    pub publisher: Pubkey,
    pub guardian: Pubkey,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub vault: Pubkey,
    /// The admin that created the distributor: a seed of its address, so nobody else can take
    /// the address an admin planned. Never changes (the admin can be handed over; the PDA's
    /// signer seeds use this key).
    pub creator: Pubkey,
    pub id: u64,
    /// Seconds between propose_root and the earliest activation.
    pub activation_delay: u64,
    /// Seconds after an activation during which the previous root still pays.
    pub grace_period: u64,
    /// Largest increase of the cumulative total from one proposed root to the next.
    pub max_total_increase: u64,
    /// Unix time after which claims stop and the admin may withdraw everything; 0 = never.
    pub claim_expiry: i64,
    /// Highest epoch ever proposed (vetoed included): epochs are never reused.
    pub latest_epoch: u64,
    pub current_epoch: u64,
    pub current_total: u64,
    pub current_activated_at: i64,
    pub previous_epoch: u64,
    pub total_claimed: u64,
    pub total_clawed_back: u64,
    pub pending: [PendingRoot; MAX_PENDING],
    pub pending_count: u8,
    pub paused: u8,
    pub bump: u8,
    pub vault_bump: u8,
    pub reserved: [u8; 4],
}

// SAFETY: repr(C), integers and byte arrays only; 8 + 8*32 + 12*8 + 4*24 + 8 = 464 bytes, no padding.
unsafe impl AccountState for Distributor {
    const DISCRIMINATOR: [u8; 8] = [0x5a, 0x5a, 0xd9, 0x93, 0x06, 0x20, 0x87, 0x04];
}

impl Distributor {
    /// Address seeds (without the bump); `id` is the distributor's number, u64 LE.
    #[inline(always)]
    pub fn seeds<'a>(mint: &'a Pubkey, creator: &'a Pubkey, id: &'a [u8; 8]) -> [&'a [u8]; 4] {
        [DISTRIBUTOR_SEED, mint, creator, id]
    }

    /// Address seeds of the vault (without the bump).
    #[inline(always)]
    pub fn vault_seeds(distributor: &Pubkey) -> [&[u8]; 2] {
        [VAULT_SEED, distributor]
    }

    /// Seeds (bump included) with which the Distributor PDA signs for its vault; `id` holds
    /// `self.id` little-endian.
    #[inline(always)]
    pub fn signer_seeds<'a>(&'a self, id: &'a [u8; 8]) -> [&'a [u8]; 5] {
        let [prefix, mint, creator, id] = Self::seeds(&self.mint, &self.creator, id);
        [prefix, mint, creator, id, core::slice::from_ref(&self.bump)]
    }

    /// Cumulative total of the newest root that can still become or is claimable: the last
    /// pending one, else the current. Totals never decrease along the queue.
    #[inline(always)]
    pub fn latest_total(&self) -> u64 {
        match self.queued().checked_sub(1).and_then(|last| self.pending.get(last)) {
            Some(last) => last.cumulative_total,
            None => self.current_total,
        }
    }

    /// Number of queued roots, never beyond the array: the queue code has no panicking paths
    /// (the build links no panic machinery), whatever the stored count says.
    #[inline(always)]
    pub fn queued(&self) -> usize {
        let count = self.pending_count as usize;
        if count > MAX_PENDING { MAX_PENDING } else { count }
    }

    /// Tokens the vault owes claimants under the newest root.
    #[inline(always)]
    pub fn outstanding(&self) -> Result<u64, MeritError> {
        self.latest_total().checked_sub(self.total_claimed).ok_or(MeritError::ArithmeticOverflow)
    }

    #[inline(always)]
    pub fn is_expired(&self, now: i64) -> bool {
        self.claim_expiry != 0 && now >= self.claim_expiry
    }

    #[inline(always)]
    pub fn require_active(&self) -> Result<(), MeritError> {
        if self.paused != 0 { Err(MeritError::Paused) } else { Ok(()) }
    }

    /// Appends a proposed root after the epoch and total checks; returns its activation time,
    /// never earlier than the one queued before it so the queue activates in epoch order.
    #[inline(always)]
    pub fn push_pending(&mut self, epoch: u64, total: u64, now: i64) -> Result<i64, MeritError> {
        if epoch <= self.latest_epoch {
            return Err(MeritError::EpochNotIncreasing);
        }
        let previous_total = self.latest_total();
        if total < previous_total {
            return Err(MeritError::CumulativeTotalDecreased);
        }
        if total - previous_total > self.max_total_increase {
            return Err(MeritError::CapExceeded);
        }
        let count = self.queued();
        let delay = i64::try_from(self.activation_delay).map_err(|_| MeritError::ArithmeticOverflow)?;
        let mut activates_at = now.checked_add(delay).ok_or(MeritError::ArithmeticOverflow)?;
        if let Some(last) = count.checked_sub(1).and_then(|last| self.pending.get(last)) {
            if last.activates_at > activates_at {
                activates_at = last.activates_at;
            }
        }
        let slot = self.pending.get_mut(count).ok_or(MeritError::PendingQueueFull)?;
        *slot = PendingRoot { epoch, cumulative_total: total, activates_at };
        self.pending_count = count.wrapping_add(1) as u8;
        self.latest_epoch = epoch;
        Ok(activates_at)
    }

    /// Index of `epoch` in the pending queue.
    #[inline(always)]
    pub fn pending_index(&self, epoch: u64) -> Option<usize> {
        self.pending.iter().take(self.queued()).position(|p| p.epoch == epoch)
    }

    /// Drops the queued root at `index` (veto), keeping the order of the rest.
    pub fn remove_pending(&mut self, index: usize) {
        let count = self.queued();
        if index >= count {
            return;
        }
        let mut kept = [PendingRoot::default(); MAX_PENDING];
        for (slot, root) in kept.iter_mut().zip(self.pending.iter().take(count).enumerate().filter(|(i, _)| *i != index).map(|(_, r)| r)) {
            *slot = *root;
        }
        self.pending = kept;
        self.pending_count = count.wrapping_sub(1) as u8;
    }

    /// Makes the head of the queue the current root if it is `epoch` and due at `now`.
    #[inline(always)]
    pub fn activate_head(&mut self, epoch: u64, now: i64) -> Result<PendingRoot, MeritError> {
        self.require_active()?;
        let index = self.pending_index(epoch).ok_or(MeritError::RootNotPending)?;
        if index != 0 {
            return Err(MeritError::OutOfOrderActivation);
        }
        let head = self.pending[0];
        if now < head.activates_at {
            return Err(MeritError::RootNotActive);
        }
        self.remove_pending(0);
        self.previous_epoch = self.current_epoch;
        self.current_epoch = head.epoch;
        self.current_total = head.cumulative_total;
        self.current_activated_at = now;
        Ok(head)
    }

    /// Whether an active root of `epoch` may still pay at `now`: the current one always, the
    /// previous one while the current is younger than the grace period.
    pub fn accepts_active_epoch(&self, epoch: u64, now: i64) -> Result<(), MeritError> {
        if epoch == self.current_epoch {
            return Ok(());
        }
        if epoch != 0 && epoch == self.previous_epoch {
            let grace = i64::try_from(self.grace_period).map_err(|_| MeritError::ArithmeticOverflow)?;
            let end = self.current_activated_at.checked_add(grace).ok_or(MeritError::ArithmeticOverflow)?;
            if now < end {
                return Ok(());
            }
        }
        Err(MeritError::RootSuperseded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> Distributor {
        // SAFETY: all-zero bytes are a valid Distributor (AccountState contract).
        let mut d: Distributor = unsafe { core::mem::zeroed() };
        d.activation_delay = 100;
        d.grace_period = 50;
        d.max_total_increase = 1_000;
        d
    }

    #[test]
    fn size_is_the_borsh_size() {
        assert_eq!(Distributor::LEN, 464);
    }

    #[test]
    fn proposals_need_increasing_epochs_and_capped_non_decreasing_totals() {
        let mut d = fresh();
        assert_eq!(d.push_pending(1, 500, 10), Ok(110));
        assert_eq!(d.push_pending(1, 600, 10), Err(MeritError::EpochNotIncreasing));
        assert_eq!(d.push_pending(2, 499, 10), Err(MeritError::CumulativeTotalDecreased));
        assert_eq!(d.push_pending(2, 1_501, 10), Err(MeritError::CapExceeded));
        assert_eq!(d.push_pending(5, 1_500, 20), Ok(120));
        assert_eq!(d.latest_total(), 1_500);
        assert_eq!(d.push_pending(6, u64::MAX, 20), Err(MeritError::CapExceeded));
    }

    #[test]
    fn queue_is_bounded_and_activation_times_never_go_backwards() {
        let mut d = fresh();
        d.push_pending(1, 1, 1_000).unwrap();
        d.activation_delay = 0;
        assert_eq!(d.push_pending(2, 2, 1_001), Ok(1_100));
        d.push_pending(3, 3, 1_002).unwrap();
        d.push_pending(4, 4, 1_003).unwrap();
        assert_eq!(d.push_pending(5, 5, 1_004), Err(MeritError::PendingQueueFull));
    }

    #[test]
    fn activation_is_in_order_and_only_when_due() {
        let mut d = fresh();
        d.push_pending(1, 10, 0).unwrap();
        d.push_pending(2, 20, 5).unwrap();
        assert_eq!(d.activate_head(2, 1_000).err(), Some(MeritError::OutOfOrderActivation));
        assert_eq!(d.activate_head(1, 99).err(), Some(MeritError::RootNotActive));
        assert_eq!(d.activate_head(1, 100).map(|h| h.epoch), Ok(1));
        assert_eq!((d.current_epoch, d.current_total, d.pending_count), (1, 10, 1));
        assert_eq!(d.activate_head(2, 105).map(|h| h.epoch), Ok(2));
        assert_eq!((d.previous_epoch, d.current_epoch, d.current_activated_at), (1, 2, 105));
        assert_eq!(d.activate_head(2, 106).err(), Some(MeritError::RootNotPending));
        d.paused = 1;
        assert_eq!(d.activate_head(3, 106).err(), Some(MeritError::Paused));
    }

    #[test]
    fn previous_root_pays_only_within_the_grace_period() {
        let mut d = fresh();
        d.push_pending(1, 10, 0).unwrap();
        d.activate_head(1, 100).unwrap();
        d.push_pending(2, 20, 100).unwrap();
        d.activate_head(2, 200).unwrap();
        assert_eq!(d.accepts_active_epoch(2, 10_000), Ok(()));
        assert_eq!(d.accepts_active_epoch(1, 249), Ok(()));
        assert_eq!(d.accepts_active_epoch(1, 250), Err(MeritError::RootSuperseded));
        assert_eq!(d.accepts_active_epoch(0, 201), Err(MeritError::RootSuperseded));
    }

    #[test]
    fn veto_removes_from_the_middle_and_restores_the_previous_total() {
        let mut d = fresh();
        d.push_pending(1, 10, 0).unwrap();
        d.push_pending(2, 20, 0).unwrap();
        d.push_pending(3, 30, 0).unwrap();
        d.remove_pending(d.pending_index(3).unwrap());
        assert_eq!(d.latest_total(), 20);
        d.remove_pending(d.pending_index(1).unwrap());
        assert_eq!(d.pending[0].epoch, 2);
        assert_eq!(d.pending_count, 1);
        assert_eq!(d.push_pending(3, 30, 0), Err(MeritError::EpochNotIncreasing));
    }
}
