use super::accounts::ClawbackAccounts;
use crate::account::AccountInfo;
use crate::cpi::{mint_decimals, token_amount, TransferChecked};
use crate::errors::{MeritError, ProgramResult};
use crate::events::{ClawedBack, Event};
use crate::syscalls::unix_timestamp;

/// The admin withdraws the vault's surplus over what claimants are owed under the newest root
/// (pending roots included), or everything once the claim window has expired.
pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let amount = super::data::parse(data)?;
    let a = ClawbackAccounts::parse(accounts)?;
    let state = a.state;
    state.require_active()?;
    if amount == 0 {
        return Err(MeritError::InvalidParams);
    }

    let balance = token_amount(a.vault)?;
    let withdrawable = if state.is_expired(unix_timestamp()?) { balance } else { balance.saturating_sub(state.outstanding()?) };
    if amount > withdrawable {
        return Err(MeritError::ClawbackExceedsSurplus);
    }
    state.total_clawed_back = state.total_clawed_back.checked_add(amount).ok_or(MeritError::ArithmeticOverflow)?;

    let id = state.id.to_le_bytes();
    TransferChecked {
        token_program: a.token_program,
        from: a.vault,
        mint: a.mint,
        to: a.destination,
        authority: a.distributor,
        amount,
        decimals: mint_decimals(a.mint)?,
        authority_seeds: &state.signer_seeds(&id),
    }
    .invoke()?;
    ClawedBack { distributor: *a.distributor.key(), destination: *a.destination.key(), amount, total_clawed_back: state.total_clawed_back }.emit();
    Ok(())
}
