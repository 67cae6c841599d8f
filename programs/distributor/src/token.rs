//! SPL Token and Token-2022 layouts the distributor reads: the base token account (165 bytes;
//! Token-2022 extensions follow it) and a mint's decimals. Which program owns the account is the
//! caller's check.
use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::pubkey::Pubkey;

/// Length of the base token account layout (mint, owner, amount, ...).
pub const ACCOUNT_LEN: usize = 165;
const OWNER_AT: usize = 32;
const AMOUNT_AT: usize = 64;
/// Offset of `decimals` in the mint layout of both token programs.
const MINT_DECIMALS_AT: usize = 44;

/// A token account's base fields, read in place.
pub struct TokenAccount<'a> {
    data: &'a [u8],
}

impl<'a> TokenAccount<'a> {
    /// Fails with `InvalidAccountData` when the data is shorter than the base layout.
    #[inline(always)]
    pub fn read(account: &'a AccountInfo) -> Result<Self, MeritError> {
        let data = account.data();
        if data.len() < ACCOUNT_LEN {
            return Err(MeritError::InvalidAccountData);
        }
        Ok(TokenAccount { data })
    }

    /// The wallet that owns the tokens (8-aligned in the input buffer).
    #[inline(always)]
    pub fn owner(&self) -> &'a Pubkey {
        const NONE: &Pubkey = &[0xff; 32];
        self.data.get(OWNER_AT..).and_then(|d| d.first_chunk::<32>()).unwrap_or(NONE)
    }

    #[inline(always)]
    pub fn amount(&self) -> u64 {
        crate::data::le_u64(self.data, AMOUNT_AT)
    }
}

/// Decimals of a mint.
#[inline(always)]
pub fn mint_decimals(mint: &AccountInfo) -> Result<u8, MeritError> {
    mint.data().get(MINT_DECIMALS_AT).copied().ok_or(MeritError::InvalidAccountData)
}
