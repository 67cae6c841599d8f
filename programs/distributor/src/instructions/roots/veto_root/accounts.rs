use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::instructions::shared::account_list::{take, AccountMeta};
use crate::instructions::shared::checks::require_authority;
use crate::instructions::shared::root_accounts::RootAccounts;

/// veto_root's accounts (the IDL's list; checked by `take`).
pub const ACCOUNTS: [AccountMeta; 3] = [AccountMeta::signer("authority"), AccountMeta::writable("distributor"), AccountMeta::writable("epoch_root")];

pub struct VetoRootAccounts<'a> {
    pub authority: &'a AccountInfo,
    pub roots: RootAccounts<'a>,
}

impl<'a> VetoRootAccounts<'a> {
    #[inline(always)]
    pub fn parse(accounts: &'a [AccountInfo]) -> Result<Self, MeritError> {
        // 0. Count, signer and writable flags: ACCOUNTS.
        let [authority, distributor, epoch_root] = take(accounts, &ACCOUNTS)?;
        // 1-2. RootAccounts: the distributor and its EpochRoot.
        let roots = RootAccounts::parse(distributor, epoch_root)?;
        // 3. The signer is the guardian or the admin.
        require_authority(authority, &[&roots.state.guardian, &roots.state.admin])?;
        Ok(VetoRootAccounts { authority, roots })
    }
}
