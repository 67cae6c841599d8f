use crate::account::AccountInfo;
use crate::errors::MeritError;
pub use crate::instructions::shared::root_accounts::RootAccounts;

/// Permissionless: anyone may flip a due root, no signer needed.
#[inline(always)]
pub fn parse(accounts: &[AccountInfo]) -> Result<RootAccounts<'_>, MeritError> {
    let [distributor, epoch_root, ..] = accounts else {
        return Err(MeritError::NotEnoughAccounts);
    };
    RootAccounts::parse(distributor, epoch_root)
}
