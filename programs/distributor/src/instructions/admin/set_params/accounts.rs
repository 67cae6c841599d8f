use crate::instructions::shared::account_list::AccountMeta;

/// set_params's accounts (the IDL's list; checked by `take` in `AdminAccounts::parse`).
pub const ACCOUNTS: [AccountMeta; 2] = [AccountMeta::signer("admin"), AccountMeta::writable("distributor")];
