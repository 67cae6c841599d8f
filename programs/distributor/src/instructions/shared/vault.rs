//! Payments out of the vault (claims and clawbacks): `transfer_checked` signed by the
//! Distributor PDA with its creator's seeds.
use crate::account::AccountInfo;
use crate::cpi::TransferChecked;
use crate::errors::ProgramResult;
use crate::state::distributor::Distributor;
use crate::token::mint_decimals;

/// Token accounts of one payment out of the vault.
pub struct VaultTransfer<'a> {
    pub token_program: &'a AccountInfo,
    pub vault: &'a AccountInfo,
    pub mint: &'a AccountInfo,
    pub to: &'a AccountInfo,
    pub distributor: &'a AccountInfo,
}

impl VaultTransfer<'_> {
    /// Moves `amount` from the vault to `to` (the token program checks mint and balances).
    #[inline(always)]
    pub fn pay(&self, state: &Distributor, amount: u64) -> ProgramResult {
        let id = state.id.to_le_bytes();
        TransferChecked {
            token_program: self.token_program,
            from: self.vault,
            mint: self.mint,
            to: self.to,
            authority: self.distributor,
            amount,
            decimals: mint_decimals(self.mint)?,
            authority_seeds: &state.signer_seeds(&id),
        }
        .invoke()
    }
}
