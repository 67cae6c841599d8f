//! Same accounts as set_authorities: the admin and the distributor.
pub use crate::instructions::set_authorities::accounts::AdminAccounts;
