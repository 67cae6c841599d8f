//! merit distributor: vault, time-locked epoch roots a guardian can veto, and claims of
//! "cumulative total minus already claimed" against a Merkle proof.
//!
//! The interface is Anchor's (sighash discriminators, Borsh arguments, account discriminators,
//! events through `sol_log_data`, custom errors from 6000) so `@coral-xyz/anchor` drives it from
//! `idl/merit_distributor.json`; the implementation depends on no Solana crate so that it builds
//! with upstream rustc's BPF backend (see shared/sbf-toolchain.md).
#![cfg_attr(any(target_arch = "bpf", target_arch = "sbf"), no_std)]
// `is_multiple_of` is newer than the Rust of Solana's platform tools (cargo build-sbf elsewhere).
#![allow(clippy::manual_is_multiple_of)]

pub mod account;
pub mod cpi;
pub mod data;
pub mod entrypoint;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod merkle;
#[cfg(test)]
mod merkle_vectors_test;
pub mod pda;
pub mod pubkey;
pub mod state;
pub mod syscalls;
pub mod token;

#[cfg(not(any(target_arch = "bpf", target_arch = "sbf")))]
pub mod host_sha256;

