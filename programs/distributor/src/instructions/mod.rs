//! Instruction families: `admin` (configuration and custody), `roots` (propose, veto,
//! activate) and `claim`, one folder per instruction with `accounts.rs` (numbered account
//! checks), `data.rs` (Borsh arguments, exact length) and `processor.rs` (business steps).
//! Code several families use lives in `shared`; a family never uses another.
pub mod admin;
pub mod claim;
pub mod roots;
pub mod shared;

use crate::account::AccountInfo;
use crate::data::le_u64;
use crate::errors::{MeritError, ProgramResult};


/// Anchor instruction discriminators: `sha256("global:<snake_name>")[..8]` read as u64 LE.
pub mod discriminator {
    pub const INITIALIZE_DISTRIBUTOR: [u8; 8] = [0xbd, 0x80, 0x67, 0x0a, 0x49, 0xe3, 0x25, 0x12];
    pub const SET_AUTHORITIES: [u8; 8] = [0x7c, 0xfe, 0x2c, 0xf0, 0xc5, 0x46, 0xbe, 0x6b];
    pub const ACCEPT_ADMIN: [u8; 8] = [0x70, 0x2a, 0x2d, 0x5a, 0x74, 0xb5, 0x0d, 0xaa];
    pub const SET_PARAMS: [u8; 8] = [0x1b, 0xea, 0xb2, 0x34, 0x93, 0x02, 0xbb, 0x8d];
    pub const PAUSE: [u8; 8] = [0xd3, 0x16, 0xdd, 0xfb, 0x4a, 0x79, 0xc1, 0x2f];
    pub const UNPAUSE: [u8; 8] = [0xa9, 0x90, 0x04, 0x26, 0x0a, 0x8d, 0xbc, 0xff];
    pub const PROPOSE_ROOT: [u8; 8] = [0x84, 0x00, 0x4c, 0x6b, 0xec, 0x56, 0x76, 0xa5];
    pub const VETO_ROOT: [u8; 8] = [0x8d, 0xc4, 0xc2, 0x8f, 0xcc, 0x72, 0x5a, 0xe2];
    pub const ACTIVATE_ROOT: [u8; 8] = [0x43, 0x96, 0xad, 0x3d, 0xd9, 0xae, 0xbc, 0x7d];
    pub const CLAIM: [u8; 8] = [0x3e, 0xc6, 0xd6, 0xc1, 0xd5, 0x9f, 0x6c, 0xd2];
    pub const CLAWBACK: [u8; 8] = [0x6f, 0x5c, 0x8e, 0x4f, 0x21, 0xea, 0x52, 0x1b];
}

#[inline(always)]
const fn disc(bytes: [u8; 8]) -> u64 {
    u64::from_le_bytes(bytes)
}

/// Routes on the 8-byte discriminator; claim comes first as the hot path.
#[inline(always)]
pub fn dispatch(accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    use discriminator::*;
    if data.len() < 8 {
        return Err(MeritError::UnknownInstruction);
    }
    match le_u64(data, 0) {
        d if d == disc(CLAIM) => claim::processor::process(accounts, data),
        d if d == disc(ACTIVATE_ROOT) => roots::activate_root::processor::process(accounts, data),
        d if d == disc(PROPOSE_ROOT) => roots::propose_root::processor::process(accounts, data),
        d if d == disc(VETO_ROOT) => roots::veto_root::processor::process(accounts, data),
        d if d == disc(CLAWBACK) => admin::clawback::processor::process(accounts, data),
        d if d == disc(INITIALIZE_DISTRIBUTOR) => admin::initialize_distributor::processor::process(accounts, data),
        d if d == disc(SET_AUTHORITIES) => admin::set_authorities::processor::process(accounts, data),
        d if d == disc(ACCEPT_ADMIN) => admin::accept_admin::processor::process(accounts, data),
        d if d == disc(SET_PARAMS) => admin::set_params::processor::process(accounts, data),
        d if d == disc(PAUSE) => admin::pause::processor::process(accounts, data, true),
        d if d == disc(UNPAUSE) => admin::pause::processor::process(accounts, data, false),
        _ => Err(MeritError::UnknownInstruction),
    }
}

#[cfg(test)]
mod tests {
    use super::discriminator::*;
    use crate::host_sha256::sha256_parts;

    #[test]
    fn discriminators_are_anchor_sighashes() {
        for (name, d) in [
            ("initialize_distributor", INITIALIZE_DISTRIBUTOR), ("set_authorities", SET_AUTHORITIES),
            ("accept_admin", ACCEPT_ADMIN), ("set_params", SET_PARAMS), ("pause", PAUSE), ("unpause", UNPAUSE),
            ("propose_root", PROPOSE_ROOT), ("veto_root", VETO_ROOT), ("activate_root", ACTIVATE_ROOT),
            ("claim", CLAIM), ("clawback", CLAWBACK),
        ] {
            assert_eq!(&sha256_parts(&[b"global:", name.as_bytes()])[..8], &d, "{name}");
        }
    }

    #[test]
    fn account_and_event_discriminators_are_anchor_sighashes() {
        use crate::events::*;
        use crate::state::{claim_status::ClaimStatus, distributor::Distributor, epoch_root::EpochRoot, AccountState};
        for (name, d) in [
            ("Distributor", Distributor::DISCRIMINATOR), ("EpochRoot", EpochRoot::DISCRIMINATOR),
            ("ClaimStatus", ClaimStatus::DISCRIMINATOR),
        ] {
            assert_eq!(&sha256_parts(&[b"account:", name.as_bytes()])[..8], &d, "{name}");
        }
        for (name, d) in [
            ("DistributorInitialized", DistributorInitialized::DISCRIMINATOR), ("AuthoritiesUpdated", AuthoritiesUpdated::DISCRIMINATOR),
            ("ParamsUpdated", ParamsUpdated::DISCRIMINATOR), ("PauseChanged", PauseChanged::DISCRIMINATOR),
            ("RootProposed", RootProposed::DISCRIMINATOR), ("RootVetoed", RootVetoed::DISCRIMINATOR),
            ("RootActivated", RootActivated::DISCRIMINATOR), ("Claimed", Claimed::DISCRIMINATOR),
            ("ClawedBack", ClawedBack::DISCRIMINATOR),
        ] {
            assert_eq!(&sha256_parts(&[b"event:", name.as_bytes()])[..8], &d, "{name}");
        }
    }
}
