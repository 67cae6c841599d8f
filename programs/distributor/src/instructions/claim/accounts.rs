use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::instructions::shared::account_list::{take, AccountMeta};
use crate::instructions::shared::root_accounts::RootAccounts;
use crate::pda;
use crate::state::claim_status::ClaimStatus;
use crate::state::distributor::Distributor;
use crate::state::epoch_root::EpochRoot;
use crate::state::AccountState;
use crate::token::TokenAccount;
use crate::pubkey::{keys_eq, SYSTEM_PROGRAM};

/// claim's accounts (the IDL's list; checked by `take`).
pub const ACCOUNTS: [AccountMeta; 9] = [
    AccountMeta::signer_writable("claimant"),
    AccountMeta::writable("distributor"),
    AccountMeta::writable("epoch_root"),
    AccountMeta::writable("claim_status"),
    AccountMeta::readonly("mint"),
    AccountMeta::writable("vault"),
    AccountMeta::writable("claimant_token"),
    AccountMeta::readonly("token_program"),
    AccountMeta::program("system_program", SYSTEM_PROGRAM),
];

pub struct ClaimAccounts<'a> {
    pub claimant: &'a AccountInfo,
    pub distributor: &'a AccountInfo,
    pub epoch_root: &'a AccountInfo,
    pub claim_status: &'a AccountInfo,
    pub mint: &'a AccountInfo,
    pub vault: &'a AccountInfo,
    pub claimant_token: &'a AccountInfo,
    pub token_program: &'a AccountInfo,
    pub state: &'a mut Distributor,
    pub root: &'a mut EpochRoot,
    /// The claimant's ClaimStatus, or `None` when this first claim creates it.
    pub status: Option<&'a mut ClaimStatus>,
}

impl<'a> ClaimAccounts<'a> {
    #[inline(always)]
    pub fn parse(accounts: &'a [AccountInfo]) -> Result<Self, MeritError> {
        // 0. Count, signer and writable flags, the System program: ACCOUNTS. The claimant
        //    signs and pays for its ClaimStatus on the first claim; the EpochRoot is writable
        //    for lazy activation.
        let [claimant, distributor, epoch_root, claim_status, mint, vault, claimant_token, token_program, _system_program] = take(accounts, &ACCOUNTS)?;
        // 1-2. RootAccounts: the distributor and the EpochRoot are ours, of the right types,
        //      and the root is this distributor's.
        let RootAccounts { state, root, .. } = RootAccounts::parse(distributor, epoch_root)?;
        // 3. Mint, vault and token program are the ones recorded at initialization.
        mint.require_key(&state.mint, MeritError::MintMismatch)?;
        vault.require_key(&state.vault, MeritError::VaultMismatch)?;
        token_program.require_key(&state.token_program, MeritError::InvalidProgramId)?;
        // 4. The destination is a token account of that program whose owner is the claimant.
        claimant_token.require_owner(&state.token_program)?;
        if !keys_eq(TokenAccount::read(claimant_token)?.owner(), claimant.key()) {
            return Err(MeritError::ClaimantMismatch);
        }
        // 5. The ClaimStatus is new (its address is checked against the canonical bump when the
        //    processor creates it), or ours, of the right type, and this claimant's under this
        //    distributor: its address re-derived from the stored bump.
        let status = if claim_status.is_uninitialized() {
            None
        } else {
            let status = ClaimStatus::load(claim_status)?;
            pda::require_address(claim_status, &ClaimStatus::seeds(distributor.key(), claimant.key()), status.bump)?;
            Some(status)
        };
        Ok(ClaimAccounts { claimant, distributor, epoch_root, claim_status, mint, vault, claimant_token, token_program, state, root, status })
    }
}
