use crate::instructions::admin::params::Params;
use crate::instructions::shared::args::args;
use crate::pubkey::Pubkey;

args! {
    /// `initialize_distributor(id, publisher, guardian, params)`
    pub struct InitializeDistributorData {
        id: u64,
        publisher: Pubkey,
        guardian: Pubkey,
        params: Params,
    }
}
