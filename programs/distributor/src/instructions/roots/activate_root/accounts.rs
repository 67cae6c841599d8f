use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::instructions::shared::account_list::{take, AccountMeta};
pub use crate::instructions::shared::root_accounts::RootAccounts;

/// activate_root's accounts (the IDL's list; checked by `take`). Permissionless: anyone may
/// flip a due root, no signer needed.
pub const ACCOUNTS: [AccountMeta; 2] = [AccountMeta::writable("distributor"), AccountMeta::writable("epoch_root")];

#[inline(always)]
pub fn parse(accounts: &[AccountInfo]) -> Result<RootAccounts<'_>, MeritError> {
    // 0. Count and writable flags: ACCOUNTS.
    let [distributor, epoch_root] = take(accounts, &ACCOUNTS)?;
    RootAccounts::parse(distributor, epoch_root)
}
