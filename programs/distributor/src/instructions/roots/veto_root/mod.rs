pub mod accounts;
pub mod processor;
