use crate::data::Reader;
use crate::errors::MeritError;
use crate::pubkey::Pubkey;

/// `set_authorities(publisher: pubkey, guardian: pubkey, pending_admin: pubkey)`; an all-zero
/// `pending_admin` cancels a proposed hand-over.
pub struct SetAuthoritiesData {
    pub publisher: Pubkey,
    pub guardian: Pubkey,
    pub pending_admin: Pubkey,
}

impl SetAuthoritiesData {
    #[inline(always)]
    pub fn parse(data: &[u8]) -> Result<Self, MeritError> {
        let mut r = Reader::new(data);
        let parsed = SetAuthoritiesData { publisher: r.bytes32()?, guardian: r.bytes32()?, pending_admin: r.bytes32()? };
        r.finish()?;
        Ok(parsed)
    }
}
