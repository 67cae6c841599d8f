use super::accounts::ProposeRootAccounts;
use super::data::ProposeRootData;
use crate::account::AccountInfo;
use crate::cpi::CreatePda;
use crate::errors::ProgramResult;
use crate::events::{Event, RootProposed};
use crate::pda::canonical_bump;
use crate::state::epoch_root::{EpochRoot, STATUS_PENDING};
use crate::state::AccountState;
use crate::syscalls::unix_timestamp;

pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let args = ProposeRootData::parse(data)?;
    let ProposeRootAccounts { publisher, distributor, epoch_root, state } = ProposeRootAccounts::parse(accounts)?;
    state.require_active()?;
    let now = unix_timestamp()?;

    // 1. Epoch strictly increasing, total non-decreasing and capped, queue not full.
    let activates_at = state.push_pending(args.epoch, args.cumulative_total, now)?;

    // 2. Create the EpochRoot at its canonical address.
    let epoch = args.epoch.to_le_bytes();
    let [prefix, key, epoch] = EpochRoot::seeds(distributor.key(), &epoch);
    let bump = canonical_bump(epoch_root, &[prefix, key, epoch])?;
    CreatePda {
        payer: publisher,
        account: epoch_root,
        space: EpochRoot::LEN as u64,
        owner: &crate::pubkey::ID,
        seeds: &[prefix, key, epoch, &[bump]],
    }
    .invoke()?;

    EpochRoot {
        discriminator: EpochRoot::DISCRIMINATOR,
        distributor: *distributor.key(),
        epoch: args.epoch,
        root: args.root,
        cumulative_total: args.cumulative_total,
        leaf_count: args.leaf_count,
        dataset_hash: args.dataset_hash,
        inputs_hash: args.inputs_hash,
        proposed_at: now,
        activates_at,
        activated_at: 0,
        status: STATUS_PENDING,
        bump,
        reserved: [0; 6],
    }
    .init(epoch_root);

    RootProposed {
        distributor: *distributor.key(),
        epoch: args.epoch,
        root: args.root,
        cumulative_total: args.cumulative_total,
        leaf_count: args.leaf_count,
        dataset_hash: args.dataset_hash,
        inputs_hash: args.inputs_hash,
        activates_at,
    }
    .emit();
    Ok(())
}
