//! Configuration and custody, signed by the admin (pause also by the guardian).
pub mod accept_admin;
pub mod clawback;
pub mod common;
pub mod initialize_distributor;
pub mod params;
pub mod pause;
pub mod set_authorities;
pub mod set_params;
