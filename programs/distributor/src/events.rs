//! Events in Anchor's format: one `sol_log_data` slice holding
//! `sha256("event:<Name>")[..8] ++ borsh(event)`, which `EventParser` reads from the logs.
//! Field order here is the IDL's; structs have no padding, so their bytes are their Borsh.
use crate::pubkey::Pubkey;

/// # Safety
/// Implementors are `repr(C)` without padding, made of integers and byte arrays only, and at
/// most 8-aligned.
pub unsafe trait Event: Sized {
    const DISCRIMINATOR: [u8; 8];

    /// Logs the discriminator and the event's bytes as one slice, without copying them.
    #[inline(always)]
    fn emit(self) {
        let record = Record { discriminator: Self::DISCRIMINATOR, event: self };
        // SAFETY: `Record` is repr(C): 8 discriminator bytes then the event (align ≤ 8, no
        // padding, trait contract), all initialized.
        let bytes = unsafe {
            core::slice::from_raw_parts(&record as *const Record<Self> as *const u8, core::mem::size_of::<Record<Self>>())
        };
        crate::syscalls::log_data(bytes);
    }
}

#[repr(C)]
struct Record<T> {
    discriminator: [u8; 8],
    event: T,
}

macro_rules! event {
    ($(#[$doc:meta])* $name:ident [$($d:literal),*] { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[repr(C)]
        pub struct $name { $(pub $field: $ty),* }
        // SAFETY: fields are listed so that no padding arises (checked by `sizes_have_no_padding`).
        unsafe impl Event for $name {
            const DISCRIMINATOR: [u8; 8] = [$($d),*];
        }
    };
}

event!(DistributorInitialized [0x24, 0xcf, 0x6a, 0xb1, 0x11, 0x4e, 0x54, 0xaf] {
    distributor: Pubkey, mint: Pubkey, id: u64, admin: Pubkey, publisher: Pubkey, guardian: Pubkey,
    vault: Pubkey, token_program: Pubkey,
});
event!(AuthoritiesUpdated [0x43, 0x29, 0x24, 0xb4, 0xdf, 0x54, 0xdd, 0x4c] {
    distributor: Pubkey, admin: Pubkey, pending_admin: Pubkey, publisher: Pubkey, guardian: Pubkey,
});
event!(ParamsUpdated [0x02, 0xa3, 0x8a, 0x63, 0x87, 0x0b, 0x88, 0xa9] {
    distributor: Pubkey, activation_delay: u64, grace_period: u64, max_total_increase: u64, claim_expiry: i64,
});
event!(PauseChanged [0xee, 0xbc, 0xd5, 0x4e, 0x86, 0xd1, 0xb2, 0xda] {
    distributor: Pubkey, authority: Pubkey, paused: u8,
});
event!(RootProposed [0x2a, 0x25, 0x1c, 0x2e, 0x63, 0xd7, 0xb7, 0xa3] {
    distributor: Pubkey, epoch: u64, root: [u8; 32], cumulative_total: u64, leaf_count: u64,
    dataset_hash: [u8; 32], inputs_hash: [u8; 32], activates_at: i64,
});
event!(RootVetoed [0x68, 0xcb, 0xe5, 0xb8, 0xb2, 0x51, 0x40, 0x75] {
    distributor: Pubkey, epoch: u64, authority: Pubkey,
});
event!(RootActivated [0x18, 0x3b, 0xec, 0x36, 0x83, 0x1b, 0x95, 0x13] {
    distributor: Pubkey, epoch: u64, cumulative_total: u64, activated_at: i64,
});
event!(Claimed [0xd9, 0xc0, 0x7b, 0x48, 0x6c, 0x96, 0xf8, 0x21] {
    distributor: Pubkey, claimant: Pubkey, epoch: u64, amount: u64, cumulative_claimed: u64,
});
event!(ClawedBack [0x80, 0x11, 0xca, 0xcf, 0x5e, 0xbf, 0x40, 0x53] {
    distributor: Pubkey, destination: Pubkey, amount: u64, total_clawed_back: u64,
});

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::size_of;

    #[test]
    fn sizes_have_no_padding() {
        assert_eq!(size_of::<DistributorInitialized>(), 7 * 32 + 8);
        assert_eq!(size_of::<AuthoritiesUpdated>(), 5 * 32);
        assert_eq!(size_of::<ParamsUpdated>(), 32 + 4 * 8);
        assert_eq!(size_of::<PauseChanged>(), 65);
        assert_eq!(size_of::<RootProposed>(), 4 * 32 + 4 * 8);
        assert_eq!(size_of::<RootVetoed>(), 72);
        assert_eq!(size_of::<RootActivated>(), 56);
        assert_eq!(size_of::<Claimed>(), 88);
        assert_eq!(size_of::<ClawedBack>(), 80);
        assert_eq!(size_of::<Record<PauseChanged>>(), 8 + 65);
        assert_eq!(size_of::<Record<Claimed>>(), 8 + 88);
    }
}
