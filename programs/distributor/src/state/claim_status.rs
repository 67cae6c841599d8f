//! ClaimStatus: one per (distributor, claimant), PDA `["claim", distributor, claimant]`,
//! created (and paid for) by the claimant's first claim.
//!
//! It keeps only what the claim's checks read: the discriminator (account type), the amount
//! already paid, and the bump that re-derives its address. Distributor and claimant are bound
//! by the address's seeds, so they are not stored: 17 bytes, (128 + 17) × 6,960 = 1,009,200
//! lamports of rent per claimant at 3,480 lamports per byte-year and a 2-year exemption.
use super::AccountState;
use crate::pda::CLAIM_SEED;
use crate::pubkey::Pubkey;

#[derive(Clone, Copy)]
#[repr(C)]
pub struct ClaimStatus {
    pub discriminator: [u8; 8],
    /// Cumulative amount already paid (u64 LE): the next claim pays its proof's amount minus this.
    claimed: [u8; 8],
    /// Canonical bump of the address.
    pub bump: u8,
}

// SAFETY: repr(C), byte arrays and a u8 only (align 1, so no padding): 8 + 8 + 1 = 17 bytes.
unsafe impl AccountState for ClaimStatus {
    const DISCRIMINATOR: [u8; 8] = [0x16, 0xb7, 0xf9, 0x9d, 0xf7, 0x5f, 0x96, 0x60];
}

impl ClaimStatus {
    #[inline(always)]
    pub fn new(claimed: u64, bump: u8) -> Self {
        ClaimStatus { discriminator: Self::DISCRIMINATOR, claimed: claimed.to_le_bytes(), bump }
    }

    /// Address seeds (without the bump).
    #[inline(always)]
    pub fn seeds<'a>(distributor: &'a Pubkey, claimant: &'a Pubkey) -> [&'a [u8]; 3] {
        [CLAIM_SEED, distributor, claimant]
    }

    #[inline(always)]
    pub fn claimed(&self) -> u64 {
        u64::from_le_bytes(self.claimed)
    }

    #[inline(always)]
    pub fn set_claimed(&mut self, amount: u64) {
        self.claimed = amount.to_le_bytes();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn size_is_the_borsh_size() {
        assert_eq!(<super::ClaimStatus as super::AccountState>::LEN, 17);
    }
}
