use crate::data::Reader;
use crate::errors::MeritError;

/// `clawback(amount: u64)`
#[inline(always)]
pub fn parse(data: &[u8]) -> Result<u64, MeritError> {
    let mut r = Reader::new(data);
    let amount = r.u64()?;
    r.finish()?;
    Ok(amount)
}
