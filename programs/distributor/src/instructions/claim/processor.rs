use super::accounts::ClaimAccounts;
use super::data::ClaimData;
use crate::account::AccountInfo;
use crate::cpi::CreatePda;
use crate::errors::{MeritError, ProgramResult};
use crate::events::{Claimed, Event};
use crate::instructions::shared::activation::activate;
use crate::instructions::shared::vault::VaultTransfer;
use crate::merkle;
use crate::pda;
use crate::state::claim_status::ClaimStatus;
use crate::state::epoch_root::{STATUS_ACTIVE, STATUS_PENDING, STATUS_VETOED};
use crate::state::AccountState;
use crate::syscalls::unix_timestamp;

pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let args = ClaimData::parse(data)?;
    let a = ClaimAccounts::parse(accounts)?;
    let (state, root) = (a.state, a.root);
    state.require_active()?;
    let now = unix_timestamp()?;
    if state.is_expired(now) {
        return Err(MeritError::ClaimWindowExpired);
    }

    // 1. The root pays: current, previous within the grace period, or the due head of the
    //    pending queue, which this claim activates.
    match root.status {
        STATUS_ACTIVE => state.accepts_active_epoch(root.epoch, now)?,
        STATUS_PENDING => activate(state, root, a.distributor.key(), now)?,
        STATUS_VETOED => return Err(MeritError::RootVetoed),
        _ => return Err(MeritError::InvalidAccountData),
    }

    // 2. The leaf (distributor, claimant, cumulative amount) is in the root.
    let leaf = merkle::leaf_hash(a.distributor.key(), a.claimant.key(), args.cumulative_amount);
    if !merkle::verify(&root.root, leaf, args.proof.0) {
        return Err(MeritError::InvalidProof);
    }

    // 3. Pay the difference, never beyond the root's total minus everything paid so far.
    let already = a.status.as_ref().map_or(0, |s| s.claimed());
    let amount = match args.cumulative_amount.checked_sub(already) {
        Some(amount) if amount > 0 => amount,
        _ => return Err(MeritError::NothingToClaim),
    };
    let available = root.cumulative_total.checked_sub(state.total_claimed).ok_or(MeritError::ExceedsRootTotal)?;
    if amount > available {
        return Err(MeritError::ExceedsRootTotal);
    }
    state.total_claimed = state.total_claimed.checked_add(amount).ok_or(MeritError::ArithmeticOverflow)?;

    // 4. Record it: in the ClaimStatus, or in a new one at its canonical address.
    match a.status {
        Some(status) => status.set_claimed(args.cumulative_amount),
        None => {
            let seeds = ClaimStatus::seeds(a.distributor.key(), a.claimant.key());
            let bump = pda::canonical_bump(a.claim_status, &seeds)?;
            CreatePda {
                payer: a.claimant,
                account: a.claim_status,
                space: ClaimStatus::LEN as u64,
                owner: &crate::pubkey::ID,
                seeds: &[seeds[0], seeds[1], seeds[2], &[bump]],
            }
            .invoke()?;
            ClaimStatus::new(args.cumulative_amount, bump).init(a.claim_status);
        }
    }

    // 5. Pay.
    VaultTransfer { token_program: a.token_program, vault: a.vault, mint: a.mint, to: a.claimant_token, distributor: a.distributor }.pay(state, amount)?;

    Claimed {
        distributor: *a.distributor.key(),
        claimant: *a.claimant.key(),
        epoch: root.epoch,
        amount,
        cumulative_claimed: args.cumulative_amount,
    }
    .emit();
    Ok(())
}
