use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::state::distributor::Distributor;
use crate::state::AccountState;
use crate::pubkey::SYSTEM_PROGRAM_ID;

pub struct ProposeRootAccounts<'a> {
    pub publisher: &'a AccountInfo,
    pub distributor: &'a AccountInfo,
    pub epoch_root: &'a AccountInfo,
    pub state: &'a mut Distributor,
}

impl<'a> ProposeRootAccounts<'a> {
    #[inline(always)]
    pub fn parse(accounts: &'a [AccountInfo]) -> Result<Self, MeritError> {
        let [publisher, distributor, epoch_root, system_program, ..] = accounts else {
            return Err(MeritError::NotEnoughAccounts);
        };
        // 1. The distributor is ours, writable, and of the right type.
        let state = Distributor::load_writable(distributor)?;
        // 2. The signer is its publisher and pays for the EpochRoot account.
        crate::instructions::shared::checks::require_authority(publisher, &[&state.publisher])?;
        publisher.require_writable()?;
        // 3. The EpochRoot is writable and new (its address is checked with the epoch).
        epoch_root.require_writable()?;
        if !epoch_root.is_uninitialized() {
            return Err(MeritError::AlreadyInitialized);
        }
        // 4. System program for the account creation.
        system_program.require_key(&SYSTEM_PROGRAM_ID, MeritError::InvalidProgramId)?;
        Ok(ProposeRootAccounts { publisher, distributor, epoch_root, state })
    }
}
