use super::accounts::ClawbackAccounts;
use crate::account::AccountInfo;
use crate::instructions::shared::vault::VaultTransfer;
use crate::token::TokenAccount;
use crate::errors::{MeritError, ProgramResult};
use crate::events::{ClawedBack, Event};
use crate::syscalls::unix_timestamp;

/// The admin withdraws the vault's surplus over what claimants are owed under the newest root
/// (pending roots included), or everything once the claim window has expired.
pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let amount = super::data::ClawbackData::parse(data)?.amount;
    let a = ClawbackAccounts::parse(accounts)?;
    let state = a.state;
    state.require_active()?;
    if amount == 0 {
        return Err(MeritError::InvalidParams);
    }

    let balance = TokenAccount::read(a.vault)?.amount();
    let withdrawable = if state.is_expired(unix_timestamp()?) { balance } else { balance.saturating_sub(state.outstanding()?) };
    if amount > withdrawable {
        return Err(MeritError::ClawbackExceedsSurplus);
    }
    state.total_clawed_back = state.total_clawed_back.checked_add(amount).ok_or(MeritError::ArithmeticOverflow)?;

    VaultTransfer { token_program: a.token_program, vault: a.vault, mint: a.mint, to: a.destination, distributor: a.distributor }.pay(state, amount)?;
    ClawedBack { distributor: *a.distributor.key(), destination: *a.destination.key(), amount, total_clawed_back: state.total_clawed_back }.emit();
    Ok(())
}
