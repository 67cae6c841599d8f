use crate::account::AccountInfo;
use crate::errors::MeritError;
use crate::instructions::shared::account_list::{take, AccountMeta};
use crate::pubkey::keys_eq;
use crate::state::distributor::Distributor;
use crate::state::AccountState;

/// accept_admin's accounts (the IDL's list; checked by `take`).
pub const ACCOUNTS: [AccountMeta; 2] = [AccountMeta::signer("new_admin"), AccountMeta::writable("distributor")];

pub struct AcceptAdminAccounts<'a> {
    pub new_admin: &'a AccountInfo,
    pub distributor: &'a AccountInfo,
    pub state: &'a mut Distributor,
}

impl<'a> AcceptAdminAccounts<'a> {
    #[inline(always)]
    pub fn parse(accounts: &'a [AccountInfo]) -> Result<Self, MeritError> {
        // 0. Count, signer and writable flags: ACCOUNTS.
        let [new_admin, distributor] = take(accounts, &ACCOUNTS)?;
        // 1. The distributor is ours and of the right type.
        let state = Distributor::load(distributor)?;
        // 2. The signer is the proposed admin (never the all-zero "none").
        if keys_eq(&state.pending_admin, &[0; 32]) || !keys_eq(new_admin.key(), &state.pending_admin) {
            return Err(MeritError::NoPendingAdmin);
        }
        Ok(AcceptAdminAccounts { new_admin, distributor, state })
    }
}
