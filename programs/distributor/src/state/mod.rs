//! Program accounts. Each is a `repr(C)` struct whose bytes are exactly its Borsh encoding
//! (fields ordered so that no implicit padding exists), preceded by Anchor's 8-byte account
//! discriminator `sha256("account:<Name>")[..8]`, so `program.account.<name>.fetch` decodes it.
pub mod claim_status;
pub mod distributor;
pub mod epoch_root;

use crate::account::AccountInfo;
use crate::errors::MeritError;

/// A fixed-size account type stored as raw bytes.
///
/// # Safety
/// Implementors are `repr(C)`, contain only integers and byte arrays, have no padding, and start
/// with their 8-byte discriminator, so any byte string of `LEN` bytes is a valid value.
pub unsafe trait AccountState: Sized + Copy {
    const DISCRIMINATOR: [u8; 8];
    const LEN: usize = core::mem::size_of::<Self>();

    /// Copies the account out after checking owner, exact length and discriminator.
    #[inline(always)]
    fn load(account: &AccountInfo) -> Result<Self, MeritError> {
        account.require_owner(&crate::ID)?;
        if account.data_len() != Self::LEN {
            return Err(MeritError::InvalidAccountData);
        }
        let data = account.data();
        if crate::data::le_u64(data, 0) != u64::from_le_bytes(Self::DISCRIMINATOR) {
            return Err(MeritError::InvalidDiscriminator);
        }
        // SAFETY: LEN bytes are readable and every bit pattern is a valid Self (trait contract).
        Ok(unsafe { (data.as_ptr() as *const Self).read_unaligned() })
    }

    /// `load` for an account the instruction will write back.
    #[inline(always)]
    fn load_writable(account: &AccountInfo) -> Result<Self, MeritError> {
        account.require_writable()?;
        Self::load(account)
    }

    /// Writes the value back; only called on accounts `load`ed or created by this instruction.
    #[inline(always)]
    fn store(&self, account: &AccountInfo) {
        // SAFETY: the account is program-owned with exactly LEN data bytes (checked at load or
        // creation) and the runtime gave the program write access to the input buffer.
        unsafe { (account.data_ptr() as *mut Self).write_unaligned(*self) }
    }
}
