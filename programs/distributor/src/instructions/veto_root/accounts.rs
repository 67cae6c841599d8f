use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::state::distributor::Distributor;
use crate::state::epoch_root::EpochRoot;
use crate::state::AccountState;

/// A distributor and one of its EpochRoots, both writable (veto_root, activate_root).
pub struct RootAccounts<'a> {
    pub distributor: &'a AccountInfo,
    pub epoch_root: &'a AccountInfo,
    pub state: &'a mut Distributor,
    pub root: &'a mut EpochRoot,
}

impl<'a> RootAccounts<'a> {
    #[inline(always)]
    pub fn parse(distributor: &'a AccountInfo, epoch_root: &'a AccountInfo) -> Result<Self, MeritError> {
        // 1. The distributor is ours, writable, and of the right type.
        let state = Distributor::load_writable(distributor)?;
        // 2. The EpochRoot is ours, writable, of the right type, and belongs to this distributor.
        let root = EpochRoot::load_writable(epoch_root)?;
        if !crate::keys_eq(&root.distributor, distributor.key()) {
            return Err(MeritError::DistributorMismatch);
        }
        Ok(RootAccounts { distributor, epoch_root, state, root })
    }
}

pub struct VetoRootAccounts<'a> {
    pub authority: &'a AccountInfo,
    pub roots: RootAccounts<'a>,
}

impl<'a> VetoRootAccounts<'a> {
    #[inline(always)]
    pub fn parse(accounts: &'a [AccountInfo]) -> Result<Self, MeritError> {
        let [authority, distributor, epoch_root, ..] = accounts else {
            return Err(MeritError::NotEnoughAccounts);
        };
        let roots = RootAccounts::parse(distributor, epoch_root)?;
        // 3. The signer is the guardian or the admin.
        crate::instructions::require_authority(authority, &[&roots.state.guardian, &roots.state.admin])?;
        Ok(VetoRootAccounts { authority, roots })
    }
}
