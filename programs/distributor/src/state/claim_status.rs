//! ClaimStatus: one per (distributor, claimant), PDA `["claim", distributor, claimant]`,
//! created (and paid for) by the claimant's first claim.
use super::AccountState;
use crate::Pubkey;

#[derive(Clone, Copy)]
#[repr(C)]
pub struct ClaimStatus {
    pub discriminator: [u8; 8],
    pub distributor: Pubkey,
    pub claimant: Pubkey,
    /// Cumulative amount already paid: the next claim pays its proof's amount minus this.
    pub claimed: u64,
    /// Epoch of the root the last claim was proven against.
    pub last_epoch: u64,
    pub bump: u8,
    pub reserved: [u8; 7],
}

// SAFETY: repr(C), integers and byte arrays only; 8+32+32+8+8+8 = 96 bytes, no padding.
unsafe impl AccountState for ClaimStatus {
    const DISCRIMINATOR: [u8; 8] = [0x16, 0xb7, 0xf9, 0x9d, 0xf7, 0x5f, 0x96, 0x60];
}

#[cfg(test)]
mod tests {
    #[test]
    fn size_is_the_borsh_size() {
        assert_eq!(<super::ClaimStatus as super::AccountState>::LEN, 96);
    }
}
