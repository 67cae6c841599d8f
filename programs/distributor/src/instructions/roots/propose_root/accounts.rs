use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::instructions::shared::account_list::{take, AccountMeta};
use crate::instructions::shared::checks::require_authority;
use crate::pubkey::SYSTEM_PROGRAM;
use crate::state::distributor::Distributor;
use crate::state::AccountState;

/// propose_root's accounts (the IDL's list; checked by `take`).
pub const ACCOUNTS: [AccountMeta; 4] = [
    AccountMeta::signer_writable("publisher"),
    AccountMeta::writable("distributor"),
    AccountMeta::writable("epoch_root"),
    AccountMeta::program("system_program", SYSTEM_PROGRAM),
];

pub struct ProposeRootAccounts<'a> {
    pub publisher: &'a AccountInfo,
    pub distributor: &'a AccountInfo,
    pub epoch_root: &'a AccountInfo,
    pub state: &'a mut Distributor,
}

impl<'a> ProposeRootAccounts<'a> {
    #[inline(always)]
    pub fn parse(accounts: &'a [AccountInfo]) -> Result<Self, MeritError> {
        // 0. Count, signer and writable flags, the System program: ACCOUNTS.
        let [publisher, distributor, epoch_root, _system_program] = take(accounts, &ACCOUNTS)?;
        // 1. The distributor is ours and of the right type.
        let state = Distributor::load(distributor)?;
        // 2. The signer is its publisher (it pays for the EpochRoot account).
        require_authority(publisher, &[&state.publisher])?;
        // 3. The EpochRoot is new (its address is checked with the epoch).
        if !epoch_root.is_uninitialized() {
            return Err(MeritError::AlreadyInitialized);
        }
        Ok(ProposeRootAccounts { publisher, distributor, epoch_root, state })
    }
}
