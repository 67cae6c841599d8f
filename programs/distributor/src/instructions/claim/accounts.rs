use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::instructions::shared::root_accounts::RootAccounts;
use crate::state::distributor::Distributor;
use crate::state::epoch_root::EpochRoot;
use crate::token::TokenAccount;
use crate::pubkey::keys_eq;

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
}

impl<'a> ClaimAccounts<'a> {
    #[inline(always)]
    pub fn parse(accounts: &'a [AccountInfo]) -> Result<Self, MeritError> {
        let [claimant, distributor, epoch_root, claim_status, mint, vault, claimant_token, token_program, system_program, ..] = accounts
        else {
            return Err(MeritError::NotEnoughAccounts);
        };
        // 1. The claimant signs and pays for its ClaimStatus on the first claim.
        claimant.require_signer()?;
        claimant.require_writable()?;
        // 2-3. The distributor and the EpochRoot (writable: lazy activation) are ours, of the
        //      right types, and the root is this distributor's.
        let RootAccounts { state, root, .. } = RootAccounts::parse(distributor, epoch_root)?;
        // 4. Mint, vault and token program are the ones recorded at initialization.
        mint.require_key(&state.mint, MeritError::MintMismatch)?;
        vault.require_key(&state.vault, MeritError::VaultMismatch)?;
        vault.require_writable()?;
        token_program.require_key(&state.token_program, MeritError::InvalidProgramId)?;
        system_program.require_key(&crate::pubkey::SYSTEM_PROGRAM.0, MeritError::InvalidProgramId)?;
        // 5. The destination is a token account of that program whose owner is the claimant.
        claimant_token.require_writable()?;
        claimant_token.require_owner(&state.token_program)?;
        if !keys_eq(TokenAccount::read(claimant_token)?.owner(), claimant.key()) {
            return Err(MeritError::ClaimantMismatch);
        }
        // 6. ClaimStatus is writable; whether it is new or this claimant's is checked on load.
        claim_status.require_writable()?;
        Ok(ClaimAccounts { claimant, distributor, epoch_root, claim_status, mint, vault, claimant_token, token_program, state, root })
    }
}
