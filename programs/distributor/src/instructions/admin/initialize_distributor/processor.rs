use super::accounts::InitializeDistributorAccounts;
use super::data::InitializeDistributorData;
use crate::account::AccountInfo;
use crate::cpi::{token_account_size, token_initialize_account, CreatePda};
use crate::errors::ProgramResult;
use crate::events::{DistributorInitialized, Event};
use crate::pda::canonical_bump;
use crate::state::distributor::{Distributor, PendingRoot, MAX_PENDING};
use crate::state::AccountState;
use crate::syscalls::unix_timestamp;

pub fn process(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let args = InitializeDistributorData::parse(data)?;
    let a = InitializeDistributorAccounts::parse(accounts)?;
    let now = unix_timestamp()?;
    args.params.validate(None, now)?;

    // 1. Both addresses are the canonical PDAs of this (mint, creating admin, id): the signer
    //    is a seed, so nobody else can take the address this admin planned.
    let id = args.id.to_le_bytes();
    let seeds = Distributor::seeds(a.mint.key(), a.admin.key(), &id);
    let bump = canonical_bump(a.distributor, &seeds)?;
    let vault_seeds = Distributor::vault_seeds(a.distributor.key());
    let vault_bump = canonical_bump(a.vault, &vault_seeds)?;

    // 2. Create the distributor account, then the vault as a token account it owns.
    CreatePda {
        payer: a.admin,
        account: a.distributor,
        space: Distributor::LEN as u64,
        owner: &crate::pubkey::ID,
        seeds: &[seeds[0], seeds[1], seeds[2], seeds[3], &[bump]],
    }
    .invoke()?;
    let vault_size = token_account_size(a.token_program, a.mint)?;
    CreatePda { payer: a.admin, account: a.vault, space: vault_size, owner: a.token_program.key(), seeds: &[vault_seeds[0], vault_seeds[1], &[vault_bump]] }
        .invoke()?;
    token_initialize_account(a.token_program, a.vault, a.mint, a.distributor.key())?;

    // 3. Record the configuration.
    let mut state = Distributor {
        discriminator: Distributor::DISCRIMINATOR,
        admin: *a.admin.key(),
        pending_admin: [0; 32],
        publisher: args.publisher,
        guardian: args.guardian,
        mint: *a.mint.key(),
        token_program: *a.token_program.key(),
        vault: *a.vault.key(),
        creator: *a.admin.key(),
        id: args.id,
        activation_delay: 0,
        grace_period: 0,
        max_total_increase: 0,
        claim_expiry: 0,
        latest_epoch: 0,
        current_epoch: 0,
        current_total: 0,
        current_activated_at: 0,
        previous_epoch: 0,
        total_claimed: 0,
        total_clawed_back: 0,
        pending: [PendingRoot::default(); MAX_PENDING],
        pending_count: 0,
        paused: 0,
        bump,
        vault_bump,
        reserved: [0; 4],
    };
    args.params.apply(&mut state);
    state.init(a.distributor);

    DistributorInitialized {
        distributor: *a.distributor.key(),
        mint: state.mint,
        id: args.id,
        admin: state.admin,
        publisher: state.publisher,
        guardian: state.guardian,
        vault: state.vault,
        token_program: state.token_program,
    }
    .emit();
    args.params.emit(a.distributor.key());
    Ok(())
}
