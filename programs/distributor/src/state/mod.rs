//! Program accounts. Each is a `repr(C)` struct whose bytes are exactly its Borsh encoding
//! (fields ordered so that no implicit padding exists), preceded by Anchor's 8-byte account
//! discriminator `sha256("account:<Name>")[..8]`, so `program.account.<name>.fetch` decodes it.
pub mod claim_status;
pub mod distributor;
pub mod epoch_root;

use crate::account::AccountInfo;
use crate::errors::MeritError;

/// A fixed-size account type used in place (zero-copy) in the account's data.
///
/// Account data starts 8-aligned in the loader's input (and the structs need align at most 8), so the
/// fields are read and written with plain aligned loads and stores: copying a struct out with
/// unaligned reads costs two byte instructions per byte on BPF.
///
/// # Safety
/// Implementors are `repr(C)`, contain only integers and byte arrays, have no padding, and start
/// with their 8-byte discriminator, so any byte string of `LEN` bytes is a valid value.
pub unsafe trait AccountState: Sized + Copy {
    const DISCRIMINATOR: [u8; 8];
    const LEN: usize = core::mem::size_of::<Self>();

    /// The account's data as `Self`, after checking owner, discriminator and exact length.
    /// Each instruction takes at most one account of each type, and the discriminator check
    /// keeps one account from being viewed as two types, so the references never alias.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    fn load(account: &AccountInfo) -> Result<&mut Self, MeritError> {
        account.require_owner(&crate::pubkey::PROGRAM_ID.0)?;
        let data = account.data();
        // Discriminator first, as Anchor does: another account type fails as such.
        if data.len() < 8 || crate::data::le_u64(data, 0) != u64::from_le_bytes(Self::DISCRIMINATOR) {
            return Err(MeritError::InvalidDiscriminator);
        }
        if data.len() != Self::LEN {
            return Err(MeritError::InvalidAccountData);
        }
        let ptr = account.data_ptr();
        debug_assert!(ptr as usize % core::mem::align_of::<Self>() == 0);
        // SAFETY: LEN bytes, 8-aligned in the input buffer, every bit pattern is a valid Self
        // (trait contract); the runtime reverts writes to accounts the program may not change.
        Ok(unsafe { &mut *(ptr as *mut Self) })
    }

    /// Writes the first value of an account this instruction has just created with `LEN` bytes.
    #[inline(always)]
    fn init(self, account: &AccountInfo) {
        let ptr = account.data_ptr();
        debug_assert!(account.data_len() == Self::LEN && ptr as usize % core::mem::align_of::<Self>() == 0);
        // SAFETY: the account was created with exactly LEN bytes by this instruction; its data
        // is 8-aligned in the input buffer.
        unsafe { (ptr as *mut Self).write(self) }
    }
}
