use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::instructions::shared::root_accounts::RootAccounts;

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
        crate::instructions::shared::checks::require_authority(authority, &[&roots.state.guardian, &roots.state.admin])?;
        Ok(VetoRootAccounts { authority, roots })
    }
}
