//! Program-derived addresses (seed table in docs/program.md; each state type has its seeds as a
//! method: `Distributor::seeds`, `Distributor::vault_seeds`, `EpochRoot::seeds`, `ClaimStatus::seeds`):
//!
//! | account     | seeds                                        |
//! |-------------|----------------------------------------------|
//! | Distributor | `"distributor"`, mint, creator, id (u64 LE)  |
//! | vault       | `"vault"`, distributor                       |
//! | EpochRoot   | `"epoch"`, distributor, epoch (u64 LE)       |
//! | ClaimStatus | `"claim"`, distributor, claimant             |
//!
//! Addresses are checked against the canonical (highest) bump when an account is created.
//! Afterwards program ownership plus the stored keys identify a Distributor or EpochRoot; a
//! ClaimStatus, which stores neither key, is re-derived from its stored bump (one sha256).
use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::syscalls::{sha256_raw, RawBytes};
use crate::pubkey::AlignedKey;

pub const DISTRIBUTOR_SEED: &[u8] = b"distributor";
pub const VAULT_SEED: &[u8] = b"vault";
pub const EPOCH_SEED: &[u8] = b"epoch";
pub const CLAIM_SEED: &[u8] = b"claim";

const PDA_MARKER: &[u8] = b"ProgramDerivedAddress";
/// Most seeds of the program's PDAs (the Distributor's: prefix, mint, creator, id).
const MAX_SEEDS: usize = 4;
/// `program_id ++ "ProgramDerivedAddress"`, what follows the bump in every PDA preimage.
const TAIL_LEN: usize = 32 + 21;

/// Returns the canonical bump of `seeds` if `account` sits at that address.
///
/// `sol_try_find_program_address` charges 1,500 CU per bump tried, so the search is done here
/// with what it costs underneath: for bumps from 255 down, the candidate is
/// `sha256(seeds || bump || program_id || "ProgramDerivedAddress")`, hashed into an aligned key;
/// the bump, program id and marker share one slice (the sha256 syscall charges at least 10 CU
/// per slice). Every candidate above the account's must be on the ed25519 curve (a valid PDA
/// there would be the canonical one): ~340 CU per bump (sha256 ~155, `sol_curve_validate_point`
/// 159). The account's own candidate is not checked for the curve: the caller creates the
/// account with these seeds through `invoke_signed`, whose signer derivation
/// (`create_program_address`) refuses an on-curve result, so such an address (a sha256 preimage
/// no one can find anyway) could never be created.
#[inline(always)]
pub fn canonical_bump(account: &AccountInfo, seeds: &[&[u8]]) -> Result<u8, MeritError> {
    if seeds.len() > MAX_SEEDS {
        return Err(MeritError::InvalidPda);
    }
    let mut tail = [0u8; 1 + TAIL_LEN];
    tail[1..33].copy_from_slice(&crate::pubkey::PROGRAM_ID.0);
    tail[33..].copy_from_slice(PDA_MARKER);
    // The slice list is built once; only the bump byte changes between hashes.
    let mut parts = [RawBytes::of(&[]); MAX_SEEDS + 1];
    for (part, seed) in parts.iter_mut().zip(seeds) {
        *part = RawBytes::of(seed);
    }
    let tail_ptr = tail.as_mut_ptr();
    parts[seeds.len()] = RawBytes { addr: tail_ptr, len: tail.len() as u64 };
    let parts = &parts[..seeds.len() + 1];
    let mut candidate = AlignedKey([0; 32]);
    let mut bump = u8::MAX;
    loop {
        // SAFETY: `tail_ptr` points at `tail`, alive and not otherwise borrowed in this loop;
        // every slice of `parts` points at a seed or at `tail`, all alive for the call.
        unsafe {
            *tail_ptr = bump;
            sha256_raw(parts, &mut candidate.0);
        }
        if crate::pubkey::keys_eq(&candidate.0, account.key()) {
            return Ok(bump);
        }
        if !crate::syscalls::is_on_curve(&candidate.0) || bump == 0 {
            // A higher bump gives a valid PDA (or none matched): not the canonical address.
            return Err(MeritError::InvalidPda);
        }
        bump -= 1;
    }
}

/// The address `seeds` and `bump` give (create_program_address without the curve check): for
/// accounts this program created at their canonical address, whose bump it stored.
#[inline(always)]
pub fn address(seeds: &[&[u8]; 3], bump: u8) -> AlignedKey {
    let bump = [bump];
    let mut key = AlignedKey([0; 32]);
    crate::syscalls::sha256_into(&[seeds[0], seeds[1], seeds[2], &bump, &crate::pubkey::PROGRAM_ID.0, PDA_MARKER], &mut key.0);
    key
}

/// Fails with `InvalidPda` unless `account` is at `address(seeds, bump)`.
#[inline(always)]
pub fn require_address(account: &AccountInfo, seeds: &[&[u8]; 3], bump: u8) -> Result<(), MeritError> {
    account.require_key(&address(seeds, bump).0, MeritError::InvalidPda)
}
