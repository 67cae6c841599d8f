//! Checks every family makes: argument-less data, and who signed.
use crate::account::AccountInfo;
use crate::errors::{MeritError, ProgramResult};
use crate::pubkey::{keys_eq, Pubkey};

/// Instructions without arguments: exactly the discriminator.
#[inline(always)]
pub fn require_no_args(data: &[u8]) -> ProgramResult {
    if data.len() == 8 { Ok(()) } else { Err(MeritError::InvalidInstructionData) }
}

/// Fails with `Unauthorized` unless `signer` signed and is one of `allowed`.
#[inline(always)]
pub fn require_authority(signer: &AccountInfo, allowed: &[&Pubkey]) -> ProgramResult {
    signer.require_signer()?;
    for key in allowed {
        if keys_eq(signer.key(), key) {
            return Ok(());
        }
    }
    Err(MeritError::Unauthorized)
}
