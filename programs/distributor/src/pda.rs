//! Program-derived addresses (seed table in docs/program.md):
//!
//! | account     | seeds                                        |
//! |-------------|----------------------------------------------|
//! | Distributor | `"distributor"`, mint, creator, id (u64 LE)  |
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

const PDA_MARKER: &[u8] = b"ProgramDerivedAddress";
const MAX_SEEDS: usize = 4;

/// Returns the canonical bump of `seeds` if `account` sits at that address.
///
/// `sol_try_find_program_address` charges 1,500 CU per bump tried (7,500 for bump 251), so the
/// search is done here with what it costs underneath: for bumps from 255 down, the candidate is
/// `sha256(seeds || bump || program_id || "ProgramDerivedAddress")`; every candidate above the
/// account's bump must be on the ed25519 curve (not a PDA) and the account's own must be off it.
/// About 320 CU per bump tried, and a non-PDA address fails at the first off-curve candidate.
#[inline(always)]
pub fn require_canonical(account: &AccountInfo, seeds: &[&[u8]]) -> Result<u8, MeritError> {
    if seeds.len() > MAX_SEEDS {
        return Err(MeritError::InvalidPda);
    }
    let mut bump = [u8::MAX];
    loop {
        let mut parts: [&[u8]; MAX_SEEDS + 3] = [&[]; MAX_SEEDS + 3];
        let mut n = 0;
        for (part, seed) in parts.iter_mut().zip(seeds) {
            *part = seed;
            n += 1;
        }
        parts[n] = &bump;
        parts[n + 1] = &crate::PROGRAM_ID.0;
        parts[n + 2] = PDA_MARKER;
        let candidate = crate::syscalls::sha256(&parts[..n + 3]);
        let on_curve = crate::syscalls::is_on_curve(&candidate);
        if crate::keys_eq(&candidate, account.key()) {
            return if on_curve { Err(MeritError::InvalidPda) } else { Ok(bump[0]) };
        }
        if !on_curve || bump[0] == 0 {
            // A higher bump gives a valid PDA (or none matched): not the canonical address.
            return Err(MeritError::InvalidPda);
        }
        bump[0] -= 1;
    }
}
