pub mod data;
pub mod processor;
