use crate::data::Reader;
use crate::errors::MeritError;

/// `propose_root(epoch: u64, root: [u8; 32], cumulative_total: u64, leaf_count: u64,
/// dataset_hash: [u8; 32], inputs_hash: [u8; 32])`
pub struct ProposeRootData {
    pub epoch: u64,
    pub root: [u8; 32],
    pub cumulative_total: u64,
    pub leaf_count: u64,
    pub dataset_hash: [u8; 32],
    pub inputs_hash: [u8; 32],
}

impl ProposeRootData {
    #[inline(always)]
    pub fn parse(data: &[u8]) -> Result<Self, MeritError> {
        let mut r = Reader::new(data);
        let parsed = ProposeRootData {
            epoch: r.u64()?,
            root: r.bytes32()?,
            cumulative_total: r.u64()?,
            leaf_count: r.u64()?,
            dataset_hash: r.bytes32()?,
            inputs_hash: r.bytes32()?,
        };
        r.finish()?;
        Ok(parsed)
    }
}
