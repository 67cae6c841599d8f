use super::accounts::ClaimAccounts;
use super::data::ClaimData;
use crate::account::AccountInfo;
use crate::cpi::{mint_decimals, CreatePda, TransferChecked};
use crate::errors::{MeritError, ProgramResult};
use crate::events::{Claimed, Event};
use crate::instructions::activate_root::processor::activate;
use crate::merkle;
use crate::pda::{require_canonical, CLAIM_SEED, DISTRIBUTOR_SEED};
use crate::state::claim_status::ClaimStatus;
use crate::state::epoch_root::{STATUS_ACTIVE, STATUS_PENDING, STATUS_VETOED};
use crate::state::AccountState;
use crate::syscalls::unix_timestamp;
use crate::keys_eq;

pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let a = ClaimAccounts::parse(accounts)?;
    let args = ClaimData::parse(data)?;
    let (mut state, mut root) = (a.state, a.root);
    state.require_active()?;
    let now = unix_timestamp()?;
    if state.is_expired(now) {
        return Err(MeritError::ClaimWindowExpired);
    }

    // 1. The root pays: current, previous within the grace period, or the due head of the
    //    pending queue, which this claim activates.
    let mut activated = false;
    match root.status {
        STATUS_ACTIVE => state.accepts_active_epoch(root.epoch, now)?,
        STATUS_PENDING => {
            activate(&mut state, &mut root, a.distributor.key(), now)?;
            activated = true;
        }
        STATUS_VETOED => return Err(MeritError::RootVetoed),
        _ => return Err(MeritError::InvalidAccountData),
    }

    // 2. The ClaimStatus is this claimant's, or the canonical address of a new one.
    let existing = !a.claim_status.is_uninitialized();
    let mut status = if existing {
        let status = ClaimStatus::load(a.claim_status)?;
        if !keys_eq(&status.distributor, a.distributor.key()) {
            return Err(MeritError::DistributorMismatch);
        }
        if !keys_eq(&status.claimant, a.claimant.key()) {
            return Err(MeritError::ClaimantMismatch);
        }
        status
    } else {
        ClaimStatus {
            discriminator: ClaimStatus::DISCRIMINATOR,
            distributor: *a.distributor.key(),
            claimant: *a.claimant.key(),
            claimed: 0,
            last_epoch: 0,
            bump: 0,
            reserved: [0; 7],
        }
    };

    // 3. The leaf (distributor, claimant, cumulative amount) is in the root.
    let leaf = merkle::leaf_hash(a.distributor.key(), a.claimant.key(), args.cumulative_amount);
    if !merkle::verify(&root.root, leaf, args.proof) {
        return Err(MeritError::InvalidProof);
    }

    // 4. Pay the difference, never beyond the root's total minus everything paid so far.
    let amount = match args.cumulative_amount.checked_sub(status.claimed) {
        Some(amount) if amount > 0 => amount,
        _ => return Err(MeritError::NothingToClaim),
    };
    let available = root.cumulative_total.checked_sub(state.total_claimed).ok_or(MeritError::ExceedsRootTotal)?;
    if amount > available {
        return Err(MeritError::ExceedsRootTotal);
    }

    if !existing {
        status.bump = require_canonical(a.claim_status, &[CLAIM_SEED, a.distributor.key(), a.claimant.key()])?;
        CreatePda {
            payer: a.claimant,
            account: a.claim_status,
            space: ClaimStatus::LEN as u64,
            owner: &crate::ID,
            seeds: &[CLAIM_SEED, a.distributor.key(), a.claimant.key(), &[status.bump]],
        }
        .invoke()?;
    }
    status.claimed = args.cumulative_amount;
    status.last_epoch = root.epoch;
    state.total_claimed = state.total_claimed.checked_add(amount).ok_or(MeritError::ArithmeticOverflow)?;
    status.store(a.claim_status);
    state.store(a.distributor);
    if activated {
        root.store(a.epoch_root);
    }

    let id = state.id.to_le_bytes();
    TransferChecked {
        token_program: a.token_program,
        from: a.vault,
        mint: a.mint,
        to: a.claimant_token,
        authority: a.distributor,
        amount,
        decimals: mint_decimals(a.mint)?,
        authority_seeds: &[DISTRIBUTOR_SEED, &state.mint, &id, &[state.bump]],
    }
    .invoke()?;

    Claimed {
        distributor: *a.distributor.key(),
        claimant: *a.claimant.key(),
        epoch: root.epoch,
        amount,
        cumulative_claimed: status.claimed,
    }
    .emit();
    Ok(())
}
