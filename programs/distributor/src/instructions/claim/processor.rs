use super::accounts::ClaimAccounts;
use super::data::ClaimData;
use crate::account::AccountInfo;
use crate::cpi::{mint_decimals, CreatePda, TransferChecked};
use crate::errors::{MeritError, ProgramResult};
use crate::events::{Claimed, Event};
use crate::instructions::activate_root::processor::activate;
use crate::merkle;
use crate::pda::{require_canonical, CLAIM_SEED};
use crate::state::claim_status::ClaimStatus;
use crate::state::epoch_root::{STATUS_ACTIVE, STATUS_PENDING, STATUS_VETOED};
use crate::state::AccountState;
use crate::syscalls::unix_timestamp;
use crate::keys_eq;

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

    // 2. The ClaimStatus is this claimant's, or a new one (its address is checked on creation).
    let existing = if a.claim_status.is_uninitialized() {
        None
    } else {
        let status = ClaimStatus::load(a.claim_status)?;
        if !keys_eq(&status.distributor, a.distributor.key()) {
            return Err(MeritError::DistributorMismatch);
        }
        if !keys_eq(&status.claimant, a.claimant.key()) {
            return Err(MeritError::ClaimantMismatch);
        }
        Some(status)
    };

    // 3. The leaf (distributor, claimant, cumulative amount) is in the root.
    let leaf = merkle::leaf_hash(a.distributor.key(), a.claimant.key(), args.cumulative_amount);
    if !merkle::verify(&root.root, leaf, args.proof) {
        return Err(MeritError::InvalidProof);
    }

    // 4. Pay the difference, never beyond the root's total minus everything paid so far.
    let already = existing.as_ref().map_or(0, |s| s.claimed);
    let amount = match args.cumulative_amount.checked_sub(already) {
        Some(amount) if amount > 0 => amount,
        _ => return Err(MeritError::NothingToClaim),
    };
    let available = root.cumulative_total.checked_sub(state.total_claimed).ok_or(MeritError::ExceedsRootTotal)?;
    if amount > available {
        return Err(MeritError::ExceedsRootTotal);
    }
    state.total_claimed = state.total_claimed.checked_add(amount).ok_or(MeritError::ArithmeticOverflow)?;

    match existing {
        Some(status) => {
            status.claimed = args.cumulative_amount;
            status.last_epoch = root.epoch;
        }
        None => {
            let seeds: [&[u8]; 3] = [CLAIM_SEED, a.distributor.key(), a.claimant.key()];
            let bump = require_canonical(a.claim_status, &seeds)?;
            CreatePda {
                payer: a.claimant,
                account: a.claim_status,
                space: ClaimStatus::LEN as u64,
                owner: &crate::ID,
                seeds: &[CLAIM_SEED, a.distributor.key(), a.claimant.key(), &[bump]],
            }
            .invoke()?;
            ClaimStatus {
                discriminator: ClaimStatus::DISCRIMINATOR,
                distributor: *a.distributor.key(),
                claimant: *a.claimant.key(),
                claimed: args.cumulative_amount,
                last_epoch: root.epoch,
                bump,
                reserved: [0; 7],
            }
            .init(a.claim_status);
        }
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
        authority_seeds: &state.signer_seeds(&id),
    }
    .invoke()?;

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
