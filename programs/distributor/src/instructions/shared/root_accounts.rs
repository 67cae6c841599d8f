//! A distributor and one of its EpochRoots, both writable (veto_root, activate_root, claim).
use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::state::distributor::Distributor;
use crate::state::epoch_root::EpochRoot;
use crate::state::AccountState;

pub struct RootAccounts<'a> {
    pub distributor: &'a AccountInfo,
    pub epoch_root: &'a AccountInfo,
    pub state: &'a mut Distributor,
    pub root: &'a mut EpochRoot,
}

impl<'a> RootAccounts<'a> {
    #[inline(always)]
    pub fn parse(distributor: &'a AccountInfo, epoch_root: &'a AccountInfo) -> Result<Self, MeritError> {
        // 1. The distributor is ours and of the right type (writable: the caller's ACCOUNTS).
        let state = Distributor::load(distributor)?;
        // 2. The EpochRoot is ours, of the right type, and belongs to this distributor.
        let root = EpochRoot::load(epoch_root)?;
        if !crate::pubkey::keys_eq(&root.distributor, distributor.key()) {
            return Err(MeritError::DistributorMismatch);
        }
        Ok(RootAccounts { distributor, epoch_root, state, root })
    }
}
