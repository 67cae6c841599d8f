use crate::instructions::shared::args::args;
use crate::pubkey::Pubkey;

args! {
    /// `set_authorities(publisher, guardian, pending_admin)`; an all-zero `pending_admin` cancels
    /// a proposed hand-over.
    pub struct SetAuthoritiesData {
        publisher: Pubkey,
        guardian: Pubkey,
        pending_admin: Pubkey,
    }
}
