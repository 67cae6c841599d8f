use crate::data::Reader;
use crate::errors::MeritError;
use crate::instructions::admin::params::Params;
use crate::pubkey::Pubkey;

/// `initialize_distributor(id: u64, publisher: pubkey, guardian: pubkey, params: DistributorParams)`
pub struct InitializeDistributorData {
    pub id: u64,
    pub publisher: Pubkey,
    pub guardian: Pubkey,
    pub params: Params,
}

impl InitializeDistributorData {
    #[inline(always)]
    pub fn parse(data: &[u8]) -> Result<Self, MeritError> {
        let mut r = Reader::new(data);
        let parsed = InitializeDistributorData { id: r.u64()?, publisher: r.bytes32()?, guardian: r.bytes32()?, params: Params::read(&mut r)? };
        r.finish()?;
        Ok(parsed)
    }
}
