//! Program-derived addresses (seed table in docs/notes/program.md):
//!
//! | account     | seeds                                        |
//! |-------------|----------------------------------------------|
//! | Distributor | `"distributor"`, mint, id (u64 LE)           |
//! | vault       | `"vault"`, distributor                       |
//! | EpochRoot   | `"epoch"`, distributor, epoch (u64 LE)       |
//! | ClaimStatus | `"claim"`, distributor, claimant             |
//!
//! Addresses are checked against the canonical (highest) bump only when an account is created;
//! afterwards, program ownership plus the stored distributor/claimant fields identify it, which
//! saves a 1,500-CU derivation per check on the claim path.
use crate::account::AccountInfo;
use crate::errors::MeritError;

pub const DISTRIBUTOR_SEED: &[u8] = b"distributor";
pub const VAULT_SEED: &[u8] = b"vault";
pub const EPOCH_SEED: &[u8] = b"epoch";
pub const CLAIM_SEED: &[u8] = b"claim";

/// Returns the canonical bump of `seeds` if `account` sits at that address.
#[inline(always)]
pub fn require_canonical(account: &AccountInfo, seeds: &[&[u8]]) -> Result<u8, MeritError> {
    let (address, bump) = crate::syscalls::find_program_address(seeds, &crate::ID)?;
    account.require_key(&address, MeritError::InvalidPda)?;
    Ok(bump)
}
