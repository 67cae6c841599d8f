//! EpochRoot: one per (distributor, epoch), PDA `["epoch", distributor, epoch u64 LE]`.
//! Never closed: together they are the audit trail of every root ever published.
use super::AccountState;
use crate::pda::EPOCH_SEED;
use crate::pubkey::Pubkey;

pub const STATUS_PENDING: u8 = 0;
pub const STATUS_ACTIVE: u8 = 1;
pub const STATUS_VETOED: u8 = 2;

#[derive(Clone, Copy)]
#[repr(C)]
pub struct EpochRoot {
    pub discriminator: [u8; 8],
    pub distributor: Pubkey,
    pub epoch: u64,
    pub root: [u8; 32],
    pub cumulative_total: u64,
    pub leaf_count: u64,
    /// Hash of the published dataset (every (claimant, amount) of the tree).
    pub dataset_hash: [u8; 32],
    /// Hash tying the root to its inputs: slot range, rule-set version, settlement digest.
    pub inputs_hash: [u8; 32],
    pub proposed_at: i64,
    pub activates_at: i64,
    /// When the root actually became active (0 while pending or if vetoed).
    pub activated_at: i64,
    /// Borsh enum `EpochStatus`: 0 pending, 1 active, 2 vetoed.
    pub status: u8,
    pub bump: u8,
    pub reserved: [u8; 6],
}

// SAFETY: repr(C), integers and byte arrays only; 8+32+8+32+8+8+32+32+8+8+8+8 = 192 bytes, no padding.
unsafe impl AccountState for EpochRoot {
    const DISCRIMINATOR: [u8; 8] = [0x54, 0x73, 0xf5, 0x60, 0x2d, 0xa5, 0xe0, 0x1f];
}

impl EpochRoot {
    /// Address seeds (without the bump); `epoch` is u64 LE.
    #[inline(always)]
    pub fn seeds<'a>(distributor: &'a Pubkey, epoch: &'a [u8; 8]) -> [&'a [u8]; 3] {
        [EPOCH_SEED, distributor, epoch]
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn size_is_the_borsh_size() {
        assert_eq!(<super::EpochRoot as super::AccountState>::LEN, 192);
    }
}
