//! Code several instruction families use. Families (`admin`, `roots`, `claim`) may use this
//! module, never one another.
pub mod account_list;
pub mod activation;
pub mod args;
pub mod checks;
pub mod root_accounts;
pub mod vault;
