use crate::instructions::admin::params::Params;
use crate::instructions::shared::args::args;

args! {
    /// `set_params(params: DistributorParams)`
    pub struct SetParamsData {
        params: Params,
    }
}
