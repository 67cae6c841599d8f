use crate::data::Reader;
use crate::errors::MeritError;
use crate::instructions::admin::params::Params;

/// `set_params(params: DistributorParams)`
#[inline(always)]
pub fn parse(data: &[u8]) -> Result<Params, MeritError> {
    let mut r = Reader::new(data);
    let params = Params::read(&mut r)?;
    r.finish()?;
    Ok(params)
}
