pub mod accounts;
pub mod data;
pub mod processor;
